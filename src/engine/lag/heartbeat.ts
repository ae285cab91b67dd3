/**
 * A pt-heartbeat compatible heartbeat (table `heartbeat`, one row per primary server_id, `ts` as
 * 'YYYY-MM-DDTHH:MM:SS.ffffff' in UTC like `pt-heartbeat --utc`). Seconds_Behind_Master has 1 s
 * resolution and counts from an event's start; a timestamp written every few hundred ms and read
 * back on the replica gives the real delay to about the write interval.
 *
 * All timestamps come from the worker's clock (written and compared by the same process), so clock
 * skew between servers does not enter the measurement.
 */
import { quoteIdent, qualified } from '../db/sql.js';
import type { Connection } from '../db/connection.js';

export const HEARTBEAT_TABLE = 'heartbeat';

export function heartbeatDdl(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(database, HEARTBEAT_TABLE)} (
  ts varchar(26) NOT NULL,
  server_id int unsigned NOT NULL PRIMARY KEY,
  file varchar(255) DEFAULT NULL,
  position bigint unsigned DEFAULT NULL,
  relay_master_log_file varchar(255) DEFAULT NULL,
  exec_master_log_pos bigint unsigned DEFAULT NULL
) ENGINE=InnoDB`;
}

export function formatTs(epochMs: number): string {
  // Microseconds like pt-heartbeat; ours are whole milliseconds padded with zeros.
  return new Date(epochMs).toISOString().replace('Z', '000');
}

export function parseTs(ts: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(ms) ? null : ms + Number((m[3] ?? '0').padEnd(6, '0')) / 1000;
}

/** Creates the database, the table and this primary's row (replicated to every replica). */
export async function setupHeartbeat(conn: Connection, database: string, serverId: number): Promise<void> {
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)}`);
  await conn.query(heartbeatDdl(database));
  await conn.query(`INSERT IGNORE INTO ${qualified(database, HEARTBEAT_TABLE)} (ts, server_id) VALUES (?, ?)`, [formatTs(Date.now()), serverId]);
}

/** The writer's memory of what it wrote this session (see HeartbeatWriter.recent). */
export interface WriterHistory {
  /** Committed writes, oldest first (epoch ms, also the value of ts). */
  writes: readonly number[];
  /** True once writes older than the history window were dropped. */
  trimmed: boolean;
}

export interface HeartbeatReading {
  lagSeconds: number | null;
  /**
   * Unset for a lag reading. 'pending': the replica still shows a ts from before this session and
   * this session's first write is either not written yet or younger than the pending limit, so the
   * lag is unknown (an old ts only bounds it from above). 'at-least': that first write has been
   * outstanding longer than the limit; lagSeconds is its age, a lower bound of the real lag.
   */
  meaning?: 'pending' | 'at-least';
}

/** now - ts in seconds: how long ago the replica's last applied heartbeat was written. */
export function heartbeatAge(replicatedTs: string, nowMs: number): number | null {
  const seen = parseTs(replicatedTs);
  return seen === null ? null : Math.max(0, (nowMs - seen) / 1000);
}

/**
 * Lag from a replicated ts. With the writer's history the answer is the age of the oldest write the
 * replica has not applied yet (0 when it has the latest), which removes the up-to-one-interval bias
 * of plain `now - ts`. Without history (another process writes), `now - ts`.
 *
 * A ts older than this session's first write (a table left by an earlier session) says nothing
 * about the lag now: until the first write arrives the reading is 'pending', and once that write has
 * been waiting longer than `pendingLimitSeconds` its age is reported as a lower bound ('at-least'),
 * so a replica that really is behind still turns warning, then error.
 */
export function heartbeatReading(replicatedTs: string, nowMs: number, recent?: WriterHistory, pendingLimitSeconds = 1): HeartbeatReading {
  const seen = parseTs(replicatedTs);
  if (seen === null) return { lagSeconds: null };
  if (!recent) return { lagSeconds: Math.max(0, (nowMs - seen) / 1000) };
  const writes = recent.writes;
  // Nothing written this session yet: the replica's ts is from someone else's write.
  if (writes.length === 0) return { lagSeconds: null, meaning: 'pending' };
  // A ts older than a trimmed history: the unapplied write is gone from memory, fall back.
  if (recent.trimmed && seen < writes[0] - 1) return { lagSeconds: Math.max(0, (nowMs - seen) / 1000) };
  const next = writes.find((w) => w > seen + 0.5);
  if (next === undefined) return { lagSeconds: 0 };
  const age = Math.max(0, (nowMs - next) / 1000);
  if (next === writes[0] && !recent.trimmed) {
    // Even our first write is missing: the replica applied nothing of this session yet.
    return age > pendingLimitSeconds ? { lagSeconds: age, meaning: 'at-least' } : { lagSeconds: null, meaning: 'pending' };
  }
  return { lagSeconds: age };
}

/** Updates this primary's heartbeat row every `intervalMs`, remembering what it wrote and when. */
export class HeartbeatWriter {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly writes: number[] = [];
  private trimmed = false;
  lastError: string | null = null;

  constructor(
    private readonly connectPrimary: () => Promise<Connection>,
    private readonly database: string,
    private readonly serverId: number,
    private intervalMs: number,
  ) {}

  private conn: Connection | null = null;

  /** Committed writes, oldest first (epoch ms, also the value of ts). */
  get recent(): WriterHistory {
    return { writes: this.writes, trimmed: this.trimmed };
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      this.conn ??= await this.connectPrimary();
      const at = Date.now();
      await this.conn.query(`UPDATE ${qualified(this.database, HEARTBEAT_TABLE)} SET ts = ? WHERE server_id = ?`, [formatTs(at), this.serverId]);
      this.writes.push(at);
      // Fifteen minutes of history; beyond that "now - ts" is within one interval of the truth anyway.
      const cut = this.writes.findIndex((w) => w >= at - 15 * 60_000);
      if (cut > 0) {
        this.writes.splice(0, cut);
        this.trimmed = true;
      }
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.conn?.destroy();
      this.conn = null;
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.conn;
    this.conn = null;
    if (c) await c.end().catch(() => c.destroy());
  }
}
