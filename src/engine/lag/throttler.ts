/**
 * Throttler: before each chunk, asks every probe whether the servers can take more; while any says
 * no, the copy waits and reports why. A LagProbe is the throttler's one question ("over the limit?");
 * replica lag is answered by the same ReplicaProbe the status bar reads (replicaProbe.ts, through
 * throttleProbe), load by Threads_running on a writer.
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect, queryRows, serverLabel } from '../db/connection.js';
import type { ServerSpec } from '../db/server.js';
import type { ThrottleSignal, ThrottleState } from '../jobs/types.js';
import { ReplicaProbe, throttleProbe } from './replicaProbe.js';

export interface ProbeReading {
  /** Null when the probe has no opinion (not measurable right now is an `over` with a reason). */
  over: boolean;
  reason?: string;
  value?: number | null;
  /** Which signal said `over` (heartbeat, replica status, the target's threads running). */
  signal?: ThrottleSignal;
}

/** The throttler's one question to a server: may the copy go on? */
export interface LagProbe {
  readonly name: string;
  read(): Promise<ProbeReading>;
  close(): Promise<void>;
}

/**
 * A job's replica as a throttle gate: its replica status (lag, threads) against `maxLagSeconds`.
 * The name is kept for the callers; underneath it is the status bar's ReplicaProbe.
 */
export class SlaveStatusLagProbe implements LagProbe {
  private readonly gate: LagProbe;
  constructor(spec: ServerSpec, maxLagSeconds: number) {
    this.gate = throttleProbe(ReplicaProbe.forSpec(spec), { warnSeconds: maxLagSeconds });
  }

  get name(): string {
    return this.gate.name;
  }

  read(): Promise<ProbeReading> {
    return this.gate.read();
  }

  close(): Promise<void> {
    return this.gate.close();
  }
}

/** Load on a writer: over while Threads_running is above `maxLoad`. Reuses one connection, reconnecting after errors. */
export class ThreadsRunningProbe implements LagProbe {
  private conn: Connection | null = null;
  readonly name: string;

  constructor(
    private readonly spec: ServerSpec,
    private readonly maxLoad: number,
  ) {
    this.name = serverLabel(spec);
  }

  async read(): Promise<ProbeReading> {
    try {
      this.conn ??= await connect(this.spec);
      const rows = await queryRows(this.conn, "SHOW GLOBAL STATUS LIKE 'Threads_running'");
      const n = rows[0] ? Number(rows[0].Value) : 0;
      if (n > this.maxLoad) return { over: true, reason: `${this.name}: Threads_running ${n} > ${this.maxLoad}`, value: n, signal: 'threads_running' };
      return { over: false, value: n, signal: 'threads_running' };
    } catch (err) {
      const c = this.conn;
      this.conn = null;
      if (c) c.destroy();
      return { over: true, reason: `${this.name}: unreachable (${err instanceof Error ? err.message : String(err)})`, value: null, signal: 'threads_running' };
    }
  }

  async close(): Promise<void> {
    await closeQuietly(this.conn);
    this.conn = null;
  }
}

export class Throttler {
  private last: { at: number; state: ThrottleState } | null = null;
  private inFlight: Promise<ThrottleState> | null = null;

  constructor(
    private readonly probes: LagProbe[],
    /** Readings younger than this are reused: two writers ask at almost the same moment. */
    private readonly cacheMs = 100,
    private readonly pollMs = 500,
  ) {}

  async check(): Promise<ThrottleState> {
    if (this.probes.length === 0) return { throttled: false };
    if (this.last && performance.now() - this.last.at < this.cacheMs) return this.last.state;
    if (!this.inFlight) {
      this.inFlight = Promise.all(this.probes.map((p) => p.read()))
        .then((readings) => {
          const over = readings.filter((r) => r.over);
          const reasons = over.map((r) => r.reason ?? 'over limit');
          const signals = [...new Set(over.map((r) => r.signal).filter((x): x is ThrottleSignal => x !== undefined))];
          const state: ThrottleState = reasons.length ? { throttled: true, reason: reasons.join('; '), ...(signals.length ? { signals } : {}) } : { throttled: false };
          this.last = { at: performance.now(), state };
          return state;
        })
        .finally(() => {
          this.inFlight = null;
        });
    }
    return this.inFlight;
  }

  /** Waits until every probe is under its limit; `onChange` hears each change of state. */
  async waitClear(onChange: (s: ThrottleState) => void, cancelled: () => boolean): Promise<void> {
    let reported: string | null = null;
    for (;;) {
      const s = await this.check();
      const key = s.throttled ? (s.reason ?? '') : '';
      if (key !== (reported ?? '')) {
        onChange(s);
        reported = key;
      }
      if (!s.throttled || cancelled()) return;
      await new Promise((r) => setTimeout(r, this.pollMs));
      this.last = null;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.probes.map((p) => p.close()));
  }
}
