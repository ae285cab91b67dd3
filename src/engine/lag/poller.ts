/**
 * Polls every replica of the active profile and pushes one LagUpdate per round (the status bar is
 * fed by the worker, rust-analyzer style). Each replica has its own loop so one unreachable host
 * (a connect timeout) never delays the others; after the first full round an update goes out
 * whenever any replica reports. With a heartbeat database, this process also writes the primary's
 * heartbeat row.
 */
import { HeartbeatWriter } from './heartbeat.js';
import { ReplicaProbe, type HeartbeatSource, type ReplicaLagProbe } from './replicaProbe.js';
import { classify, rollUp, type ProbeResult } from './lagState.js';
import { readFacts } from '../topology/topology.js';
import { connectServer } from '../topology/connect.js';
import type { LagUpdate, PollSession, ReplicaLag } from '../topology/types.js';


const HISTORY = 120;

interface Slot {
  probe: ReplicaLagProbe;
  last: ProbeResult | null;
  history: [number, number | null][];
  timer: NodeJS.Timeout | null;
}

export class TopologyPoller {
  private slots: Slot[] = [];
  private writer: HeartbeatWriter | null = null;
  private stopped = false;
  private intervalMs: number;

  constructor(
    private readonly session: PollSession,
    private readonly emit: (update: LagUpdate) => void,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.intervalMs = session.intervalMs;
  }

  async start(): Promise<void> {
    const heartbeat = await this.startHeartbeat();
    this.slots = this.session.replicas.map((server) => ({
      probe: new ReplicaProbe(server, heartbeat),
      last: null,
      history: [],
      timer: null,
    }));
    for (const slot of this.slots) void this.loop(slot);
  }

  /** The heartbeat needs the primary's server_id; if the primary is down, fall back to status lag. */
  private async startHeartbeat(): Promise<HeartbeatSource | undefined> {
    const hb = this.session.heartbeat;
    if (!hb) return undefined;
    try {
      const conn = await connectServer(this.session.primary);
      const facts = await readFacts(conn).finally(() => conn.end().catch(() => conn.destroy()));
      const writer = new HeartbeatWriter(() => connectServer(this.session.primary), hb.database, facts.serverId, hb.intervalMs);
      this.writer = writer;
      writer.start();
      return {
        database: hb.database,
        primaryServerId: facts.serverId,
        recent: () => writer.recent,
        writerError: () => writer.lastError,
        pendingLimitSeconds: this.session.thresholds.warnSeconds,
      };
    } catch (err) {
      this.log(`heartbeat disabled for ${this.session.profile}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async loop(slot: Slot): Promise<void> {
    slot.timer = null;
    if (this.stopped) return;
    const result = await slot.probe.probe();
    if (this.stopped) return;
    slot.last = result;
    slot.history.push([Date.now(), result.lagSeconds]);
    if (slot.history.length > HISTORY) slot.history.shift();
    if (this.slots.every((s) => s.last !== null)) this.emit(this.snapshot());
    slot.timer = setTimeout(() => void this.loop(slot), this.intervalMs);
  }

  snapshot(): LagUpdate {
    const replicas: ReplicaLag[] = this.slots.map((slot) => {
      const r = slot.last as ProbeResult;
      const { state, reason } = classify(r, this.session.thresholds);
      const s = slot.probe.server;
      return {
        name: s.name,
        host: s.host,
        port: s.port,
        state,
        reason,
        lagSeconds: r.lagSeconds,
        ...(r.lagMeaning ? { lagMeaning: r.lagMeaning } : {}),
        source: slot.probe.source,
        reachable: r.reachable,
        ioRunning: r.ioRunning,
        sqlRunning: r.sqlRunning,
        lastIoError: r.lastIoError,
        lastSqlError: r.lastSqlError,
        history: [...slot.history],
      };
    });
    return { profile: this.session.profile, at: Date.now(), ...rollUp(replicas), replicas };
  }

  /** Slower while the window is unfocused; the next round of each loop uses the new interval. */
  setInterval(intervalMs: number, heartbeatIntervalMs?: number): void {
    const faster = intervalMs < this.intervalMs;
    this.intervalMs = intervalMs;
    // Back in focus: probe now rather than at the end of the slow wait.
    if (faster) {
      for (const slot of this.slots) {
        if (!slot.timer) continue;
        clearTimeout(slot.timer);
        slot.timer = null;
        void this.loop(slot);
      }
    }
    if (heartbeatIntervalMs !== undefined) this.writer?.setInterval(heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots) if (slot.timer) clearTimeout(slot.timer);
    await Promise.all([...this.slots.map((s) => s.probe.close()), this.writer?.stop()]);
    this.slots = [];
    this.writer = null;
  }
}
