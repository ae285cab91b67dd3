/**
 * Read-your-writes by GTID, MaxScale's `causal_reads=local`: the GTID of this session's last write
 * comes back with the write's OK packet (session tracking, which mysql2 parses into
 * `result.stateChanges`), and a replica serves a later read only once it has applied that GTID.
 *
 * - MariaDB (verified on 10.11.19 in the sandbox): `session_track_system_variables` gets `last_gtid`,
 *   the OK packet carries `stateChanges.systemVariables.last_gtid` ('0-1-35'); an INSERT ... RETURNING
 *   answers with rows instead of an OK packet, so the GTID is then read from `@@last_gtid`.
 *   The replica waits with `MASTER_GTID_WAIT(gtid, timeout)`: 0 when applied, -1 on timeout.
 * - MySQL (documented, not tested here: MySQL cannot be installed on this machine): `session_track_gtids
 *   = OWN_GTID` fills `stateChanges.gtids`; the wait is `WAIT_FOR_EXECUTED_GTID_SET(set, timeout)`,
 *   0 when applied, 1 on timeout (https://dev.mysql.com/doc/refman/8.0/en/gtid-functions.html).
 */
import type { Connection } from '../db/connection.js';
import type { Flavor } from '../topology/types.js';

/** Session statements that make the server report the GTID of each write. */
export function trackingStatements(flavor: Flavor): string[] {
  return flavor === 'mariadb'
    ? ["SET SESSION session_track_system_variables = CONCAT_WS(',', NULLIF(@@session_track_system_variables, ''), 'last_gtid')"]
    : ['SET SESSION session_track_gtids = OWN_GTID'];
}

interface StateChanges {
  systemVariables?: Record<string, string>;
  gtids?: string[];
}

/** The GTID a write reported through session tracking, if any. */
export function trackedGtid(result: unknown): string | null {
  const changes = (result as { stateChanges?: StateChanges } | null)?.stateChanges;
  const mariadb = changes?.systemVariables?.last_gtid;
  if (mariadb) return mariadb;
  const mysql = changes?.gtids?.filter(Boolean);
  return mysql && mysql.length > 0 ? mysql.join(',') : null;
}

/** When the write answered with rows (RETURNING), ask the session for its last GTID. */
export async function askLastGtid(conn: Connection, flavor: Flavor): Promise<string | null> {
  // MySQL has no per-session last GTID variable: the whole executed set is a safe superset to wait for.
  const sql = flavor === 'mariadb' ? 'SELECT @@last_gtid AS g' : 'SELECT @@global.gtid_executed AS g';
  const [rows] = await conn.query(sql);
  const g = (rows as { g: string | null }[])[0]?.g;
  return g ? String(g) : null;
}

/** Waits until the replica has applied `gtid`; true when it has, false on timeout. */
export async function waitForGtid(conn: Connection, flavor: Flavor, gtid: string, timeoutSeconds: number): Promise<boolean> {
  const sql = flavor === 'mariadb' ? 'SELECT MASTER_GTID_WAIT(?, ?) AS r' : 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r';
  const [rows] = await conn.query(sql, [gtid, timeoutSeconds]);
  return Number((rows as { r: number | string | null }[])[0]?.r) === 0;
}
