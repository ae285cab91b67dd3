/**
 * Inspector: reads what the copy needs to know about a table, from information_schema and
 * SHOW CREATE TABLE, and chooses the key the chunker walks.
 */
import type { RowDataPacket } from 'mysql2';
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { codecFor, qualified, type ColumnCodec } from '../db/sql.js';

export interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  charset: string | null;
  collation: string | null;
  generated: boolean;
  generationExpression: string | null;
  codec: ColumnCodec;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  columns: string[];
  /** True when any column is indexed by a prefix only (cannot drive an exact keyset). */
  prefix: boolean;
}

/** A table's full definition as read for copying and verifying: columns, indexes, CREATE statement, chunking key. */
export interface TableDefinition {
  database: string;
  name: string;
  engine: string | null;
  estimatedRows: number;
  avgRowLength: number;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
  createStatement: string;
  /** The chosen chunking key: PRIMARY, else the narrowest unique index over NOT NULL columns. */
  key: IndexInfo | null;
}

interface ColumnRow {
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  CHARACTER_SET_NAME: string | null;
  COLLATION_NAME: string | null;
  IS_GENERATED: string | null;
  GENERATION_EXPRESSION: string | null;
}

interface StatRow {
  INDEX_NAME: string;
  NON_UNIQUE: number | string;
  COLUMN_NAME: string;
  SUB_PART: number | string | null;
}

/** The names of a database's base tables (no views), in name order: what a copy or verify of a whole database covers. */
export async function listBaseTables(conn: Connection, database: string): Promise<string[]> {
  const rows = await queryRows(
    conn,
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [database],
  );
  return rows.map((r) => String(r.name));
}

export async function databaseExists(conn: Connection, database: string): Promise<boolean> {
  const rows = await queryRows(conn, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  return rows.length > 0;
}

export async function tableExists(conn: Connection, database: string, table: string): Promise<boolean> {
  const rows = await queryRows(
    conn,
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
  return rows.length > 0;
}

export function chooseKey(indexes: IndexInfo[], columns: ColumnInfo[]): IndexInfo | null {
  const primary = indexes.find((i) => i.name === 'PRIMARY');
  if (primary && !primary.prefix) return primary;
  const notNull = new Set(columns.filter((c) => !c.nullable).map((c) => c.name));
  const candidates = indexes
    .filter((i) => i.unique && !i.prefix && i.columns.every((c) => notNull.has(c)))
    .sort((a, b) => a.columns.length - b.columns.length || a.name.localeCompare(b.name));
  return candidates[0] ?? null;
}

export async function inspectTable(conn: Connection, database: string, table: string): Promise<TableDefinition> {
  const t = await queryRows(
    conn,
    'SELECT ENGINE, TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
  if (t.length === 0) throw new Error(`table ${database}.${table} does not exist`);
  const colRows = await queryRows<ColumnRow & RowDataPacket>(
    conn,
    `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME,
            IS_GENERATED, GENERATION_EXPRESSION
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  const columns: ColumnInfo[] = colRows.map((r) => ({
    name: r.COLUMN_NAME,
    dataType: r.DATA_TYPE,
    columnType: r.COLUMN_TYPE,
    nullable: r.IS_NULLABLE === 'YES',
    charset: r.CHARACTER_SET_NAME,
    collation: r.COLLATION_NAME,
    generated: r.IS_GENERATED === 'ALWAYS',
    generationExpression: r.IS_GENERATED === 'ALWAYS' ? r.GENERATION_EXPRESSION : null,
    codec: codecFor(r.DATA_TYPE, r.CHARACTER_SET_NAME, r.COLLATION_NAME),
  }));
  const stats = await queryRows<StatRow & RowDataPacket>(
    conn,
    `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [database, table],
  );
  const byName = new Map<string, IndexInfo>();
  for (const s of stats) {
    let idx = byName.get(s.INDEX_NAME);
    if (!idx) {
      idx = { name: s.INDEX_NAME, unique: Number(s.NON_UNIQUE) === 0, columns: [], prefix: false };
      byName.set(s.INDEX_NAME, idx);
    }
    idx.columns.push(s.COLUMN_NAME);
    if (s.SUB_PART !== null) idx.prefix = true;
  }
  const indexes = [...byName.values()];
  const create = await queryRows(conn, `SHOW CREATE TABLE ${qualified(database, table)}`);
  const createStatement = String(create[0]['Create Table']);
  return {
    database,
    name: table,
    engine: t[0].ENGINE === null ? null : String(t[0].ENGINE),
    estimatedRows: Number(t[0].TABLE_ROWS ?? 0),
    avgRowLength: Number(t[0].AVG_ROW_LENGTH ?? 0),
    columns,
    indexes,
    createStatement,
    key: chooseKey(indexes, columns),
  };
}

export function noKeyMessage(database: string, table: string): string {
  return (
    `table ${database}.${table} has neither a primary key nor a unique key over NOT NULL columns, ` +
    'so it cannot be copied in resumable chunks. Add a primary key, or pass allowNoKey ' +
    '(CLI: --allow-no-key) to copy it in one snapshot stream that cannot resume.'
  );
}
