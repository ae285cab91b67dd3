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

export function chunkQuery(
  qualifiedTable: string,
  selectList: string,
  keys: KeyColumn[],
  bounds: RangeBounds,
  limit: number,
): { sql: string; values: unknown[] } {
  const { where, values } = rangeWhere(keys, bounds);
  const order = keys.map((k) => quoteIdent(k.name)).join(', ');
  const sql = `SELECT ${selectList} FROM ${qualifiedTable}${where} ORDER BY ${order} LIMIT ${Math.max(1, Math.floor(limit))}`;
  return { sql, values };
}
