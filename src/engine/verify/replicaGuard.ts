/**
 * Repair never writes to a replica. A row written on a replica is an errant transaction: a GTID (or
 * a change) only the replica has, which stops replication when the primary later touches that row
 * and breaks a failover to it. An account with SUPER or READ_ONLY ADMIN bypasses read_only, so the
 * server refusing the write is not relied on: the repair target's own replication channels and
 * read_only are read before anything is written, whatever the caller says the server is.
 *
 * Why refuse rather than route through the primary: re-writing the differing rows on the primary
 * does not reach the replica in ROW format (an UPDATE to identical values logs no event), and a row
 * the replica lacks turns a row event into replication error 1032. What does work, pt-table-sync
 * --sync-to-master, re-runs REPLACE/DELETE statements on the primary in STATEMENT format so every
 * replica re-executes them; that needs the session binlog_format privilege and touches every
 * replica of that primary. The refusal names it and the plain fix (re-clone the replica).
 */
import type { Connection } from '../db/connection.js';
import { readWriteTargetRole, type WriteTargetRole } from '../topology/writeTarget.js';

export { readWriteTargetRole, type WriteTargetRole };

export class RepairRefusedError extends Error {
  readonly code = 'REPAIR_REFUSED';
}

const FIX =
  'Fix a replica from its primary instead: re-clone it from the primary (a fresh backup or copy of the primary), or, when ' +
  'the primary holds the right rows, run pt-table-sync --sync-to-master (or --replicate) against it, which re-writes the rows ' +
  'on the primary so replication carries them. To repair a migration target, make sure it replicates from no server and has ' +
  'read_only off.';

/**
 * Why `label` must not be repaired, or null when it may be. `declaredReplica`: the caller said the
 * target is a replica (verify --target-is-replica, Verify Against… a replica).
 */
export function repairRefusal(label: string, role: WriteTargetRole, declaredReplica = false): string | null {
  const why: string[] = [];
  if (role.channels.length) why.push(`it replicates from ${role.channels.map((c) => c.source).join(', ')}`);
  if (role.readOnly) why.push('read_only is ON');
  if (declaredReplica && !why.length) why.push('it was compared as a replica of the source');
  if (role.unknown !== undefined) {
    return (
      `Repair refused: could not check whether ${label} is a replica (${role.unknown.message}). Nothing was written. ` +
      'Grant the account SLAVE MONITOR (MariaDB 10.5+) or REPLICATION CLIENT (MySQL) so the check can run; a repair must never ' +
      'write to a replica.'
    );
  }
  if (!why.length) return null;
  return (
    `Repair refused: ${label} is a replica or read-only (${why.join('; ')}). Nothing was written. Writing the differing rows there ` +
    'would make errant transactions that break replication or a later failover (an admin account bypasses read_only, so the ' +
    `server would not stop it). ${FIX}`
  );
}

/** Throws RepairRefusedError unless the connected server may be written to. */
export async function assertRepairable(conn: Connection, label: string): Promise<void> {
  const why = repairRefusal(label, await readWriteTargetRole(conn));
  if (why) throw new RepairRefusedError(why);
}
