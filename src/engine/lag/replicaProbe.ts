/**
 * The one replica lag probe: one per replica, each keeps its own connection (reconnecting after
 * errors, so a restarted replica recovers by itself) and never throws: a failure is a result
 * ("unreachable"). The source is SHOW REPLICA/SLAVE STATUS, or a heartbeat table for sub-second
 * precision; thread states always come from the status, because a stopped thread must be reported
 * even when the heartbeat looks fresh.
 *
 * The status bar (TopologyPoller) reads its ProbeResult; the throttler (throttler.ts) reads the same
 * probe through `throttleProbe()`, which turns a result into over/under one limit, so both judge a
 * replica by the same reading and the same classification (lagState.ts).
 */
import { connect, serverLabel, type Connection } from '../db/connection.js';
import type { ServerSpec } from '../db/server.js';
import type { ThrottleSignal } from '../jobs/types.js';
import { heartbeatAge, heartbeatReading, HEARTBEAT_TABLE, type WriterHistory } from './heartbeat.js';
import { classify, type ProbeResult } from './lagState.js';
import { qualified } from '../db/sql.js';
import { readFacts, readReplication } from '../topology/topology.js';
import { classifyError, connectServer } from '../topology/connect.js';
import type { LagProbe, ProbeReading } from './throttler.js';
import type { LagSource, LagThresholds, ReplicaStatus, ServerFacts, ServerRef } from '../topology/types.js';

export interface HeartbeatSource {
  database: string;
  /** server_id of the primary whose row we read. */
  primaryServerId: number;
  /** The writer's history when this process writes the heartbeat (see heartbeatLag). */
  recent?: () => WriterHistory;
  /** How long this session's first write may be outstanding before its age counts as lag (see heartbeatReading). */
  pendingLimitSeconds?: number;
  /** The writer's last error: while it fails, its rows go stale, so status lag is used instead. */
  writerError?: () => string | null;
}

export interface ReplicaLagProbe {
  readonly server: ServerRef;
  readonly source: LagSource;
  probe(): Promise<ProbeResult>;
  close(): Promise<void>;
}

/** The channel that matters most: a broken one first, else the most lagging. */
function worstChannel(channels: ReplicaStatus[]): ReplicaStatus {
  const broken = channels.find((c) => c.ioRunning !== 'yes' || !c.sqlRunning);
  if (broken) return broken;
  return channels.reduce((w, c) => ((c.secondsBehind ?? Infinity) > (w.secondsBehind ?? Infinity) ? c : w));
}

export class ReplicaProbe implements ReplicaLagProbe {
  private conn: Connection | null = null;
  private facts: ServerFacts | null = null;

  constructor(
    readonly server: ServerRef,
    private readonly heartbeat?: HeartbeatSource,
    /** Each query gets this long before the replica counts as unreachable. */
    private readonly timeoutMs = 5000,
    /** How to open the connection: a profile's server by default, or a job's ServerSpec (forSpec). */
    private readonly open: () => Promise<Connection> = () => connectServer(server),
  ) {}

  /** A probe for a job's replica (the copy and verify throttlers hold ServerSpecs, not profile refs). */
  static forSpec(spec: ServerSpec, heartbeat?: HeartbeatSource): ReplicaProbe {
    const ref: ServerRef = { name: serverLabel(spec), host: spec.host, port: spec.port, user: spec.user, password: spec.password };
    return new ReplicaProbe(ref, heartbeat, undefined, () => connect(spec));
  }

  get source(): LagSource {
    return this.heartbeat ? 'heartbeat' : 'replica-status';
  }

  private async connection(): Promise<Connection> {
    if (!this.conn) {
      this.conn = await this.open();
      this.facts = await readFacts(this.conn);
    }
    return this.conn;
  }

  async probe(): Promise<ProbeResult> {
    try {
      const conn = await this.connection();
      const channels = await readReplication(conn, this.facts as ServerFacts);
      if (channels.length === 0) {
        return { reachable: true, replicating: false, ioRunning: null, sqlRunning: null, lastIoError: '', lastSqlError: '', lagSeconds: null };
      }
      const ch = worstChannel(channels);
      let lagSeconds = ch.secondsBehind;
      let lagMeaning: ProbeResult['lagMeaning'];
      let lagSource: ProbeResult['lagSource'] = 'replica-status';
      const hb = this.heartbeat;
      if (hb && !hb.writerError?.()) {
        const rows = await conn.query({ sql: `SELECT ts FROM ${qualified(hb.database, HEARTBEAT_TABLE)} WHERE server_id = ?`, timeout: this.timeoutMs }, [hb.primaryServerId]);
        const first = (rows[0] as { ts: string }[])[0];
        if (first && (ch.ioRunning !== 'yes' || !ch.sqlRunning)) {
          // A stopped thread: no lag reading, but how long ago the last applied heartbeat was written.
          lagSeconds = heartbeatAge(first.ts, Date.now());
          lagMeaning = lagSeconds === null ? undefined : 'last-applied';
        } else if (first) {
          ({ lagSeconds, meaning: lagMeaning } = heartbeatReading(first.ts, Date.now(), hb.recent?.(), hb.pendingLimitSeconds));
          lagSource = 'heartbeat';
        }
      }
      return {
        reachable: true,
        replicating: true,
        ioRunning: ch.ioRunning,
        sqlRunning: ch.sqlRunning,
        lastIoError: ch.lastIoError,
        lastSqlError: ch.lastSqlError,
        lagSeconds,
        ...(lagMeaning ? { lagMeaning } : {}),
        lagSource,
        ...(lagSource === 'heartbeat' ? { statusLagSeconds: ch.secondsBehind } : {}),
      };
    } catch (err) {
      const info = classifyError(err, this.server);
      const c = this.conn;
      this.conn = null;
      c?.destroy();
      const reachable = info.kind !== 'unreachable';
      return { reachable, error: info.message, replicating: false, ioRunning: null, sqlRunning: null, lastIoError: '', lastSqlError: '', lagSeconds: null };
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await c.end().catch(() => c.destroy());
  }
}

/**
 * A lag over the limit reads "replica1: lag 3 s > 1 s" (whole seconds as plain numbers, a fraction
 * rounded up to tenths): the progress panel reads the number back from the reason (lagFromReason).
 */
function lagOverText(lagSeconds: number, limit: number): string {
  const shown = Number.isInteger(lagSeconds) ? lagSeconds : Math.ceil(lagSeconds * 10 - 1e-9) / 10;
  return `lag ${shown} s > ${limit} s`;
}

/**
 * The throttler's view of a replica probe: over the limit (with the reason) or not. The limit is
 * `thresholds.warnSeconds`: the copy waits from the first second a person would see a warning.
 */
export function throttleProbe(probe: ReplicaLagProbe, thresholds: Pick<LagThresholds, 'warnSeconds'>): LagProbe {
  const limit = thresholds.warnSeconds;
  return {
    name: probe.server.name,
    async read(): Promise<ProbeReading> {
      const result = await probe.probe();
      const { state, reason } = classify(result, { warnSeconds: limit, errorSeconds: limit });
      // Pending is ok for the status bar but not known to be under the limit: wait for the first heartbeat.
      const over = state !== 'ok' || result.lagMeaning === 'pending';
      // A stopped thread, an unreachable replica or no channel is the replica status speaking; a lag
      // reading is the heartbeat's when the probe read one, else Seconds_Behind_Master's.
      const healthy = result.reachable && !result.error && result.replicating && result.ioRunning === 'yes' && result.sqlRunning !== false;
      const signal: ThrottleSignal = healthy && result.lagSource === 'heartbeat' ? 'heartbeat' : 'replica-status';
      if (!over) return { over, value: result.lagSeconds, signal };
      const lag = result.lagSeconds;
      const why = healthy && !result.lagMeaning && lag !== null && lag > limit ? lagOverText(lag, limit) : reason;
      const sbm = signal === 'heartbeat' && result.statusLagSeconds !== undefined ? ` (Seconds_Behind_Master ${result.statusLagSeconds ?? 'NULL'})` : '';
      return { over, reason: `${probe.server.name}: ${signal === 'heartbeat' ? `heartbeat ${why}${sbm}` : why}`, value: lag, signal };
    },
    close: () => probe.close(),
  };
}
