/**
 * Checksum SQL for one table definition: a per-row hash over the columns' exact values, and the
 * range aggregate (COUNT plus an order-independent sum of row hashes) that both servers compute
 * over the same key range.
 *
 * Why exact values (exactValue.ts has the expression per type): comparisons under PAD SPACE or _ci
 * collations call 'a' = 'a ' and 'a' = 'A', the server's text of a FLOAT drops digits, and
 * JSON/BLOB differences must show too, so the hash reads what is stored (CRC32 and MD5 hash a
 * string's bytes, never its collation weights). NULL and '' differ through the ISNULL flags; the
 * byte LENGTHs make the concatenation unambiguous ('a#','b' vs 'a','#b'). Both servers run the same
 * expression over the same stored values, so equal data gives equal sums across servers.
 */
import type { ColumnInfo, TableDefinition } from '../schema/inspector.js';
import { rangeWhere, type KeyColumn, type KeyValue, type RangeBounds } from '../db/keyset.js';
import { keyLiteral, qualified, quoteIdent, type SqlLiteral } from '../db/sql.js';
import { hashParts, keyIdentSql, valueSql, type ExactColumn } from './exactValue.js';

export type HashAlgorithm = 'crc32' | 'md5';

export interface HashShape {
  /** Columns hashed, in table order. */
  columns: string[];
  /** Generated columns left out (they are derived from the others). */
  skipped: string[];
  keyColumns: KeyColumn[];
  /** Select-list expressions of the key columns' exact values (a FLOAT key's own text is lossy). */
  keySelect: string[];
  /** Key identity per key column, as the server compares keys (pairs rows across servers). */
  keyIdent: string[];
  /** Select-list expressions of the hashed columns' exact values, in `columns` order. */
  valueSelect: string[];
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

export type HashColumn = ExactColumn;

/**
 * The row as bytes. String columns keep their stored bytes either way: CONCAT_WS of strings in one
 * collation concatenates them unchanged, so the CAST AS BINARY (a copy per value: measured +40%
 * server CPU on bench.orders_large) is only added when the table mixes collations, where
 * CONCAT_WS would refuse ("illegal mix") or convert. Other types go through their exact rendering
 * (exactValue.ts: FLOAT/DOUBLE as exact DOUBLE text, ENUM/SET with their number too). NULL flags
 * only for nullable columns and LENGTHs only for string/binary columns (the only values that can
 * contain the '#' separator; the other renderings never do): as unambiguous as flagging every
 * column.
 */
export function rowBytesSql(columns: readonly HashColumn[]): string {
  if (columns.length === 0) throw new Error('no columns to hash');
  const isText = (c: HashColumn): boolean => c.codec.kind === 'string' || c.codec.kind === 'binary';
  const collations = new Set(columns.filter((c) => c.codec.kind === 'string').map((c) => `${c.codec.charset}/${c.codec.collation}`));
  const cast = collations.size > 1;
  const values = columns.flatMap((c) => (cast && c.codec.kind === 'string' ? hashParts(c).map((p) => `CAST(${p} AS BINARY)`) : hashParts(c)));
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
  const keyInfo = (info.key?.columns ?? []).map((k) => {
    const col = byName.get(k);
    if (!col) throw new Error(`key column ${k} not found in ${info.name}`);
    return col;
  });
  const keyColumns = keyInfo.map((c) => ({ name: c.name, codec: c.codec }));
  const hashCols = columns.map((n) => byName.get(n) as ColumnInfo);
  return {
    columns,
    skipped,
    keyColumns,
    keySelect: keyInfo.map(valueSql),
    // CONCAT_WS skips NULLs: a NULL part of a nullable unique key is spelled out so (NULL, 'x') and
    // ('x', NULL) differ; no identity rendering (hex, digits, dates) contains the word.
    keyIdent: keyInfo.map((c) => (c.nullable ? `IFNULL(${keyIdentSql(c)}, 'NULL')` : keyIdentSql(c))),
    valueSelect: hashCols.map(valueSql),
    rowBytes: rowBytesSql(hashCols),
    rowHash: rowHashSql(hashCols),
    algorithm: opts.algorithm ?? 'crc32',
  };
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
 * `select`: the key columns' exact-value expressions (HashShape.keySelect), so a bound read back
 * as a literal is the stored key, not a rounded rendering of it.
 */
export function boundaryQuery(
  db: string,
  table: string,
  keys: KeyColumn[],
  lower: KeyValue | null,
  rows: number,
  upper: KeyValue | null = null,
  select: readonly string[] = keys.map((k) => quoteIdent(k.name)),
): { sql: string; values: SqlLiteral[] } {
  const w = rangeWhere(keys, { after: lower, upTo: upper });
  const cols = keys.map((k) => quoteIdent(k.name));
  const n = Math.max(1, Math.floor(rows));
  return {
    sql: `SELECT ${select.join(', ')} FROM ${qualified(db, table)}${w.where} ORDER BY ${cols.join(', ')} LIMIT 1 OFFSET ${n - 1}`,
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
  const sql =
    `SELECT ${shape.keySelect.join(', ')}, CONCAT_WS(':', ${shape.keyIdent.join(', ')}) AS rw_ident, ${shape.rowHash} AS rw_hash ` +
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
  const sql = `SELECT ${shape.keySelect.join(', ')}, ${shape.valueSelect.join(', ')} FROM ${qualified(db, table)} WHERE ${ors.join(' OR ')}`;
  return { sql, values };
}
