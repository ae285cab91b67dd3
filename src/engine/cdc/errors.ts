/**
 * How a change stream can end. Retriable: the connection went away or stalled; the runner reconnects
 * from the committed position. Fatal: the position is gone from the source, or the stream met
 * something it must not pass over; the message says what to do.
 */
import { formatPosition } from './position.js';
import type { BinlogPosition } from './types.js';

export class StreamLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamLostError';
  }
}

export class StreamFatalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamFatalError';
  }
}

/** A row conflicts with another target row on a unique key that is not the row's own key. */
export class UniqueConflictError extends Error {
  constructor(
    readonly table: string,
    readonly keyName: string,
    message: string,
  ) {
    super(message);
    this.name = 'UniqueConflictError';
  }
}

interface DriverError {
  errno?: number;
  code?: string;
  message?: string;
}

/** Sorts a zongji/mysql2 error into lost (reconnect) or fatal (stop), with a message that names the fix. */
export function classifyStreamError(err: unknown, from: BinlogPosition | string, server: string): StreamLostError | StreamFatalError {
  const place = typeof from === 'string' ? from : formatPosition(from);
  const e = (err ?? {}) as DriverError;
  const text = e.message ?? String(err);
  if (e.errno === 1236) {
    const purged = /could not find first log|purged|not find.*GTID|binary log.*not available/i.test(text);
    if (purged || /position > file size|first log file name/i.test(text)) {
      return new StreamFatalError(
        `the binlog position ${place} is no longer on ${server}: its binlogs were purged (server says: ${text}). ` +
          'The changes since then cannot be replayed, and skipping ahead would lose them. Make a new full copy ' +
          '(rw-migrate copy ... --if-exists truncate --yes), then sync that job; keep binlogs longer on the source ' +
          '(binlog_expire_logs_seconds / expire_logs_days) than the time between syncs.',
      );
    }
    return new StreamFatalError(`${server} stopped sending its binlog at ${place}: ${text}`);
  }
  if (e.errno === 1945 || e.errno === 1955) {
    return new StreamFatalError(`${server} refused the GTID position (${text}); make a new full copy, then sync that job.`);
  }
  if (e.errno === 1045 || e.errno === 1227 || e.errno === 1142) {
    return new StreamFatalError(`${server} refused the binlog stream: ${text}. Grant REPLICATION SLAVE and BINLOG MONITOR (MySQL: REPLICATION CLIENT) to the source user.`);
  }
  if (err instanceof StreamLostError || err instanceof StreamFatalError) return err;
  return new StreamLostError(`binlog connection to ${server} lost: ${text}`);
}
