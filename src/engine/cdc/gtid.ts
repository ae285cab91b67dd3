/**
 * MariaDB GTID positions for the change stream: what the job has applied, as the last transaction
 * per replication domain (`0-1-1234,1-3-45`, the form of @@gtid_binlog_pos and @slave_connect_state).
 * A file/position pair names a place in one server's binlog; a GTID position names the same
 * transactions on any server of the topology that logged them (a replica with log_slave_updates, a
 * promoted replica after a failover), so it is what a sync resumes from on another server.
 *
 * Sequence numbers are u64: kept as BigInt, never rounded through Number.
 */

export interface GtidEntry {
  domain: number;
  server: number;
  seq: bigint;
}

const ENTRY = /^\s*(\d+)-(\d+)-(\d+)\s*$/;

/** Parses '' or 'D-S-N[,D-S-N...]' into one entry per domain; throws on anything else. */
export function parseGtidPosition(text: string | null | undefined): Map<number, GtidEntry> {
  const out = new Map<number, GtidEntry>();
  for (const part of (text ?? '').split(',')) {
    if (part.trim() === '') continue;
    const m = ENTRY.exec(part);
    if (!m) throw new Error(`not a MariaDB GTID (domain-server-sequence): ${JSON.stringify(part.trim())}`);
    const e = { domain: Number(m[1]), server: Number(m[2]), seq: BigInt(m[3]) };
    if (out.has(e.domain)) throw new Error(`GTID position ${JSON.stringify(text)} names domain ${e.domain} twice`);
    out.set(e.domain, e);
  }
  return out;
}

export function formatGtidPosition(pos: Map<number, GtidEntry>): string {
  return [...pos.values()]
    .sort((a, b) => a.domain - b.domain)
    .map((e) => `${e.domain}-${e.server}-${e.seq}`)
    .join(',');
}

/**
 * The position after the transaction `gtid` committed: its domain's entry replaced (MariaDB's own
 * rule). A commit without a GTID leaves it as it is. A MySQL GTID (`uuid:N`, no resume by GTID from
 * MySQL yet) is kept as it comes: the last transaction, for the record.
 */
export function advanceGtidPosition(position: string | null, gtid: string | null | undefined): string | null {
  if (!gtid) return position;
  if (!ENTRY.test(gtid)) return gtid;
  let pos: Map<number, GtidEntry>;
  try {
    pos = parseGtidPosition(position);
  } catch {
    return gtid; // not a MariaDB position to extend
  }
  const [e] = parseGtidPosition(gtid).values();
  pos.set(e.domain, e);
  return formatGtidPosition(pos);
}

/** Both name the same last transaction in every domain. */
export function sameGtidPosition(a: string | null, b: string | null): boolean {
  return formatGtidPosition(parseGtidPosition(a)) === formatGtidPosition(parseGtidPosition(b));
}

/**
 * The entries of `position` a server has not logged, judged by its @@gtid_binlog_state (the last
 * sequence number per domain AND server id it has in its binlog). Empty: it holds every transaction
 * the position names, so streaming after it there skips nothing.
 */
export function uncoveredGtids(position: string, binlogState: string): string[] {
  const state = new Map<string, bigint>();
  for (const part of binlogState.split(',')) {
    const m = ENTRY.exec(part);
    if (m) state.set(`${m[1]}-${m[2]}`, BigInt(m[3]));
  }
  const out: string[] = [];
  for (const e of parseGtidPosition(position).values()) {
    const have = state.get(`${e.domain}-${e.server}`);
    if (have === undefined || have < e.seq) out.push(`${e.domain}-${e.server}-${e.seq}`);
  }
  return out;
}
