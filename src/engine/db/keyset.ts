/**
 * Keyset SQL: conditions and chunk queries over a table's chosen key, shared by the copy, the
 * verifier and repair.
 */
import { keyLiteral, quoteIdent, type ColumnCodec, type SqlLiteral } from './sql.js';

export type KeyValue = (Buffer | null)[];

export interface KeyColumn {
  name: string;
  codec: ColumnCodec;
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
    for (let j = 0; j < i; j++) {
      parts.push(`${quoteIdent(keys[j].name)} = ?`);
      values.push(keyLiteral(keys[j].codec, value[j]));
    }
    const last = i === keys.length - 1 && inclusiveLast ? `${op}=` : op;
    parts.push(`${quoteIdent(keys[i].name)} ${last} ?`);
    values.push(keyLiteral(keys[i].codec, value[i]));
    ors.push(parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`);
  }
  return { sql: ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`, values };
}

export interface RangeBounds {
  /** Exclusive lower bound; null = from the start. */
  after: KeyValue | null;
  /** Inclusive upper bound; null = to the end. */
  upTo: KeyValue | null;
}

export function chunkQuery(
  qualifiedTable: string,
  selectList: string,
  keys: KeyColumn[],
  bounds: RangeBounds,
  limit: number,
  /** A fixed condition ANDed in (a JobSpec key range, from rangeCondition). */
  filter: { sql: string; values: unknown[] } | null = null,
): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter) {
    where.push(filter.sql);
    values.push(...filter.values);
  }
  if (bounds.after) {
    const c = afterCondition(keys, bounds.after);
    where.push(c.sql);
    values.push(...c.values);
  }
  if (bounds.upTo) {
    const c = upToCondition(keys, bounds.upTo);
    where.push(c.sql);
    values.push(...c.values);
  }
  const order = keys.map((k) => quoteIdent(k.name)).join(', ');
  const sql =
    `SELECT ${selectList} FROM ${qualifiedTable}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${order} LIMIT ${Math.max(1, Math.floor(limit))}`;
  return { sql, values };
}
