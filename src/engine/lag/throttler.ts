/**
 * Throttler: before each chunk, asks every probe whether the servers can take more; while any says
 * no, the copy waits and reports why. Lag sources are pluggable (LagProbe) so a heartbeat probe can
 * replace Seconds_Behind_Master, which has 1 s resolution and misleads on big transactions.
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect, queryRows, serverLabel } from '../db/connection.js';
import { readFacts, readReplication } from '../topology/topology.js';
import type { ServerFacts } from '../topology/types.js';
import type { ServerSpec, ThrottleSignal, ThrottleState } from '../jobs/types.js';

export interface ProbeReading {
  /** Null when the probe has no opinion (not measurable right now is an `over` with a reason). */
  over: boolean;
  reason?: string;
  value?: number | null;
  /** Which signal said `over` (heartbeat, replica status, the target's threads running). */
  signal?: ThrottleSignal;
}

export interface LagProbe {
  readonly name: string;
  read(): Promise<ProbeReading>;
  close(): Promise<void>;
}

/** Reuses one connection, reconnecting after errors (a restarted replica must not kill the copy). */
abstract class ConnectionProbe implements LagProbe {
  private conn: Connection | null = null;
  constructor(
    protected readonly spec: ServerSpec,
    readonly name: string,
  ) {}

  protected async connection(): Promise<Connection> {
    if (!this.conn) this.conn = await connect(this.spec);
    return this.conn;
  }

  /** The signal this probe reads (also the one an unreachable server counts against). */
  protected abstract readonly signal: ThrottleSignal;

  async read(): Promise<ProbeReading> {
    try {
      return { signal: this.signal, ...(await this.measure(await this.connection())) };
    } catch (err) {
      const c = this.conn;
      this.conn = null;
      if (c) c.destroy();
      return { over: true, reason: `${this.name}: unreachable (${err instanceof Error ? err.message : String(err)})`, value: null, signal: this.signal };
    }
  }

  protected abstract measure(conn: Connection): Promise<ProbeReading>;

  async close(): Promise<void> {
    await closeQuietly(this.conn);
    this.conn = null;
  }
}

export class SlaveStatusLagProbe extends ConnectionProbe {
  protected readonly signal = 'replica-status';

  constructor(
    spec: ServerSpec,
    private readonly maxLagSeconds: number,
  ) {
    super(spec, serverLabel(spec));
  }

  private facts: ServerFacts | undefined;

  protected async measure(conn: Connection): Promise<ProbeReading> {
    // Through the dialect module: MySQL 8 says SHOW REPLICA STATUS and Seconds_Behind_Source.
    this.facts ??= await readFacts(conn);
    const [r] = await readReplication(conn, this.facts);
    if (!r) return { over: true, reason: `${this.name}: not replicating (no replica status)`, value: null };
    if (!r.sqlRunning) return { over: true, reason: `${this.name}: replication SQL thread stopped`, value: null };
    if (r.ioRunning !== 'yes') return { over: true, reason: `${this.name}: replication IO thread stopped`, value: null };
    const lag = r.secondsBehind;
    if (lag === null) return { over: true, reason: `${this.name}: lag unknown`, value: null };
    if (lag > this.maxLagSeconds) return { over: true, reason: `${this.name}: lag ${lag} s > ${this.maxLagSeconds} s`, value: lag };
    return { over: false, value: lag };
  }
}

export class ThreadsRunningProbe extends ConnectionProbe {
  protected readonly signal = 'threads_running';

  constructor(
    spec: ServerSpec,
    private readonly maxLoad: number,
  ) {
    super(spec, serverLabel(spec));
  }

  protected async measure(conn: Connection): Promise<ProbeReading> {
    const rows = await queryRows(conn, "SHOW GLOBAL STATUS LIKE 'Threads_running'");
    const n = rows[0] ? Number(rows[0].Value) : 0;
    if (n > this.maxLoad) return { over: true, reason: `${this.name}: Threads_running ${n} > ${this.maxLoad}`, value: n };
    return { over: false, value: n };
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
