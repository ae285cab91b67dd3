/**
 * Checksum SQL for one table definition: a per-row hash over the columns' bytes, and the
 * range aggregate (COUNT plus an order-independent sum of row hashes) that both servers compute
 * over the same key range.
 *
 * Why bytes: comparisons under PAD SPACE or _ci collations call 'a' = 'a ' and 'a' = 'A', and
 * JSON/BLOB differences must show too, so the hash reads the stored bytes (CRC32 and MD5 hash a
 * string's bytes, never its collation weights). NULL and ''
 * differ through the ISNULL flags; the byte LENGTHs make the concatenation unambiguous ('a#','b'
 * vs 'a','#b'). Both servers run the same expression over the same column bytes, so equal data
 * gives equal sums across servers.
 */
import type { ColumnInfo, TableDefinition } from '../schema/inspector.js';
import { rangeWhere, type KeyColumn, type KeyValue, type RangeBounds } from '../db/keyset.js';
import { keyLiteral, qualified, quoteIdent, type SqlLiteral } from '../db/sql.js';

export type HashAlgorithm = 'crc32' | 'md5';

export interface HashShape {
  /** Columns hashed, in table order. */
  columns: string[];
  /** Generated columns left out (they are derived from the others). */
  skipped: string[];
  keyColumns: KeyColumn[];
  /** The row's bytes, NULL flags and string lengths as one unambiguous binary string. */
  rowBytes: string;
  /** SQL of the per-row MD5, 32 hex digits (pairs rows in narrowed ranges). */
  rowHash: string;
  algorithm: HashAlgorithm;
}

export interface HashOptions {
  includeGenerated?: boolean;
  /** Range aggregate: crc32 (default, fast) or md5 (64 bits per row, about twice the server CPU). */
  algorithm?: HashAlgorithm;
}

/** The columns that take part in the hash: both sides must choose the same ones. */
export function hashedColumns(columns: readonly ColumnInfo[], opts: HashOptions = {}): { columns: string[]; skipped: string[] } {
  const used = columns.filter((c) => opts.includeGenerated || !c.generated).map((c) => c.name);
  const skipped = columns.filter((c) => !opts.includeGenerated && c.generated).map((c) => c.name);
  return { columns: used, skipped };
}

export type HashColumn = Pick<ColumnInfo, 'name' | 'nullable' | 'codec'>;

/**
 * The row as bytes. String columns keep their stored bytes either way: CONCAT_WS of strings in one
 * collation concatenates them unchanged, so the CAST AS BINARY (a copy per value: measured +40%
 * server CPU on bench.orders_large) is only added when the table mixes collations, where
 * CONCAT_WS would refuse ("illegal mix") or convert. Numbers and dates print the same on both
 * servers. NULL flags only for nullable columns and LENGTHs only for string/binary columns (the
 * only values that can contain the '#' separator): as unambiguous as flagging every column.
 */
export function rowBytesSql(columns: readonly HashColumn[]): string {
  if (columns.length === 0) throw new Error('no columns to hash');
  const isText = (c: HashColumn): boolean => c.codec.kind === 'string' || c.codec.kind === 'binary';
  const collations = new Set(columns.filter((c) => c.codec.kind === 'string').map((c) => `${c.codec.charset}/${c.codec.collation}`));
  const cast = collations.size > 1;
  const values = columns.map((c) => (cast && c.codec.kind === 'string' ? `CAST(${quoteIdent(c.name)} AS BINARY)` : quoteIdent(c.name)));
  const nulls = columns.filter((c) => c.nullable).map((c) => `ISNULL(${quoteIdent(c.name)})`);
  const lengths = columns.filter(isText).map((c) => `LENGTH(${quoteIdent(c.name)})`);
  const parts = [...values];
  // CONCAT of flags is never NULL; CONCAT_WS skips NULL values, and the flags say which were.
  if (nulls.length) parts.push(`CONCAT(${nulls.join(', ')})`);
  if (lengths.length) parts.push(`CONCAT_WS(',', ${lengths.join(', ')})`);
  return `CONCAT_WS('#', ${parts.join(', ')})`;
}

export function rowHashSql(columns: readonly HashColumn[]): string {
  return `MD5(${rowBytesSql(columns)})`;
}

export function hashShape(info: TableDefinition, opts: HashOptions = {}): HashShape {
  const { columns, skipped } = hashedColumns(info.columns, opts);
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const keyColumns = (info.key?.columns ?? []).map((k) => {
    const col = byName.get(k);
    if (!col) throw new Error(`key column ${k} not found in ${info.name}`);
    return { name: k, codec: col.codec };
  });
  const hashCols = columns.map((n) => byName.get(n) as ColumnInfo);
  return { columns, skipped, keyColumns, rowBytes: rowBytesSql(hashCols), rowHash: rowHashSql(hashCols), algorithm: opts.algorithm ?? 'crc32' };
}

/**
 * COUNT and an order-independent hash of a range.
 * crc32: SUM of each row's CRC32. SUM, not pt-table-checksum's BIT_XOR: CRC is linear, so XOR
 *   cancels when two rows of equal length get the same byte change (a bulk UPDATE does that);
 *   an exact SUM does not. 32 bits per row.
 * md5: XOR of the first 64 bits of each row's MD5 (not linear). About twice the CPU.
 */
export function rangeChecksumSql(db: string, table: string, shape: HashShape, b: RangeBounds): { sql: string; values: SqlLiteral[] } {
  const w = rangeWhere(shape.keyColumns, b);
  const agg =
    shape.algorithm === 'md5'
      ? `LPAD(HEX(COALESCE(BIT_XOR(CAST(CONV(LEFT(${shape.rowHash}, 16), 16, 10) AS UNSIGNED)), 0)), 16, '0')`
      : `COALESCE(SUM(CRC32(${shape.rowBytes})), 0)`;
  return { sql: `SELECT COUNT(*) AS cnt, ${agg} AS h FROM ${qualified(db, table)}${w.where}`, values: w.values };
}

/**
 * The key of the row `offset` rows after `lower` in key order (inclusive upper bound of the next
 * chunk), or none when fewer rows remain. Run on the source only: both sides use its bounds.
 */
export function boundaryQuery(
  db: string,
  table: string,
  keys: KeyColumn[],
  lower: KeyValue | null,
  rows: number,
  upper: KeyValue | null = null,
): { sql: string; values: SqlLiteral[] } {
  const w = rangeWhere(keys, { after: lower, upTo: upper });
  const cols = keys.map((k) => quoteIdent(k.name));
  const n = Math.max(1, Math.floor(rows));
  return {
    sql: `SELECT ${cols.join(', ')} FROM ${qualified(db, table)}${w.where} ORDER BY ${cols.join(', ')} LIMIT 1 OFFSET ${n - 1}`,
    values: w.values,
  };
}

/**
 * Per-row identity and hash for a narrowed range. WEIGHT_STRING of string key columns gives the
 * collation's notion of "same key" ('a' and 'A' are one row under a _ci key), so the two sides are
 * matched like the server matches them; the raw key bytes are kept for repair and display.
 */
export function rowHashesSql(db: string, table: string, shape: HashShape, b: RangeBounds): { sql: string; values: SqlLiteral[] } {
  const w = rangeWhere(shape.keyColumns, b);
  const keys = shape.keyColumns.map((k) => quoteIdent(k.name));
  const weights = shape.keyColumns.map((k) => (k.codec.kind === 'string' ? `HEX(WEIGHT_STRING(${quoteIdent(k.name)}))` : `HEX(${quoteIdent(k.name)})`));
  const sql =
    `SELECT ${keys.join(', ')}, CONCAT_WS(':', ${weights.join(', ')}) AS rw_ident, ${shape.rowHash} AS rw_hash ` +
    `FROM ${qualified(db, table)}${w.where} ORDER BY ${keys.join(', ')}`;
  return { sql, values: w.values };
}

/** Full rows (hashed columns) for a set of keys, matched by the server's own key comparison. */
export function rowsByKeySql(db: string, table: string, shape: HashShape, keys: KeyValue[]): { sql: string; values: SqlLiteral[] } {
  const values: SqlLiteral[] = [];
  const ors: string[] = [];
  for (const k of keys) {
    const ands = shape.keyColumns.map((c, i) => {
      values.push(keyLiteral(c.codec, k[i]));
      return `${quoteIdent(c.name)} = ?`;
    });
    ors.push(`(${ands.join(' AND ')})`);
  }
  const keyCols = shape.keyColumns.map((k) => quoteIdent(k.name));
  const sql = `SELECT ${keyCols.join(', ')}, ${shape.columns.map(quoteIdent).join(', ')} FROM ${qualified(db, table)} WHERE ${ors.join(' OR ')}`;
  return { sql, values };
}
