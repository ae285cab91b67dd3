/**
 * Run SQL follows the saved partition maps: before the primary/replica decision, a statement that
 * selects or writes by key on a split table goes to the server and database holding that key's
 * range, and a write that would land in the wrong range (or cannot be placed in one range) is
 * refused before anything runs. Statements the maps do not place fall through to the usual routing.
 *
 * Pure: the decision (which map, which range, which server with which credentials) is made here;
 * runSql opens the connection. Only maps in state `split` route: a `planned` map was never run and
 * after a `merged` one the rows are back in one table.
 */
import { rangeLabel, routeStatementByMap, targetLabel, type PartitionMap, type PartitionTarget } from '../partition/index.js';
import type { ServerRef } from '../topology/types.js';
import { tokenize } from '../sqltext/lexer.js';

/** The saved maps of the profile, and the profile servers (with their passwords) that can reach the targets. */
export interface PartitionRouting {
  maps: PartitionMap[];
  /** Matched to a map target by host:port; a server without a password does not count. */
  servers: ServerRef[];
}

export type MapDecision =
  | { kind: 'none' }
  /** `server` carries the target's credentials; `sql` is the statement to run there (database qualifier rewritten). */
  | { kind: 'routed'; map: PartitionMap; range: number; target: PartitionTarget; server: ServerRef; sql: string; reason: string }
  | { kind: 'refused'; message: string };

const tableOf = (map: PartitionMap) => `${map.source.database}.${map.table}`;
const sameTarget = (a: PartitionTarget, b: PartitionTarget) => a.host === b.host && a.port === b.port && a.database === b.database;

/** `db.table` names of the map's table in the statement: [offset range of the qualifier, database]. */
function qualifiers(sql: string, map: PartitionMap): { start: number; end: number; database: string }[] {
  const tokens = tokenize(sql).tokens;
  const isName = (i: number) => tokens[i]?.kind === 'word' || tokens[i]?.kind === 'quoted';
  const bare = (i: number) => tokens[i].text.replace(/^`|`$/g, '').replace(/``/g, '`');
  const out: { start: number; end: number; database: string }[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (!isName(i) || tokens[i + 1].text !== '.' || !isName(i + 2) || tokens[i - 1]?.text === '.') continue;
    if (bare(i + 2) === map.table) out.push({ start: tokens[i].start, end: tokens[i].end, database: bare(i) });
  }
  return out;
}

/**
 * On the target, `db.table` must name the range's database: the source database does not exist
 * there (or still holds the unsplit table), and another range's database holds other keys. So a
 * qualifier naming the source or any range's database becomes the range's database; other names stay.
 */
export function requalify(sql: string, map: PartitionMap, database: string): string {
  const known = new Set([map.source.database, ...map.ranges.map((r) => r.target.database)]);
  let out = '';
  let at = 0;
  for (const q of qualifiers(sql, map)) {
    if (!known.has(q.database)) continue;
    out += sql.slice(at, q.start) + '`' + database.replace(/`/g, '``') + '`';
    at = q.end;
  }
  return out + sql.slice(at);
}

/** A write that names one range's database (`shard0.items`) means that range: a key elsewhere is refused. */
function intendedTarget(sql: string, map: PartitionMap): PartitionTarget | undefined {
  for (const q of qualifiers(sql, map)) {
    const r = map.ranges.find((x) => x.target.database === q.database);
    if (r) return r.target;
  }
  return undefined;
}

/** Where the maps send one statement (its text as classified: a single statement). */
export function decideByMaps(routing: PartitionRouting, sql: string): MapDecision {
  let routed: Extract<MapDecision, { kind: 'routed' }> | null = null;
  for (const map of routing.maps) {
    if (map.state !== 'split') continue;
    const [route] = routeStatementByMap(map, sql, intendedTarget(sql, map));
    if (!route || route.kind === 'unrouted') continue;
    if (route.kind === 'refused') return { kind: 'refused', message: `partition map ${tableOf(map)}: ${route.message}` };
    const target = route.target;
    const where = `key range ${rangeLabel(map.ranges[route.range])} lives on ${targetLabel(target)}`;
    if (routed && !sameTarget(routed.target, target)) {
      return { kind: 'refused', message: `partition maps ${tableOf(routed.map)} and ${tableOf(map)}: the statement's rows live on ${targetLabel(routed.target)} and ${targetLabel(target)}; one statement runs on one server: split it` };
    }
    // The password belongs to the profile server's user: prefer the map's user, else any with a password.
    const reachable = routing.servers.filter((s) => s.host === target.host && s.port === target.port && s.password !== undefined);
    const server = reachable.find((s) => s.user === target.user) ?? reachable[0];
    if (!server) {
      return {
        kind: 'refused',
        message: `partition map ${tableOf(map)}: ${where}, but no profile server at ${target.host}:${target.port} has a stored password: add that server to a profile (rwMigrate.profiles) and set its password (RW Migrate: Set Password), then run again`,
      };
    }
    const text: string = routed ? routed.sql : sql;
    routed = { kind: 'routed', map, range: route.range, target, server, sql: requalify(text, map, target.database), reason: `partition map ${tableOf(map)}: ${where}` };
  }
  return routed ?? { kind: 'none' };
}
