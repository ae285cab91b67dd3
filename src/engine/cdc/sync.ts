/**
 * Incremental sync of a copied job: apply every change since the job's last committed position
 * (at first the full copy's snapshot position) up to the source's position when the run started,
 * then stop. Run again later, it continues. The position is committed with each batch
 * (applier.ts), so a kill loses nothing and repeats nothing; a dropped connection or a restarted
 * source is reconnected from that position; a purged position, DDL on a captured table or a
 * unique-key conflict stop the run with their message and fix.
 */
import { closeQuietly, connect, serverLabel, type Connection } from '../db/connection.js';
import { CancelledError, RefusedError } from '../db/errors.js';
import { jobTables } from '../jobs/checkpoint.js';
import { loadJob, withPasswords, type Passwords } from '../copy/jobControl.js';
import type { ServerSpec } from '../db/server.js';
import { inspectTable } from '../schema/inspector.js';
import { binlogPreflight } from '../preflight/binlog.js';
import { ChangeApplier } from './applier.js';
import { applyLine, type ApplyMethod } from './replay/replayer.js';
import { ChangeFollower } from './follower.js';
import { comparePositions, formatPosition } from './position.js';
import { continueFrom, ensureCdcSchema, loadCdcState, savePosition, setCdcOutcome } from './positionStore.js';
import { binlogServerKey, chooseResumePoint } from './resumePoint.js';
import { sourcePosition } from './stream.js';
import type { BinlogPosition, SyncEvent, SyncResult } from './types.js';

/** Why another server to follow (SyncOptions.source) is refused for an incremental job; the CLI and the worker name the option first. */
export const FOLLOW_OTHER_SERVER_BINLOG_ONLY = 'applies to a binlog sync; an incremental job reads its own source by watermark';

export interface SyncOptions {
  /**
   * Follow this server instead of the job's source (after a failover: the promoted replica). Where
   * the position was recorded on another server, the sync finds its place by GTID (resumePoint.ts).
   * Its password comes from `pw.source`.
   */
  source?: ServerSpec;
  onEvent?(e: SyncEvent): void;
  /** No event for this long while the source's binlog moved on = a stalled stream (default 30 s). */
  stallMs?: number;
  /** Keep reconnecting for this long without progress before failing (default 120 s). */
  reconnectForMs?: number;
  /** Row events per target transaction, at most (default 5,000; whole source transactions). */
  batchEvents?: number;
  /** Stream items read ahead of the applier (default 50,000). */
  bufferEvents?: number;
  /** How batches reach the target: BINLOG statements where possible (auto, default), always (binlog), or SQL. */
  apply?: ApplyMethod;
}

export interface SyncHandle {
  cancel(): void;
  readonly done: Promise<SyncResult>;
}

export function syncJob(target: ServerSpec, jobId: string, pw: Passwords, opts: SyncOptions = {}): SyncHandle {
  const run = new SyncRun(target, jobId, pw, opts);
  return { cancel: () => run.cancel(), done: run.run() };
}

class SyncRun {
  private cancelled = false;
  private follower: ChangeFollower | null = null;
  private readonly started = performance.now();
  private events = 0;
  private transactions = 0;
  private reconnects = 0;
  private applied: BinlogPosition | null = null;
  /** The job's GTID position at `applied`. */
  private appliedGtid: string | null = null;
  /** Until the first batch commits on this server: the stream starts after `appliedGtid`. */
  private byGtid = false;
  private stopAt: BinlogPosition | null = null;
  private lastProgress = 0;

  constructor(
    private readonly targetSpec: ServerSpec,
    private readonly jobId: string,
    private readonly pw: Passwords,
    private readonly opts: SyncOptions,
  ) {}

  cancel(): void {
    this.cancelled = true;
    this.follower?.cancel();
  }

  private emit(e: SyncEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a listener's bug must not fail the sync
    }
  }

  private result(state: SyncResult['state'], message?: string, details?: string[]): SyncResult {
    return {
      jobId: this.jobId,
      state,
      events: this.events,
      transactions: this.transactions,
      seconds: (performance.now() - this.started) / 1000,
      position: this.applied,
      stopAt: this.stopAt,
      reconnects: this.reconnects,
      message,
      details,
    };
  }

  async run(): Promise<SyncResult> {
    let source: Connection | null = null;
    let target: Connection | null = null;
    let applier: ChangeApplier | null = null;
    try {
      const targetSpec = { ...this.targetSpec, password: this.pw.target ?? this.targetSpec.password };
      const job = await loadJob(targetSpec, this.jobId);
      if (!job) throw new RefusedError(`job ${this.jobId} not found in rw_migrate on ${serverLabel(targetSpec)}`);
      if (job.state !== 'done') {
        throw new RefusedError(`job ${this.jobId} is ${job.state}: its full copy must finish before changes can be applied. Fix: rw-migrate resume ${this.jobId}, then sync.`);
      }
      const spec = withPasswords(job.spec, { ...this.pw, target: targetSpec.password });
      const copiedFrom = spec.source;
      if (this.opts.source) spec.source = { ...this.opts.source, password: this.pw.source ?? this.opts.source.password };
      source = await connect(spec.source);
      target = await connect(spec.target);
      const tables = spec.tables === 'all' ? (await jobTables(target, this.jobId)).map((t) => t.table) : spec.tables;
      const pre = await binlogPreflight({
        source,
        sourceSpec: spec.source,
        target,
        targetSpec: spec.target,
        database: spec.sourceDatabase,
        tables,
        jobId: this.jobId,
      });
      for (const n of pre.notes) this.emit({ type: 'sync-log', jobId: this.jobId, level: 'warn', message: n });
      await ensureCdcSchema(target);
      const state = await loadCdcState(target, this.jobId);
      const snap = job.snapshot;
      const recorded = continueFrom(this.jobId, state, snap, 'make a new full copy with the binlog on.');
      const stopAt = await sourcePosition(source);
      if (!stopAt) throw new RefusedError(`source ${serverLabel(spec.source)} reports no binlog position (SHOW MASTER STATUS is empty).`);
      const key = await binlogServerKey(source);
      this.stopAt = { ...stopAt, server: key };
      const resume = await chooseResumePoint({
        source,
        label: serverLabel(spec.source),
        key,
        recorded,
        // A row without a GTID (kept before GTIDs were) still at the snapshot's place has the snapshot's.
        gtid: state?.gtid ?? (!state || (state.position.file === snap.binlogFile && state.position.position === snap.binlogPosition) ? snap.gtidBinlogPos : null),
        sameAddress: spec.source.host === copiedFrom.host && spec.source.port === copiedFrom.port,
        flavor: pre.flavor,
        stopAt,
      });
      const from = resume.from;
      this.applied = from;
      this.appliedGtid = resume.gtid;
      this.byGtid = resume.byGtid;
      if (resume.note) this.emit({ type: 'sync-log', jobId: this.jobId, level: 'info', message: resume.note });
      const targetInfos = [];
      for (const t of tables) targetInfos.push(await inspectTable(target, spec.targetDatabase, t));
      applier = await ChangeApplier.open(spec.target, spec.targetDatabase, this.jobId, targetInfos, {
        method: this.opts.apply,
        sourceTables: pre.sourceTables,
        sourceFlavor: pre.flavor,
      });
      this.emit({ type: 'sync-log', jobId: this.jobId, level: 'info', message: applyLine(applier) });
      // Not needed while streaming; closed now so a link that stalls later cannot hold it open.
      await closeQuietly(source);
      source.destroy();
      source = null;
      this.emit({ type: 'sync-start', jobId: this.jobId, from, stopAt });
      if (resume.upToDate) {
        // Already at the stop point by GTID: the place is recorded on this server from now on.
        await savePosition(target, this.jobId, from, resume.gtid, 0, 0);
      } else if (comparePositions(from, stopAt) < 0) {
        await this.follow(applier, spec.source, spec.sourceDatabase, tables, pre.serverId, this.stopAt);
      } else if (!state) {
        await savePosition(target, this.jobId, from, resume.gtid, 0, 0);
      }
      await setCdcOutcome(target, this.jobId, 'done', null);
      return this.result('done', `applied ${this.events} row events in ${this.transactions} transactions up to ${formatPosition(this.applied)}`);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const state: SyncResult['state'] = e instanceof RefusedError ? 'refused' : e instanceof CancelledError ? 'cancelled' : 'failed';
      if (target && state !== 'refused') await setCdcOutcome(target, this.jobId, state === 'failed' ? 'stopped' : state, e.message).catch(() => undefined);
      return this.result(state, e.message, e instanceof RefusedError ? e.details : undefined);
    } finally {
      await applier?.close();
      await closeQuietly(source);
      source?.destroy();
      await closeQuietly(target);
    }
  }

  private progress(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < 1_000) return;
    this.lastProgress = now;
    const seconds = (now - this.started) / 1000;
    this.emit({
      type: 'sync-progress',
      jobId: this.jobId,
      events: this.events,
      transactions: this.transactions,
      eventsPerSecond: seconds > 0 ? Math.round(this.events / seconds) : 0,
      position: this.applied as BinlogPosition,
    });
  }

  /** Streams and applies until the committed position reaches `stopAt` (follower.ts), reconnecting when the stream is lost. */
  private async follow(applier: ChangeApplier, source: ServerSpec, database: string, tables: string[], serverId: number, stopAt: BinlogPosition): Promise<void> {
    const follower = new ChangeFollower(applier, this.applied as BinlogPosition, {
      gtid: this.appliedGtid,
      byGtid: this.byGtid,
      source,
      database,
      tables,
      serverId,
      stallMs: this.opts.stallMs,
      reconnectForMs: this.opts.reconnectForMs,
      batchEvents: this.opts.batchEvents,
      bufferEvents: this.opts.bufferEvents,
      onApplied: () => {
        this.sync(follower);
        this.progress();
      },
      onWarn: (message) => this.emit({ type: 'sync-log', jobId: this.jobId, level: 'warn', message }),
    });
    follower.setStop(stopAt);
    this.follower = follower;
    if (this.cancelled) follower.cancel();
    try {
      await follower.run();
    } finally {
      this.sync(follower);
      this.follower = null;
    }
    this.progress(true);
  }

  private sync(f: ChangeFollower): void {
    this.events = f.events;
    this.transactions = f.transactions;
    this.reconnects = f.reconnects;
    this.applied = f.applied;
    this.appliedGtid = f.appliedGtid;
    this.byGtid = f.byGtid;
  }
}
