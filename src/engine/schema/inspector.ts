/**
 * Inspector: reads what the copy needs to know about a table, from information_schema and
 * SHOW CREATE TABLE, and chooses the key the chunker walks.
 */
import type { RowDataPacket } from 'mysql2';
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { codecFor, parseMembers, qualified, type ColumnCodec } from '../db/sql.js';

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
  /**
   * The chosen chunking key: PRIMARY, else the narrowest unique index over NOT NULL columns, else the
   * narrowest unique index with nullable columns (its NULL rows may repeat; the reader keeps each
   * group of equal keys in one chunk).
   */
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
  const narrowest = (a: IndexInfo, b: IndexInfo) => a.columns.length - b.columns.length || a.name.localeCompare(b.name);
  const unique = indexes.filter((i) => i.unique && !i.prefix);
  const strict = unique.filter((i) => i.columns.every((c) => notNull.has(c))).sort(narrowest);
  return strict[0] ?? [...unique].sort(narrowest)[0] ?? null;
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
  const members = new Map<string, Buffer[]>();
  for (const r of colRows) {
    if (/^(enum|set)$/i.test(r.DATA_TYPE)) members.set(r.COLUMN_NAME, await memberBytes(conn, parseMembers(r.COLUMN_TYPE), r.CHARACTER_SET_NAME));
  }
  const columns: ColumnInfo[] = colRows.map((r) => ({
    name: r.COLUMN_NAME,
    dataType: r.DATA_TYPE,
    columnType: r.COLUMN_TYPE,
    nullable: r.IS_NULLABLE === 'YES',
    charset: r.CHARACTER_SET_NAME,
    collation: r.COLLATION_NAME,
    generated: r.IS_GENERATED === 'ALWAYS',
    generationExpression: r.IS_GENERATED === 'ALWAYS' ? r.GENERATION_EXPRESSION : null,
    codec: codecFor(r.DATA_TYPE, r.CHARACTER_SET_NAME, r.COLLATION_NAME, { nullable: r.IS_NULLABLE === 'YES', members: members.get(r.COLUMN_NAME) }),
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

/**
 * ENUM/SET members as the bytes the server returns for them (the column's charset): information_schema
 * lists them in utf8, so other charsets are converted by the server itself (latin1 is cp1252 there).
 */
async function memberBytes(conn: Connection, members: string[], charset: string | null): Promise<Buffer[]> {
  if (members.length === 0 || charset === null || /^(utf8mb4|utf8mb3|utf8)$/i.test(charset)) return members.map((m) => Buffer.from(m, 'utf8'));
  if (!/^\w+$/.test(charset)) throw new Error(`unexpected charset ${charset}`);
  const rows = await queryRows(conn, `SELECT ${members.map((_, i) => `HEX(CONVERT(? USING ${charset})) AS m${i}`).join(', ')}`, members);
  return members.map((_, i) => Buffer.from(String(rows[0][`m${i}`]), 'hex'));
}

export function noKeyMessage(database: string, table: string): string {
  return (
    `table ${database}.${table} has neither a primary key nor a unique key, ` +
    'so it cannot be copied in resumable chunks. Add a primary key, or pass allowNoKey ' +
    '(CLI: --allow-no-key) to copy it in one snapshot stream that cannot resume.'
  );
}
