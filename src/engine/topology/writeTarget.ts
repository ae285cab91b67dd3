/**
 * Whether a server may be written to: its replication channels and read_only, read from the server
 * itself. An account with SUPER or READ_ONLY ADMIN bypasses read_only, so a write sent to a replica
 * would succeed and become an errant transaction: the copy, the sync, repair and range partitioning
 * all ask this one reader before they write, and word their own refusal.
 */
import type { Connection } from '../db/connection.js';
import { errorMessage } from '../db/errors.js';
import { readFacts, readReplication } from './topology.js';

export interface WriteTargetRole {
  /** Each channel the server replicates from (empty: it replicates from nothing). */
  channels: { source: string; channel: string }[];
  readOnly: boolean;
  /** Set when the server would not say (e.g. no privilege for its replica status); `error` is what it answered. */
  unknown?: { code: string | null; message: string; error: unknown };
}

/** The server error for "this account may not read its replica status" (SLAVE MONITOR / REPLICATION CLIENT missing). */
export const NO_REPLICA_STATUS_PRIVILEGE = 'ER_SPECIFIC_ACCESS_DENIED_ERROR';

export async function readWriteTargetRole(conn: Connection): Promise<WriteTargetRole> {
  try {
    const facts = await readFacts(conn);
    const channels = await readReplication(conn, facts);
    return { channels: channels.map((c) => ({ source: `${c.sourceHost}:${c.sourcePort}`, channel: c.channel })), readOnly: facts.readOnly };
  } catch (err) {
    return { channels: [], readOnly: false, unknown: { code: (err as { code?: string }).code ?? null, message: errorMessage(err), error: err } };
  }
}
