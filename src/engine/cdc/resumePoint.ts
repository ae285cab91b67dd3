/**
 * Where a sync starts on the server it follows now. A file/position pair is only meaningful on the
 * server that wrote it; after a failover (a replica promoted, with log_slave_updates) the same
 * transactions sit in other files under other offsets, and a purged file cannot be read at all. In
 * both cases the job's GTID position still names the place: the stream starts by GTID and MariaDB
 * finds the first transaction after it. It is used only when the server holds every transaction the
 * position names (never skip ahead); otherwise the sync is refused with what to do.
 */
import { queryRows, type Connection } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import { sameGtidPosition, uncoveredGtids } from './gtid.js';
import { formatPosition } from './position.js';
import type { BinlogPosition } from './types.js';

export interface ResumePoint {
  /**
   * Where the stream starts on this server. By GTID: the server's oldest binlog at offset 4, a floor
   * until the stream reports where the server put it (positions on this server only ever move up).
   */
  from: BinlogPosition;
  /** The job's GTID position at `from` (null: none recorded). */
  gtid: string | null;
  /** Start after `gtid` instead of at `from`'s file and offset. */
  byGtid: boolean;
  /** Everything up to `stopAt` is already applied: record `from` (on this server) and stop. */
  upToDate: boolean;
  /** Why the position changed server or mode, for the log. */
  note: string | null;
}

/** Names a server's binlog: its server id and the binlog's base name (`1/primary-bin`). */
export async function binlogServerKey(conn: Connection): Promise<string> {
  const [r] = await queryRows(conn, 'SELECT @@server_id AS id, @@log_bin_basename AS base');
  const base = r.base === null || r.base === undefined ? '' : String(r.base).split(/[\\/]/).pop();
  return `${String(r.id)}/${base}`;
}

/** The source's binlog file names, oldest first; null when the account may not list them. */
async function binaryLogs(conn: Connection): Promise<string[] | null> {
  try {
    return (await queryRows(conn, 'SHOW BINARY LOGS')).map((r) => String(r.Log_name));
  } catch {
    return null;
  }
}

export interface ResumeInput {
  source: Connection;
  /** The source as people name it (host:port). */
  label: string;
  /** binlogServerKey(source). */
  key: string;
  /** The committed (or the snapshot's) position and the server it was recorded on, when known. */
  recorded: BinlogPosition;
  /** The job's GTID position at `recorded`. */
  gtid: string | null;
  /** Without a recorded server: whether the source is the address the job copied from. */
  sameAddress: boolean;
  flavor: 'mariadb' | 'mysql';
  /** The source's position now: the run's end. */
  stopAt: BinlogPosition;
}

export async function chooseResumePoint(input: ResumeInput): Promise<ResumePoint> {
  const { source, label, key, recorded, gtid, stopAt } = input;
  const sameServer = recorded.server !== undefined ? recorded.server === key : input.sameAddress;
  const logs = await binaryLogs(source);
  const fileThere = logs === null || logs.includes(recorded.file);
  if (sameServer && fileThere) return { from: { file: recorded.file, position: recorded.position, server: key }, gtid, byGtid: false, upToDate: false, note: null };

  const why = sameServer
    ? `binlog ${recorded.file} is no longer on ${label} (purged)`
    : `the position ${formatPosition(recorded)} was recorded on another server (${recorded.server ?? "the job's source"}), not on ${label} (${key})`;
  if (!gtid) {
    throw new RefusedError(
      `${why}, and the job has no GTID position to find its place there by. Nothing was written. ` +
        'Fix: sync from the server the position was recorded on, or make a new full copy.',
    );
  }
  if (input.flavor !== 'mariadb') {
    throw new RefusedError(`${why}; resuming by GTID is supported with MariaDB sources only. Nothing was written. Fix: sync from the server the position was recorded on.`);
  }
  if (!sameServer) {
    const [st] = await queryRows(source, 'SELECT @@GLOBAL.gtid_binlog_state AS s');
    const state = String(st.s ?? '');
    const missing = uncoveredGtids(gtid, state);
    if (missing.length > 0) {
      throw new RefusedError(
        `${label} has not logged ${missing.length === 1 ? 'transaction' : 'transactions'} ${missing.join(', ')}, which the job already applied ` +
          `(its binlog holds ${state || 'no GTIDs'}): it is behind the server the job followed, does not log replicated transactions ` +
          '(log_slave_updates=OFF), or has a different history. Streaming from it could skip changes, so nothing was written. ' +
          'Fix: wait until it has caught up and sync again, or sync from a server that has these transactions.',
      );
    }
  }
  const [at] = await queryRows(source, 'SELECT BINLOG_GTID_POS(?, ?) AS g', [stopAt.file, stopAt.position]);
  const note = `${why}: following ${label} from GTID ${gtid}`;
  if (at.g !== null && sameGtidPosition(gtid, String(at.g))) {
    return { from: { file: stopAt.file, position: stopAt.position, server: key }, gtid, byGtid: false, upToDate: true, note };
  }
  return { from: { file: logs?.[0] ?? stopAt.file, position: 4, server: key }, gtid, byGtid: true, upToDate: false, note };
}
