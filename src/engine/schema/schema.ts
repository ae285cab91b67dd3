/**
 * Target schema: create what is missing from the source's own definition, and refuse to copy into
 * an existing table whose shape differs (a silent mismatch would truncate or convert data).
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { databaseExists, type TableDefinition } from './inspector.js';
import { qualified, quoteIdent } from '../db/sql.js';

export async function ensureDatabase(target: Connection, source: Connection, sourceDb: string, targetDb: string): Promise<boolean> {
  if (await databaseExists(target, targetDb)) return false;
  const rows = await queryRows(
    source,
    'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS coll FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [sourceDb],
  );
  const cs = rows[0] ? String(rows[0].cs) : 'utf8mb4';
  const coll = rows[0] ? String(rows[0].coll) : 'utf8mb4_general_ci';
  if (!/^\w+$/.test(cs) || !/^\w+$/.test(coll)) throw new Error(`unexpected charset ${cs}/${coll}`);
  await target.query(`CREATE DATABASE ${quoteIdent(targetDb)} CHARACTER SET ${cs} COLLATE ${coll}`);
  return true;
}

/**
 * Rewrites the head of SHOW CREATE TABLE so the table lands in the target database. Foreign keys
 * to tables of the same database stay unqualified and resolve in the target database because the
 * statement runs there (the caller switches database first).
 */
export function createStatementFor(source: TableDefinition, targetDb: string, statement = source.createStatement): string {
  const head = `CREATE TABLE ${quoteIdent(source.name)}`;
  if (!statement.startsWith(head)) {
    throw new Error(`unexpected SHOW CREATE TABLE output for ${source.name}`);
  }
  return `CREATE TABLE ${qualified(targetDb, source.name)}` + statement.slice(head.length);
}

/** Table options only the non-transactional engines know (Aria, MyISAM); InnoDB would refuse or ignore them. */
const NON_INNODB_OPTIONS = /\s(?:PAGE_CHECKSUM|TRANSACTIONAL|DELAY_KEY_WRITE)=\d+|\sROW_FORMAT=(?:PAGE|FIXED)\b/gi;

/**
 * The statement with InnoDB as its engine: a chunk and its checkpoint row commit in one transaction
 * only there (a MyISAM/Aria target would keep rows of a rolled-back chunk, and resume would write
 * them again). Only the table options after the column list change (partitions included).
 */
export function asInnoDb(statement: string): string {
  const close = statement.lastIndexOf('\n)');
  if (close < 0) throw new Error('unexpected SHOW CREATE TABLE output: no closing line');
  const options = statement.slice(close);
  if (!/\bENGINE\s*=/i.test(options)) return statement;
  return statement.slice(0, close) + options.replace(/\bENGINE\s*=\s*\w+/gi, 'ENGINE=InnoDB').replace(NON_INNODB_OPTIONS, '');
}

export interface CreatedTable {
  /** The source table's engine, when it was not InnoDB (the target table is InnoDB either way). */
  convertedFrom: string | null;
}

/** `statement` replaces the source's own SHOW CREATE TABLE text (the deferred-keys variant of it). */
export async function createTable(target: Connection, source: TableDefinition, targetDb: string, statement?: string): Promise<CreatedTable> {
  await target.query(`USE ${quoteIdent(targetDb)}`);
  await target.query('SET SESSION foreign_key_checks = 0');
  const engine = source.engine ?? 'InnoDB';
  try {
    await target.query(asInnoDb(createStatementFor(source, targetDb, statement)));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const hint = /^InnoDB$/i.test(engine) ? '' : ` (the source table is ${engine}; the job creates every table as InnoDB: create it yourself in a transactional shape, then copy into it)`;
    throw new Error(`${source.name}: could not create the target table: ${why}${hint}`);
  }
  return { convertedFrom: /^InnoDB$/i.test(engine) ? null : engine };
}

/** The progress log line for a table the job created. */
export function createdMessage(table: string, created: CreatedTable): string {
  return created.convertedFrom
    ? `${table}: created on the target as InnoDB, not ${created.convertedFrom} like the source: a chunk and its checkpoint can commit together only in a transactional engine (triggers are not copied)`
    : `${table}: created on the target as InnoDB (triggers are not copied)`;
}

/** Every difference that would make a byte-exact copy impossible or unsafe, one line each. */
export function compareTables(source: TableDefinition, target: TableDefinition): string[] {
  const diffs: string[] = [];
  const name = source.name;
  const tcols = new Map(target.columns.map((c) => [c.name, c]));
  const scols = new Map(source.columns.map((c) => [c.name, c]));
  for (const s of source.columns) {
    const t = tcols.get(s.name);
    if (!t) {
      diffs.push(`${name}: column ${s.name} missing on target`);
      continue;
    }
    if (s.columnType !== t.columnType) diffs.push(`${name}.${s.name}: type ${s.columnType} on source, ${t.columnType} on target`);
    if (s.nullable !== t.nullable) {
      diffs.push(`${name}.${s.name}: ${s.nullable ? 'NULL' : 'NOT NULL'} on source, ${t.nullable ? 'NULL' : 'NOT NULL'} on target`);
    }
    if ((s.charset ?? '') !== (t.charset ?? '') || (s.collation ?? '') !== (t.collation ?? '')) {
      diffs.push(`${name}.${s.name}: collation ${s.collation ?? 'none'} on source, ${t.collation ?? 'none'} on target`);
    }
    if (s.generated !== t.generated) {
      diffs.push(`${name}.${s.name}: ${s.generated ? 'generated' : 'stored'} on source, ${t.generated ? 'generated' : 'stored'} on target`);
    }
  }
  for (const t of target.columns) {
    if (!scols.has(t.name) && !t.nullable && !t.generated) diffs.push(`${name}: target has extra NOT NULL column ${t.name}`);
    else if (!scols.has(t.name)) diffs.push(`${name}: target has extra column ${t.name}`);
  }
  const keyOf = (info: TableDefinition) =>
    info.indexes
      .filter((i) => i.unique)
      .map((i) => `${i.name === 'PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} (${i.columns.join(', ')})`)
      .sort();
  const sk = keyOf(source);
  const tk = keyOf(target);
  for (const k of sk) if (!tk.includes(k)) diffs.push(`${name}: ${k} missing on target`);
  for (const k of tk) if (!sk.includes(k)) diffs.push(`${name}: target has extra ${k}`);
  if (target.engine && !/^InnoDB$/i.test(target.engine)) {
    diffs.push(`${name}: target engine ${target.engine} is not transactional (chunks could not commit with their checkpoint)`);
  }
  return diffs;
}

export async function isEmpty(target: Connection, db: string, table: string): Promise<boolean> {
  const rows = await queryRows(target, `SELECT 1 FROM ${qualified(db, table)} LIMIT 1`);
  return rows.length === 0;
}
