/**
 * The partition map as data: validation (a map file is user-editable) and `partitionFor`, which
 * says which range holds a key. Pure: the query runner, the CLI and tests call it directly.
 */
import { rangeLabel, type PartitionMap, type PartitionRange } from './types.js';

const INTEGER = /^[-+]?\d+$/;

/** A key as BigInt, or null when it is not an integer (a string key, a float, an expression). */
export function integerKey(value: string | number | bigint): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  const s = value.trim();
  return INTEGER.test(s) ? BigInt(s) : null;
}

export function inRange(r: Pick<PartitionRange, 'from' | 'to'>, key: bigint): boolean {
  return (r.from === null || key >= BigInt(r.from)) && (r.to === null || key < BigInt(r.to));
}

/** Whether `name` (optionally `db.table`) names the map's table. */
export function isMapTable(map: PartitionMap, name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return name === map.table;
  return name.slice(dot + 1) === map.table;
}

/** The range holding `key` in `table`, or null when the table is not the map's or the key is no integer. */
export function partitionFor(map: PartitionMap, table: string, key: string | number | bigint): { index: number; range: PartitionRange } | null {
  if (!isMapTable(map, table)) return null;
  const k = integerKey(key);
  if (k === null) return null;
  const index = map.ranges.findIndex((r) => inRange(r, k));
  return index < 0 ? null : { index, range: map.ranges[index] };
}

/**
 * Problems that make a map unusable, each naming the fix: ranges must be sorted, contiguous, start
 * open and end open, so every key has exactly one home.
 */
export function mapProblems(value: unknown): string[] {
  const m = value as Partial<PartitionMap> | null;
  if (!m || typeof m !== 'object') return ['the map is not a JSON object'];
  const out: string[] = [];
  if (m.version !== 1) out.push(`version must be 1 (got ${JSON.stringify(m.version)})`);
  if (typeof m.table !== 'string' || !m.table) out.push('table is missing');
  if (typeof m.keyColumn !== 'string' || !m.keyColumn) out.push('keyColumn is missing');
  if (!m.source || typeof m.source.host !== 'string') out.push('source is missing');
  if (!Array.isArray(m.ranges) || m.ranges.length === 0) return [...out, 'ranges must be a non-empty array'];
  m.ranges.forEach((r, i) => {
    if (!r.target || typeof r.target.host !== 'string' || typeof r.target.database !== 'string') out.push(`range ${i}: target needs host, port, user and database`);
    for (const b of ['from', 'to'] as const) if (r[b] !== null && !(typeof r[b] === 'string' && INTEGER.test(r[b] as string))) out.push(`range ${i}: ${b} must be an integer string or null`);
  });
  if (out.length) return out;
  const rs = m.ranges;
  if (rs[0].from !== null) out.push(`range 0 must start open (from: null), got ${rangeLabel(rs[0])}`);
  if (rs[rs.length - 1].to !== null) out.push(`the last range must end open (to: null), got ${rangeLabel(rs[rs.length - 1])}`);
  for (let i = 1; i < rs.length; i++) {
    if (rs[i].from === null || rs[i - 1].to !== rs[i].from) out.push(`ranges ${i - 1} and ${i} must meet: ${rangeLabel(rs[i - 1])} then ${rangeLabel(rs[i])}`);
    else if (BigInt(rs[i].from as string) <= (rs[i - 1].from === null ? BigInt(rs[i].from as string) - 1n : BigInt(rs[i - 1].from as string)))
      out.push(`range ${i} is empty or out of order: ${rangeLabel(rs[i - 1])} then ${rangeLabel(rs[i])}`);
  }
  return out;
}

/**
 * Where the extension keeps a table's map, as path segments under a workspace folder:
 * `.rw-migrate/partitions/<profile>/<database>.<table>.json` (see mapFile.ts for why a file).
 */
export function mapFileSegments(profile: string, database: string, table: string): string[] {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return ['.rw-migrate', 'partitions', safe(profile), `${safe(database)}.${safe(table)}.json`];
}
