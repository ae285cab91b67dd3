/**
 * A target that replicates from another server, or has read_only set, is refused before anything is
 * written to it: an account with SUPER or READ_ONLY ADMIN bypasses read_only, and rows written there
 * become errant transactions that break replication later. Changes reach replicas through their
 * primary. Only an explicit, confirmed `allowReplicaTarget` lets a copy write there.
 */
import type { Connection } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import { NO_REPLICA_STATUS_PRIVILEGE, readWriteTargetRole } from '../topology/writeTarget.js';

export const REPLICA_TARGET_FIX =
  'Changes reach replicas through their primary: copy to the primary instead. To write to this server anyway (e.g. a replica being promoted), ' +
  'pass --allow-replica-target --yes (CLI) or confirm the warning in the editor.';

/** Why `conn`'s server must not be a copy target, or null when it may be. */
export async function replicaTargetProblems(conn: Connection, label: string): Promise<string[]> {
  const role = await readWriteTargetRole(conn);
  if (role.unknown) {
    if (role.unknown.code !== NO_REPLICA_STATUS_PRIVILEGE) throw role.unknown.error;
    return [`cannot tell whether the target ${label} replicates from another server: the account may not read its replica status (${role.unknown.message}); grant SLAVE MONITOR (MariaDB) or REPLICATION CLIENT (MySQL)`];
  }
  const out: string[] = [];
  for (const c of role.channels) {
    out.push(`the target ${label} is a replica: it replicates from ${c.source}${c.channel ? ` (channel ${c.channel})` : ''}`);
  }
  if (role.readOnly) out.push(`the target ${label} has read_only set (accounts with SUPER or READ_ONLY ADMIN would still write to it)`);
  return out;
}

export async function refuseReplicaTarget(conn: Connection, label: string, allowed: boolean): Promise<string[]> {
  const problems = await replicaTargetProblems(conn, label);
  if (problems.length === 0) return [];
  if (allowed) return problems;
  throw new RefusedError(`refused: ${problems[0]}. ${REPLICA_TARGET_FIX}`, [...problems, REPLICA_TARGET_FIX]);
}
