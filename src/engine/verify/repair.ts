/**
 * Repair: re-copies only the rows a RowDiff names. Writes go to the target the caller named and
 * nowhere else, only with confirm: true, and never to a replica or a read_only server
 * (replicaGuard.ts: checked on the target itself before the first write, whatever the caller says).
 * Values are read from the source by their exact rendering (exactValue.ts), so a FLOAT is re-copied
 * bit for bit, not as its 6-digit text. Per batch, in one transaction: extra rows are deleted
 * first (under a _ci key a stale 'A' must go before 'a' arrives), then missing and different rows
 * are read from the source by key and upserted. Generated columns are never written.
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect } from '../db/connection.js';
import type { KeyColumn, KeyValue } from '../db/keyset.js';
import { hashShape, rowsByKeySql, type HashShape } from './checksum.js';
import { inspectTable } from '../schema/inspector.js';
import { rawRows } from '../db/rawRows.js';
import { keyLiteral, qualified, quoteIdent, valueLiteral, type ColumnCodec, type SqlLiteral } from '../db/sql.js';
import { isFloating, READ_SESSION } from './exactValue.js';
import { readWriteTargetRole, RepairRefusedError, repairRefusal } from './replicaGuard.js';
import type { CellValue, KeyTuple, RepairResult, RepairSpec, RepairTableResult } from './types.js';

/** STRICT so nothing is clipped; FK checks off because parents and children are repaired in any order. */
const REPAIR_SESSION = [
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
  'SET SESSION foreign_key_checks = 0',
  'SET SESSION sql_notes = 0',
];

/** Back from a JSON cell to the bytes the server stores (inverse of rowDiff's toCell). */
export function cellBytes(codec: ColumnCodec, v: CellValue): Buffer | null {
  if (v === null) return null;
  if (typeof v === 'object') return Buffer.from(v.hex, 'hex');
  return Buffer.from(v, codec.kind === 'string' && codec.charset === 'latin1' ? 'latin1' : 'utf8');
}

function keyBytes(keys: KeyColumn[], t: KeyTuple): KeyValue {
  if (t.length !== keys.length) throw new Error('key tuple does not match the key columns');
  return keys.map((k, i) => cellBytes(k.codec, t[i]));
}

function keyMatch(keys: KeyColumn[], list: KeyValue[]): { sql: string; values: SqlLiteral[] } {
  const values: SqlLiteral[] = [];
  const ors = list.map((k) => `(${keys.map((c, i) => (values.push(keyLiteral(c.codec, k[i])), `${quoteIdent(c.name)} = ?`)).join(' AND ')})`);
  return { sql: ors.join(' OR '), values };
}

export function upsertSql(db: string, table: string, columns: string[], codecs: ColumnCodec[], rows: (Buffer | null)[][]): string {
  const cols = columns.map(quoteIdent);
  const tuples = rows.map((r) => `(${r.map((v, i) => valueLiteral(codecs[i], v)).join(', ')})`);
  return (
    `INSERT INTO ${qualified(db, table)} (${cols.join(', ')}) VALUES ${tuples.join(', ')} ` +
    `ON DUPLICATE KEY UPDATE ${cols.map((c) => `${c} = VALUES(${c})`).join(', ')}`
  );
}

async function repairTable(src: Connection, dst: Connection, spec: RepairSpec, table: string, diff: RepairSpec['tables'][number]['diff']): Promise<RepairTableResult> {
  const targetDb = spec.targetDatabase ?? spec.database;
  await src.query('SET SESSION character_set_results = utf8mb4');
  const info = await inspectTable(src, spec.database, table);
  const shape: HashShape = hashShape(info);
  if (shape.keyColumns.length === 0) throw new Error(`${table}: no key, rows cannot be repaired one by one`);
  if (shape.keyColumns.map((k) => k.name).join('\n') !== diff.keyColumns.join('\n')) throw new Error(`${table}: the diff was made with another key`);
  await src.query('SET SESSION character_set_results = binary');
  const byName = new Map(info.columns.map((c) => [c.name, c.codec]));
  const codecs = shape.columns.map((c) => byName.get(c) as ColumnCodec);
  // A FLOAT's -0 reads back as '-0', which the server stores as +0; -1e-50 rounds to FLOAT -0.
  const floatCols = shape.columns.map((c) => info.columns.find((x) => x.name === c)).map((c) => (c && isFloating(c) ? c.dataType.toLowerCase() : null));
  const exactRow = (r: (Buffer | null)[]): (Buffer | null)[] =>
    r.map((v, i) => (floatCols[i] === 'float' && v !== null && v.toString('latin1') === '-0' ? Buffer.from('-1e-50') : v));
  const n = shape.keyColumns.length;
  const batch = Math.max(1, spec.batchRows ?? 500);
  const result: RepairTableResult = { table, upserted: 0, deleted: 0, vanished: 0 };
  const extra = diff.extra.map((k) => keyBytes(shape.keyColumns, k));
  const wanted = [...diff.missing, ...diff.different.map((d) => d.key)].map((k) => keyBytes(shape.keyColumns, k));
  const t = qualified(targetDb, table);
  for (let i = 0; i < extra.length; i += batch) {
    const m = keyMatch(shape.keyColumns, extra.slice(i, i + batch));
    await dst.query('START TRANSACTION');
    try {
      const [r] = await dst.query(`DELETE FROM ${t} WHERE ${m.sql}`, m.values);
      await dst.query('COMMIT');
      result.deleted += (r as { affectedRows: number }).affectedRows;
    } catch (err) {
      await dst.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  for (let i = 0; i < wanted.length; i += batch) {
    const keys = wanted.slice(i, i + batch);
    const rows = await rawRows(src, rowsByKeySql(spec.database, table, shape, keys));
    const hex = (k: (Buffer | null)[]): string => k.map((v) => (v === null ? 'N' : v.toString('hex'))).join(':');
    const found = new Set(rows.map((r) => hex(r.slice(0, n))));
    // Gone from the source since the diff (or only ever on the target under another spelling): delete.
    const vanished = keys.filter((k) => !found.has(hex(k)));
    await dst.query('START TRANSACTION');
    try {
      if (vanished.length) {
        const m = keyMatch(shape.keyColumns, vanished);
        await dst.query(`DELETE FROM ${t} WHERE ${m.sql}`, m.values);
      }
      if (rows.length) await dst.query(upsertSql(targetDb, table, shape.columns, codecs, rows.map((r) => exactRow(r.slice(n)))));
      await dst.query('COMMIT');
    } catch (err) {
      await dst.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    result.upserted += rows.length;
    result.vanished += vanished.length;
  }
  return result;
}

export async function repair(spec: RepairSpec): Promise<RepairResult> {
  if (spec.confirm !== true) throw new Error('repair writes to the target: pass confirm: true (CLI: --repair --yes)');
  const t0 = performance.now();
  const [src, dst] = await Promise.all([connect(spec.source, { session: READ_SESSION }), connect(spec.target, { session: REPAIR_SESSION })]);
  const tables: RepairTableResult[] = [];
  try {
    const why = repairRefusal(spec.target.name ?? `${spec.target.host}:${spec.target.port}`, await readWriteTargetRole(dst), spec.targetIsReplica);
    if (why) throw new RepairRefusedError(why);
    for (const { table, diff } of spec.tables) {
      try {
        tables.push(await repairTable(src, dst, spec, table, diff));
      } catch (err) {
        tables.push({ table, upserted: 0, deleted: 0, vanished: 0, error: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await Promise.all([closeQuietly(src), closeQuietly(dst)]);
  }
  return { tables, seconds: (performance.now() - t0) / 1000 };
}
