/**
 * Sends a statement on a partitioned table to the server that holds its key, or refuses a write
 * that would land in the wrong range. Pure: the query runner calls it before it picks a connection.
 *
 * What it understands (top level of the statement, via the comment- and string-aware lexer of
 * engine/sqlcheck): `key = N`, `N = key`, `key IN (N, ...)` and `key BETWEEN a AND b` among the
 * AND-ed conditions of WHERE; `SET key = N` in UPDATE; the key's value in each row of INSERT/REPLACE
 * ... VALUES (with or without a column list). Anything it cannot prove to sit in one range is not
 * guessed: a read is left unrouted (the caller decides, e.g. asks for a range), a write is refused.
 */
import type { Token } from '../sqltext/lexer.js';
import { findWord, isName, splitStatements, tableNameAt, type StatementSlice as Statement, isWord } from '../sqltext/statements.js';
import { inRange, integerKey, isMapTable } from './map.js';
import { rangeLabel, targetLabel, type PartitionMap, type PartitionRange, type PartitionTarget } from './types.js';

export type MapRoute =
  | { kind: 'routed'; range: number; target: PartitionTarget; reason: string }
  | { kind: 'refused'; message: string }
  | { kind: 'unrouted'; reason: string };

const WRITES = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE']);
const CLAUSE_END = new Set(['ORDER', 'LIMIT', 'GROUP', 'HAVING', 'FOR', 'LOCK', 'UNION', 'RETURNING', 'WINDOW', 'INTO']);

const sameTarget = (a: PartitionTarget, b: PartitionTarget) => a.host === b.host && a.port === b.port && a.database === b.database;

/** Whether the statement names the map's table anywhere (FROM, JOIN, INTO, UPDATE ...). */
function mentionsTable(map: PartitionMap, t: Token[]): boolean {
  for (let k = 0; k < t.length; k++) {
    if (t[k - 1]?.text === '.') continue; // the second half of a qualified name, seen from its first half
    const n = tableNameAt(t, k);
    const knownDb = n && (n.database === null || n.database === map.source.database || map.ranges.some((r) => r.target.database === n.database));
    if (n && knownDb && isMapTable(map, n.table)) return true;
  }
  return false;
}

/** `[qualifier.]key` at k: the index after it, or -1. */
function keyAt(map: PartitionMap, t: Token[], k: number): number {
  const a = t[k];
  if (!isName(a)) return -1;
  const b = t[k + 2];
  if (t[k + 1]?.text === '.' && isName(b)) {
    return b.value.toLowerCase() === map.keyColumn.toLowerCase() ? k + 3 : -1;
  }
  if (t[k - 1]?.text === '.') return -1;
  return a.value.toLowerCase() === map.keyColumn.toLowerCase() ? k + 1 : -1;
}

/** A literal integer at k (a number, or a quoted string of digits, with an optional sign). */
function literalAt(t: Token[], k: number): { value: bigint; next: number } | null {
  let sign = '';
  if (t[k]?.kind === 'punct' && (t[k].text === '-' || t[k].text === '+')) {
    sign = t[k].text;
    k++;
  }
  const tok = t[k];
  if (!tok || (tok.kind !== 'number' && tok.kind !== 'string')) return null;
  const v = integerKey(sign + tok.value);
  return v === null ? null : { value: v, next: k + 1 };
}

/**
 * The key values the WHERE pins the statement to, as a list of single keys or [lo, hi] spans; null
 * when no top-level AND-ed condition pins the key.
 */
function whereKeys(map: PartitionMap, t: Token[]): { keys: bigint[]; spans: [bigint, bigint][] } | null {
  const at = findWord(t, 'WHERE');
  if (at < 0) return null;
  let end = at + 1;
  while (end < t.length && !(t[end].depth === 0 && t[end].kind === 'word' && CLAUSE_END.has(t[end].upper))) end++;
  // An OR at the top level means the key alone does not bound the rows.
  for (let k = at + 1; k < end; k++) if (t[k].depth === 0 && (isWord(t[k], 'OR') || t[k].text === '||' || isWord(t[k], 'XOR'))) return null;
  for (let k = at + 1; k < end; k++) {
    if (t[k].depth !== 0) continue;
    const after = keyAt(map, t, k);
    if (after >= 0) {
      const op = t[after];
      if (op?.text === '=' || op?.text === '<=>') {
        const lit = literalAt(t, after + 1);
        if (lit && (lit.next >= end || t[lit.next].depth !== 0 || isWord(t[lit.next], 'AND') || t[lit.next].text === '&&')) return { keys: [lit.value], spans: [] };
      }
      if (isWord(op, 'IN') && t[after + 1]?.text === '(') {
        const keys: bigint[] = [];
        let j = after + 2;
        for (;;) {
          const lit = literalAt(t, j);
          if (!lit) break;
          keys.push(lit.value);
          if (t[lit.next]?.text === ',') j = lit.next + 1;
          else {
            if (t[lit.next]?.text === ')') return { keys, spans: [] };
            break;
          }
        }
      }
      if (isWord(op, 'BETWEEN')) {
        const lo = literalAt(t, after + 1);
        const hi = lo && isWord(t[lo.next], 'AND') ? literalAt(t, lo.next + 1) : null;
        if (lo && hi) return { keys: [], spans: [[lo.value, hi.value]] };
      }
    }
    // N = key
    const lit = literalAt(t, k);
    if (lit && t[lit.next]?.text === '=' && keyAt(map, t, lit.next + 1) >= 0 && (k === at + 1 || isWord(t[k - 1], 'AND'))) return { keys: [lit.value], spans: [] };
  }
  return null;
}

function rangesOf(map: PartitionMap, keys: bigint[], spans: [bigint, bigint][]): Set<number> {
  const hit = new Set<number>();
  for (const key of keys) hit.add(map.ranges.findIndex((r) => inRange(r, key)));
  for (const [lo, hi] of spans) {
    map.ranges.forEach((r, i) => {
      const startsBeforeHi = r.from === null || BigInt(r.from) <= hi;
      const endsAfterLo = r.to === null || BigInt(r.to) > lo;
      if (startsBeforeHi && endsAfterLo && lo <= hi) hit.add(i);
    });
  }
  return hit;
}

/** The key of each VALUES row of an INSERT/REPLACE, or a reason it cannot be known. */
function insertKeys(map: PartitionMap, t: Token[]): bigint[] | string {
  let k = 0;
  while (k < t.length && !(t[k].depth === 0 && (isWord(t[k], 'INTO') || tableNameAt(t, k)?.table === map.table))) k++;
  if (isWord(t[k], 'INTO')) k++;
  const name = tableNameAt(t, k);
  if (!name) return 'cannot find the table name';
  k = name.next;
  let ordinal = map.keyOrdinal;
  if (t[k]?.text === '(' && t[k].depth === 0) {
    const cols: string[] = [];
    for (k++; k < t.length && !(t[k].text === ')' && t[k].depth === 0); k++) if (isName(t[k])) cols.push(t[k].value.toLowerCase());
    k++;
    ordinal = cols.indexOf(map.keyColumn.toLowerCase());
    if (ordinal < 0) return `the column list has no ${map.keyColumn}, so the row's range is decided by the server (auto-increment)`;
  }
  if (isWord(t[k], 'SET')) {
    for (let j = k + 1; j < t.length; j++) {
      const after = t[j].depth === 0 ? keyAt(map, t, j) : -1;
      if (after >= 0 && t[after]?.text === '=') {
        const lit = literalAt(t, after + 1);
        return lit ? [lit.value] : `${map.keyColumn} is not a literal integer`;
      }
    }
    return `no ${map.keyColumn} in SET, so the row's range is decided by the server (auto-increment)`;
  }
  if (t[k]?.upper !== 'VALUES' && t[k]?.upper !== 'VALUE') return 'only INSERT ... VALUES and INSERT ... SET can be routed by key';
  const keys: bigint[] = [];
  for (k++; k < t.length; k++) {
    if (t[k].text !== '(' || t[k].depth !== 0) {
      if (t[k].text === ',' && t[k].depth === 0) continue;
      break;
    }
    // One row: split its top-level values (depth 1) by commas.
    let col = 0;
    let j = k + 1;
    let found: bigint | null | undefined;
    for (; j < t.length && !(t[j].text === ')' && t[j].depth === 0); j++) {
      if (t[j].depth === 1 && t[j].text === ',') {
        col++;
        continue;
      }
      if (col === ordinal && found === undefined) {
        const lit = literalAt(t, j);
        const next = lit ? t[lit.next] : undefined;
        found = lit && next && next.depth <= 1 && (next.text === ',' || next.text === ')') ? lit.value : null;
      }
    }
    if (found === undefined || found === null) return `row ${keys.length + 1}: ${map.keyColumn} is not a literal integer`;
    keys.push(found);
    k = j;
  }
  return keys.length ? keys : 'no VALUES rows found';
}

function routeOne(map: PartitionMap, stmt: Statement, intended?: PartitionTarget): MapRoute {
  const t = stmt.tokens;
  const verb = t.find((x) => x.kind === 'word')?.upper ?? '';
  if (!mentionsTable(map, t)) return { kind: 'unrouted', reason: `does not use ${map.table}` };
  const write = WRITES.has(verb);
  const decide = (hit: Set<number>, what: string): MapRoute => {
    if (hit.has(-1)) return write ? { kind: 'refused', message: `${what}: a key outside every range of the map` } : { kind: 'unrouted', reason: `${what}: a key outside every range` };
    if (hit.size !== 1) {
      const where = [...hit].map((i) => `${rangeLabel(map.ranges[i])} on ${targetLabel(map.ranges[i].target)}`).join(', ');
      return write
        ? { kind: 'refused', message: `${what} spans ${hit.size} ranges (${where}); split it into one statement per range` }
        : { kind: 'unrouted', reason: `${what} spans ${hit.size} ranges (${where})` };
    }
    const i = [...hit][0];
    const r: PartitionRange = map.ranges[i];
    if (write && intended && !sameTarget(intended, r.target)) {
      return { kind: 'refused', message: `${what} belongs to range ${rangeLabel(r)} on ${targetLabel(r.target)}, not on ${targetLabel(intended)}: refused so no row lands in the wrong range` };
    }
    return { kind: 'routed', range: i, target: r.target, reason: `${what} is in range ${rangeLabel(r)} on ${targetLabel(r.target)}` };
  };
  if (verb === 'INSERT' || verb === 'REPLACE') {
    const keys = insertKeys(map, t);
    if (typeof keys === 'string') return { kind: 'refused', message: `${verb} into ${map.table}: ${keys}` };
    return decide(rangesOf(map, keys, []), `${map.keyColumn} ${keys.length === 1 ? `= ${keys[0]}` : `in (${keys.join(', ')})`}`);
  }
  if (verb === 'UPDATE') {
    // Changing the key could move a row into another server's range.
    const set = findWord(t, 'SET');
    for (let k = set + 1; set >= 0 && k < t.length && t[k].upper !== 'WHERE'; k++) {
      const after = t[k].depth === 0 ? keyAt(map, t, k) : -1;
      if (after >= 0 && t[after]?.text === '=') {
        const w = whereKeys(map, t);
        const lit = literalAt(t, after + 1);
        if (!lit || !w) return { kind: 'refused', message: `UPDATE of ${map.keyColumn} may move rows between ranges: refused` };
        const before = rangesOf(map, w.keys, w.spans);
        const afterHit = rangesOf(map, [lit.value], []);
        if ([...before].some((i) => !afterHit.has(i))) return { kind: 'refused', message: `UPDATE sets ${map.keyColumn} = ${lit.value}, which belongs to another range than the rows it changes: refused` };
      }
    }
  }
  const w = whereKeys(map, t);
  if (!w) {
    return write
      ? { kind: 'refused', message: `${verb} on ${map.table} without ${map.keyColumn} = N (or IN/BETWEEN) in WHERE would touch every range; run it per range` }
      : { kind: 'unrouted', reason: `no ${map.keyColumn} = N in WHERE: the rows may be in any range` };
  }
  const what = w.keys.length ? `${map.keyColumn} ${w.keys.length === 1 ? `= ${w.keys[0]}` : `in (${w.keys.join(', ')})`}` : `${map.keyColumn} between ${w.spans[0][0]} and ${w.spans[0][1]}`;
  return decide(rangesOf(map, w.keys, w.spans), what);
}

/**
 * One decision per statement of `sql`. `intended`: the server and database the caller is about to
 * run it on, if chosen already: a write whose key lives elsewhere is refused.
 */
export function routeStatementByMap(map: PartitionMap, sql: string, intended?: PartitionTarget): MapRoute[] {
  return splitStatements(sql).statements.map((s) => routeOne(map, s, intended));
}
