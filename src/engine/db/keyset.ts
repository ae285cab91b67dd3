/**
 * Keyset SQL: conditions and chunk queries over a table's chosen key, shared by the copy, the
 * verifier and repair.
 *
 * A bound must select exactly the rows that ORDER BY over the index puts after (or up to) it, for
 * every key type, or chunks skip or repeat rows. Strings compare in their column's own collation
 * (sql.ts keyLiteral); ENUM and SET compare by the number they sort by, and as IN lists where that
 * is short (MariaDB turns `e IN (...)` into index ranges, but scans the index for `e > 2`); BIT by
 * its unsigned value; NULLs sort first, as in the index. A key with nullable columns may repeat
 * (a UNIQUE key allows many NULLs), so a chunk over it must end on a whole group of equal keys
 * (SnapshotReader reads such chunks up to a probed bound, never by LIMIT alone).
 */
import { keyLiteral, maxOrdinal, memberOrdinal, quoteIdent, readSql, SqlLiteral, type ColumnCodec } from './sql.js';

export type KeyValue = (Buffer | null)[];

export interface KeyColumn {
  name: string;
  codec: ColumnCodec;
}

type Op = '>' | '<' | '<=' | '=';

/** ENUM/SET values above or below a bound are listed when there are at most this many. */
const MAX_IN_LIST = 1024;

const FALSE = 'FALSE';

/** One column compared with one bound value, in the column's index order; FALSE when no value can match. */
function term(k: KeyColumn, op: Op, v: Buffer | null, values: SqlLiteral[]): string {
  const col = quoteIdent(k.name);
  if (v === null) {
    // NULL sorts before every value.
    if (op === '=' || op === '<=') return `${col} IS NULL`;
    if (op === '>') return `${col} IS NOT NULL`;
    return FALSE;
  }
  let sql: string;
  if ((k.codec.order === 'enum' || k.codec.order === 'set') && op !== '=') {
    sql = ordinalTerm(col, op, memberOrdinal(k.codec, v), maxOrdinal(k.codec), values);
  } else {
    values.push(keyLiteral(k.codec, v));
    sql = `${col} ${op} ?`;
  }
  // A NULL in the column compares as unknown, but sorts below every value.
  if ((op === '<' || op === '<=') && k.codec.nullable === true) {
    return sql === FALSE ? `${col} IS NULL` : `(${sql} OR ${col} IS NULL)`;
  }
  return sql;
}

function ordinalTerm(col: string, op: Exclude<Op, '='>, at: bigint, max: bigint, values: SqlLiteral[]): string {
  const [from, to] = op === '>' ? [at + 1n, max] : [0n, op === '<' ? at - 1n : at];
  if (from > to) return FALSE;
  if (to - from + 1n <= BigInt(MAX_IN_LIST)) {
    const marks: string[] = [];
    for (let i = from; i <= to; i++) {
      values.push(new SqlLiteral(i.toString()));
      marks.push('?');
    }
    return `${col} IN (${marks.join(', ')})`;
  }
  values.push(new SqlLiteral(at.toString()));
  return `${col} ${op} ?`;
}

/**
 * `(k1, k2) > (a, b)` expanded into OR-ed prefixes: MariaDB's range optimizer turns this form into
 * index ranges, while row-constructor comparisons may scan.
 */
export function afterCondition(keys: KeyColumn[], value: KeyValue, inclusive = false): { sql: string; values: SqlLiteral[] } {
  return compare(keys, value, '>', inclusive);
}

export function upToCondition(keys: KeyColumn[], value: KeyValue): { sql: string; values: SqlLiteral[] } {
  return compare(keys, value, '<', true);
}

/** Rows whose key equals `value` (NULL matching NULL, as the copy groups them). */
export function keyEqualsCondition(keys: KeyColumn[], value: KeyValue): { sql: string; values: SqlLiteral[] } {
  if (value.length !== keys.length) throw new Error('key value does not match key columns');
  const values: SqlLiteral[] = [];
  const parts = keys.map((k, i) => term(k, '=', value[i], values));
  return { sql: parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`, values };
}

/** `key < value` (or `<=`): the upper end of a JobSpec key range. */
export function beforeCondition(keys: KeyColumn[], value: KeyValue, inclusive = false): { sql: string; values: SqlLiteral[] } {
  return compare(keys, value, '<', inclusive);
}

/** A serialisable key (JobSpec's KeyPart[]) as the raw bytes the keyset conditions take. */
export function keyValueOf(parts: readonly (string | null | { hex: string })[]): KeyValue {
  return parts.map((p) => (p === null ? null : typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.hex, 'hex')));
}

/** A key range's condition (both bounds ANDed), or null when the range is open at both ends. */
export function rangeCondition(
  keys: KeyColumn[],
  range: { lower?: { key: (string | null | { hex: string })[]; inclusive: boolean } | null; upper?: { key: (string | null | { hex: string })[]; inclusive: boolean } | null } | undefined,
): { sql: string; values: SqlLiteral[] } | null {
  if (!range) return null;
  const parts: { sql: string; values: SqlLiteral[] }[] = [];
  if (range.lower) parts.push(afterCondition(keys, keyValueOf(range.lower.key), range.lower.inclusive));
  if (range.upper) parts.push(beforeCondition(keys, keyValueOf(range.upper.key), range.upper.inclusive));
  if (parts.length === 0) return null;
  return { sql: parts.map((p) => p.sql).join(' AND '), values: parts.flatMap((p) => p.values) };
}

function compare(keys: KeyColumn[], value: KeyValue, op: '>' | '<', inclusiveLast: boolean): { sql: string; values: SqlLiteral[] } {
  if (value.length !== keys.length) throw new Error('key value does not match key columns');
  const ors: string[] = [];
  const values: SqlLiteral[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: string[] = [];
    const mine: SqlLiteral[] = [];
    for (let j = 0; j < i; j++) parts.push(term(keys[j], '=', value[j], mine));
    const last: Op = i === keys.length - 1 && inclusiveLast ? (op === '>' ? '>' : '<=') : op;
    if (last === '>' && inclusiveLast && i === keys.length - 1) {
      // `>=` on the last column: equal, or after.
      const eq = term(keys[i], '=', value[i], mine);
      const gt = term(keys[i], '>', value[i], mine);
      parts.push(gt === FALSE ? eq : `(${eq} OR ${gt})`);
    } else parts.push(term(keys[i], last, value[i], mine));
    if (parts.includes(FALSE)) continue;
    values.push(...mine);
    ors.push(parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`);
  }
  if (ors.length === 0) return { sql: FALSE, values: [] };
  return { sql: ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`, values };
}

export interface RangeBounds {
  /** Exclusive lower bound; null = from the start. */
  after: KeyValue | null;
  /** Inclusive upper bound; null = to the end. */
  upTo: KeyValue | null;
}

/** ` WHERE …` for a key range (empty when unbounded): the copy's chunk reads and the verifier's checksums. */
export function rangeWhere(keys: KeyColumn[], bounds: RangeBounds): { where: string; values: SqlLiteral[] } {
  const parts: string[] = [];
  const values: SqlLiteral[] = [];
  if (bounds.after) {
    const c = afterCondition(keys, bounds.after);
    parts.push(c.sql);
    values.push(...c.values);
  }
  if (bounds.upTo) {
    const c = upToCondition(keys, bounds.upTo);
    parts.push(c.sql);
    values.push(...c.values);
  }
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', values };
}

/** True when the key may repeat (a UNIQUE key over nullable columns holds any number of NULL rows). */
export function keyMayRepeat(keys: readonly KeyColumn[]): boolean {
  return keys.some((k) => k.codec.nullable === true);
}

/** The SELECT list that reads a key's values exactly (FLOAT through its double value). */
export function keySelectList(keys: readonly KeyColumn[]): string {
  return keys.map((k) => readSql(k.name, k.codec)).join(', ');
}

/**
 * Rows of a range in key order. `limit` Infinity reads the whole range; `offset` skips rows first
 * (a boundary probe: the key `offset` rows into the range).
 */
export function chunkQuery(
  qualifiedTable: string,
  selectList: string,
  keys: KeyColumn[],
  bounds: RangeBounds,
  limit: number,
  offset = 0,
  /** A fixed condition ANDed in (a JobSpec key range, from rangeCondition). */
  filter: { sql: string; values: unknown[] } | null = null,
): { sql: string; values: unknown[] } {
  const range = rangeWhere(keys, bounds);
  const values: unknown[] = filter ? [...filter.values, ...range.values] : [...range.values];
  const where = filter ? (range.where ? ` WHERE ${filter.sql} AND ${range.where.slice(' WHERE '.length)}` : ` WHERE ${filter.sql}`) : range.where;
  const order = keys.map((k) => quoteIdent(k.name)).join(', ');
  const lim = Number.isFinite(limit) ? ` LIMIT ${Math.max(1, Math.floor(limit))}${offset > 0 ? ` OFFSET ${Math.floor(offset)}` : ''}` : '';
  const sql = `SELECT ${selectList} FROM ${qualifiedTable}${where} ORDER BY ${order}${lim}`;
  return { sql, values };
}
