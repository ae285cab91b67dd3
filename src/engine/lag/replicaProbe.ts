/**
 * Lag probes: one per replica, each keeps its own connection (reconnecting after errors, so a
 * restarted replica recovers by itself) and never throws: a failure is a result ("unreachable").
 * The source is SHOW REPLICA/SLAVE STATUS, or a heartbeat table for sub-second precision; thread
 * states always come from the status, because a stopped thread must be reported even when the
 * heartbeat looks fresh.
 *
 * `throttleProbe()` adapts a probe to the copy engine's LagProbe (src/engine/throttler.ts), so the
 * throttler can wait on heartbeat lag with the same thresholds the status bar shows.
 */
import type { Connection } from '../db/connection.js';
import { connect, serverLabel } from '../db/connection.js';
import type { ServerSpec, ThrottleSignal } from '../jobs/types.js';
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
  ) {}

  get source(): LagSource {
    return this.heartbeat ? 'heartbeat' : 'replica-status';
  }

  /** How this probe connects: a profile's server through the topology side (TLS modes, CA files). */
  protected open(): Promise<Connection> {
    return connectServer(this.server);
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
 * The copy engine's view of a probe: over the limit (with the reason and the signal that said so) or
 * not. A stopped thread, an unreachable replica or no channel is the replica status speaking; a lag
 * reading is the heartbeat's when the probe read one, else Seconds_Behind_Master's.
 */
export function throttleProbe(probe: ReplicaLagProbe, thresholds: LagThresholds): LagProbe {
  return {
    name: probe.server.name,
    async read(): Promise<ProbeReading> {
      const result = await probe.probe();
      const { state, reason } = classify(result, { warnSeconds: thresholds.warnSeconds, errorSeconds: thresholds.warnSeconds });
      // Pending is ok for the status bar but not known to be under the limit: wait for the first heartbeat.
      const over = state !== 'ok' || result.lagMeaning === 'pending';
      const statusTrouble = !result.reachable || !!result.error || !result.replicating || result.ioRunning !== 'yes' || result.sqlRunning === false;
      const signal: ThrottleSignal = !statusTrouble && result.lagSource === 'heartbeat' ? 'heartbeat' : 'replica-status';
      const sbm = signal === 'heartbeat' && result.statusLagSeconds !== undefined ? ` (Seconds_Behind_Master ${result.statusLagSeconds ?? 'NULL'})` : '';
      const what = signal === 'heartbeat' ? `heartbeat ${reason}${sbm}` : reason;
      return { over, reason: over ? `${probe.server.name}: ${what}` : undefined, value: result.lagSeconds, signal };
    },
    close: () => probe.close(),
  };
}

/** A ReplicaProbe for a copy's replica, connected with the job's own ServerSpec (TLS as the job has it). */
export class SpecReplicaProbe extends ReplicaProbe {
  constructor(
    private readonly spec: ServerSpec,
    heartbeat?: HeartbeatSource,
  ) {
    super({ name: serverLabel(spec), host: spec.host, port: spec.port, user: spec.user, password: spec.password }, heartbeat);
  }

  protected override open(): Promise<Connection> {
    return connect(this.spec);
  }
}
