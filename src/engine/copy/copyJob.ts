/**
 * Migrator: runs one job. plan -> schema -> snapshot -> pipelined copy (one reader reading ahead,
 * N writers loading in parallel and committing in order) -> keyless tables -> finish.
 */
import { jobHandle } from '../jobs/handle.js';
import { RunGate } from '../jobs/runGate.js';
import type { Connection } from '../db/connection.js';
import { closeQuietly, serverLabel } from '../db/connection.js';
import { ConnectionFailedError, connectAs, serverName } from './connectRole.js';
import { refuseReplicaTarget } from './targetGuard.js';
import {
  addJobTable,
  committedChunks,
  copiedTotals,
  createJob,
  ensureCheckpointSchema,
  jobTables,
  markTableDone,
  missingRange,
  recordSnapshot,
  setJobState,
} from '../jobs/checkpoint.js';
import { rangeCondition, type KeyValue } from '../db/keyset.js';
import { ChunkSizer } from './chunkSizer.js';
import { Writer } from './applier.js';
import { CancelledError, RefusedError, errorMessage } from '../db/errors.js';
import { planTables, resolveTables, type TablePlan } from './planner.js';
import { ProgressTracker, newJobId } from '../jobs/progress.js';
import { BoundedQueue } from './queue.js';
import { selfCheck } from './selfCheck.js';
import { SnapshotReader, TableShape, type ReadChunk } from './reader.js';
import { createTable, createdMessage, ensureDatabase } from '../schema/schema.js';
import { memoryTrace, type MemoryTrace } from './memoryTrace.js';
import { addDeferredKeys, deferredKeysOf, recordDeferredKeys, referencedColumns, splitDeferrableKeys } from '../schema/deferredKeys.js';
import { CommitSequencer } from './sequencer.js';
import { retryEvent, type RetryNotice } from './retry.js';
import { commitChunk, type ChunkCommitContext } from './chunkCommit.js';
import type { Throttler, LagProbe } from '../lag/throttler.js';
import { jobThrottler, waitUnthrottled } from './jobThrottle.js';
import { CopyHeartbeat } from './copyHeartbeat.js';
import type { JobEvents, JobHandle, JobResult, JobSpec, JobState, ProgressEvent, SnapshotPosition } from '../jobs/types.js';

export interface StartOptions {
  /** Continue this job (its spec comes from the checkpoint; passwords from `spec`). */
  resumeJobId?: string;
  /** Extra lag probes (a topology module's heartbeat). */
  probes?: LagProbe[];
  /**
   * The copy is a hybrid job's snapshot phase: when every table is copied the job row stays
   * `copying` and no `done` state is announced (the job goes on following the change stream); the
   * result's state `done` then means the snapshot is complete.
   */
  snapshotOnly?: boolean;
}

type WorkItem =
  | { kind: 'chunk'; order: number; shape: TableShape; seq: number; lo: KeyValue | null; chunk: ReadChunk; sizer: ChunkSizer }
  | { kind: 'table-done'; order: number; table: string; expectedRows: number };

const DEFAULTS = { writers: 2, chunkTimeSeconds: 0.5, maxChunkRows: 100_000, initialChunkRows: 2_000 };
/** Encoded bytes per chunk: far under max_allowed_packet for the INSERT path, bounded memory for LOAD DATA. */
const MAX_CHUNK_BYTES = 2 * 1024 * 1024;
/** RW_MIGRATE_MAX_CHUNK_BYTES overrides the cap (benchmark tuning only). */
function maxChunkBytes(): number {
  const n = Number(process.env.RW_MIGRATE_MAX_CHUNK_BYTES);
  return Number.isFinite(n) && n >= 64 * 1024 ? n : MAX_CHUNK_BYTES;
}

/** Only the position fields (a SnapshotRecord also carries its number, time and row count). */
function positionOf(p: SnapshotPosition): SnapshotPosition {
  return { binlogFile: p.binlogFile, binlogPosition: p.binlogPosition, gtidBinlogPos: p.gtidBinlogPos, exact: p.exact };
}

export function startJob(spec: JobSpec, events: JobEvents = {}, opts: StartOptions = {}): JobHandle {
  const run = new Migration(spec, events, opts);
  return jobHandle(run, run.runGate);
}

class Migration {
  onId: (id: string) => void = () => {};
  private jobId = '';
  /** Pause, resume and cancel (jobHandle's control), and the gate the work passes between chunks. */
  readonly runGate = new RunGate((state) => this.setState(state));
  private progress: ProgressTracker | null = null;
  private failure: Error | null = null;
  private readonly started = performance.now();
  private throttler: Throttler | null = null;
  private heartbeat: CopyHeartbeat | null = null;
  /** The job's snapshots so far (this run's included) and the first one, once this run has taken its own. */
  private snapshots: { count: number; first: SnapshotPosition } | null = null;
  /** Transient faults retried in this run. */
  private retries = 0;

  constructor(
    private spec: JobSpec,
    private readonly events: JobEvents,
    private readonly opts: StartOptions,
  ) {}

  private emit(e: ProgressEvent): void {
    try {
      this.events.onEvent?.(e);
    } catch {
      // a listener's bug must not fail the copy
    }
  }

  private setState(state: JobState, message?: string): void {
    if (this.progress) this.progress.state = state;
    this.emit({ type: 'state', jobId: this.jobId, state, message });
  }

  private async gate(): Promise<void> {
    await this.runGate.pass();
    if (this.failure) throw this.failure;
  }

  async run(): Promise<JobResult> {
    let source: Connection | null = null;
    let target: Connection | null = null;
    let rows = 0;
    let bytes = 0;
    let connection: JobResult['connection'];
    const finish = (state: JobResult['state'], message?: string, details?: string[]): JobResult => ({
      jobId: this.jobId,
      state,
      rows,
      bytes,
      seconds: (performance.now() - this.started) / 1000,
      message,
      details,
      ...(this.snapshots ? { snapshotCount: this.snapshots.count, applyFrom: positionOf(this.snapshots.first) } : {}),
      ...(connection ? { connection } : {}),
      ...(this.retries ? { retries: this.retries } : {}),
    });
    try {
      source = await connectAs(this.spec.source, 'source');
      target = await connectAs(this.spec.target, 'target');
      await this.checkReplicasReachable();
      const isNew = !this.opts.resumeJobId;
      this.jobId = this.opts.resumeJobId ?? newJobId();
      this.onId(this.jobId);
      this.setState('planning');
      if (
        serverLabel({ ...this.spec.source, name: undefined }) === serverLabel({ ...this.spec.target, name: undefined }) &&
        this.spec.sourceDatabase === this.spec.targetDatabase
      ) {
        throw new RefusedError('source and target are the same database on the same server');
      }
      // Before anything is written (no database, no rw_migrate schema): a replica is not a target.
      const overridden = await refuseReplicaTarget(target, serverName(this.spec.target), this.spec.allowReplicaTarget === true);
      for (const p of overridden) this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message: `writing anyway (--allow-replica-target confirmed): ${p}` });
      const tables = await resolveTables(source, this.spec);
      const plans = await planTables(source, target, this.spec, tables, isNew);
      await ensureCheckpointSchema(target);
      // The job row first: a failure while creating tables leaves a job that resume can finish
      // (its deferred keys are recorded under it), never tables that nothing knows about.
      if (isNew) {
        await createJob(target, this.jobId, this.spec);
        for (const p of plans) await addJobTable(target, this.jobId, p.source.name, p.source.estimatedRows, p.source.key?.columns ?? []);
      }
      await ensureDatabase(target, source, this.spec.sourceDatabase, this.spec.targetDatabase);
      const missing = plans.filter((p) => !p.exists);
      const referenced = isNew && missing.length > 0 ? await referencedColumns(source, this.spec.sourceDatabase) : new Map<string, string[][]>();
      for (const p of missing) await this.createTargetTable(target, p, isNew, referenced.get(p.source.name) ?? []);
      const result = await this.copy(source, target, plans, isNew);
      rows = result.rows;
      bytes = result.bytes;
      await this.addDeferredKeys(target, plans);
      if (!this.opts.snapshotOnly) {
        await setJobState(target, this.jobId, 'done');
        this.setState('done');
      }
      return finish('done');
    } catch (err) {
      const e = this.failure ?? (err instanceof Error ? err : new Error(String(err)));
      const state: JobResult['state'] = e instanceof RefusedError ? 'refused' : e instanceof CancelledError ? 'cancelled' : 'failed';
      if (e instanceof ConnectionFailedError) connection = e.failure;
      if (this.progress) ({ rows, bytes } = this.progress);
      if (target && this.jobId && state !== 'refused') {
        await setJobState(target, this.jobId, state, e.message).catch(() => undefined);
      }
      this.setState(state, e.message);
      return finish(state, e.message, e instanceof RefusedError ? e.details : undefined);
    } finally {
      this.progress?.stop();
      await this.throttler?.close();
      await this.heartbeat?.stop();
      await closeQuietly(source);
      await closeQuietly(target);
    }
  }

  /**
   * Every watched replica answers once before the copy starts: a wrong password or a wrong port is
   * bad input to report now, naming the replica, not a throttle that waits forever.
   */
  private async checkReplicasReachable(): Promise<void> {
    const all = [
      ...(this.spec.replicas ?? []).map((r) => ({ r, role: 'replica' as const })),
      ...(this.spec.sourceReplicas ?? []).map((r) => ({ r, role: 'source replica' as const })),
    ];
    for (const { r, role } of all) await closeQuietly(await connectAs(r, role));
  }

  /**
   * A new job's keyed table is created without its deferrable secondary keys; they are recorded first,
   * so that a kill right after the CREATE still adds them on resume.
   */
  private async createTargetTable(target: Connection, plan: TablePlan, isNew: boolean, referenced: string[][]): Promise<void> {
    const info = plan.source;
    const split = isNew && info.key ? splitDeferrableKeys(info.createStatement, referenced) : null;
    if (split && split.deferred.length > 0) await recordDeferredKeys(target, this.jobId, info.name, split.deferred);
    const created = await createTable(target, info, this.spec.targetDatabase, split?.create);
    this.emit({ type: 'log', jobId: this.jobId, level: 'info', message: createdMessage(info.name, created) });
  }

  /**
   * The last step of a job, after every chunk has committed: with no copy transaction open, an ALTER
   * cannot end up waiting on a writer that waits for its commit turn (tables linked by foreign keys
   * share metadata locks). A job killed here is not done, and its resume comes back to this step.
   */
  private async addDeferredKeys(target: Connection, plans: TablePlan[]): Promise<void> {
    const deferred = await deferredKeysOf(target, this.jobId);
    for (const p of plans) {
      const recorded = deferred.get(p.source.name);
      if (!recorded) continue;
      if (this.runGate.cancelled) throw new CancelledError();
      const t0 = performance.now();
      const added = await addDeferredKeys(target, recorded, this.spec.targetDatabase, p.source.name, (names) =>
        this.emit({ type: 'log', jobId: this.jobId, level: 'info', message: `${p.source.name}: all rows copied; adding secondary keys ${names.join(', ')}` }),
      );
      if (added.length > 0) {
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        this.emit({ type: 'log', jobId: this.jobId, level: 'info', message: `${p.source.name}: added secondary keys ${added.join(', ')} after the copy (${seconds} s)` });
      }
    }
  }

  private buildThrottler(): Throttler {
    return jobThrottler(this.spec, this.heartbeat, this.opts.probes);
  }

  private async copy(source: Connection, target: Connection, plans: TablePlan[], isNew: boolean): Promise<{ rows: number; bytes: number }> {
    const states = new Map((await jobTables(target, this.jobId)).map((t) => [t.table, t.state]));
    const before = await copiedTotals(target, this.jobId);
    const progress = new ProgressTracker(this.jobId, (e) => this.emit(e));
    this.progress = progress;
    progress.rows = before.rows;
    progress.bytes = before.bytes;
    progress.totalRows = plans.reduce((s, p) => s + p.source.estimatedRows, 0);
    const nWriters = Math.max(1, Math.min(16, this.spec.writers ?? DEFAULTS.writers));
    const method = this.spec.method ?? 'load';
    const ifExists = this.spec.ifExists ?? 'abort';
    const writers: Writer[] = [];
    let reader: SnapshotReader | null = null;
    if (this.spec.heartbeat && (this.spec.replicas?.length ?? 0) > 0) {
      this.heartbeat = await CopyHeartbeat.start(target, this.spec.target, this.spec.heartbeat.database);
      this.emit({ type: 'log', jobId: this.jobId, level: 'info', message: `throttling on heartbeat ${this.spec.heartbeat.database}.heartbeat (server_id ${this.heartbeat.serverId}) read on each watched replica` });
    }
    this.throttler = this.buildThrottler();
    try {
      for (let i = 0; i < nWriters; i++) writers.push(await Writer.open(this.spec.target, method, ifExists));
      if (isNew) for (const p of plans) if (p.truncate) await writers[0].truncate(this.spec.targetDatabase, p.source.name);
      reader = await SnapshotReader.open(this.spec.source);
      const snapshots = await recordSnapshot(target, this.jobId, reader.position, before.rows, progress.totalRows);
      this.snapshots = { count: snapshots.length, first: snapshots[0] ?? reader.position };
      await setJobState(target, this.jobId, 'copying');
      this.emit({
        type: 'planned',
        jobId: this.jobId,
        snapshot: positionOf(this.snapshots.first),
        runSnapshot: reader.position,
        snapshotCount: this.snapshots.count,
        tables: plans.map((p) => ({
          table: p.source.name,
          keyColumns: p.source.key?.columns ?? [],
          keyName: p.source.key?.name ?? null,
          estimatedRows: p.source.estimatedRows,
          noKey: !p.source.key,
        })),
      });
      this.setState(this.runGate.paused ? 'paused' : 'copying');
      progress.start();
      const pending = plans.filter((p) => states.get(p.source.name) !== 'done');
      const keyed = pending.filter((p) => p.source.key);
      await this.pipeline(reader, writers, keyed, target);
      for (const p of pending.filter((p) => !p.source.key)) {
        await this.gate();
        await this.throttle();
        const shape = new TableShape(p.source);
        progress.table = p.source.name;
        const expectedRows = await reader.countRows(shape, null);
        const n = await writers[0].streamTable(shape, this.spec.targetDatabase, this.jobId, reader.streamTable(shape), expectedRows);
        progress.added(n, 0, p.source.name, 0);
        this.emit({ type: 'table-done', jobId: this.jobId, table: p.source.name, rows: n });
      }
      progress.totalIsEstimate = false;
      progress.totalRows = progress.rows;
      progress.maybeEmit(true);
      return { rows: progress.rows, bytes: progress.bytes };
    } finally {
      await reader?.close();
      await Promise.all(writers.map((w) => w.close()));
    }
  }

  /** Reports one retry of a transient fault (progress event, and the count in the result). */
  private retried(what: string, n: RetryNotice): void {
    this.retries++;
    this.emit(retryEvent(this.jobId, what, n));
  }

  private throttle(): Promise<void> {
    return waitUnthrottled(this.throttler, { jobId: this.jobId, progress: this.progress, emit: (e) => this.emit(e), cancelled: () => this.runGate.cancelled });
  }

  private async pipeline(reader: SnapshotReader, writers: Writer[], plans: TablePlan[], target: Connection): Promise<void> {
    const trace = memoryTrace();
    trace?.add('pipelineStartsAt', performance.now() / 1000);
    try {
      await this.pipelineInner(reader, writers, plans, target, trace);
    } finally {
      trace?.add('pipelineEndsAt', performance.now() / 1000);
      trace?.stop();
    }
  }

  private async pipelineInner(reader: SnapshotReader, writers: Writer[], plans: TablePlan[], target: Connection, trace: MemoryTrace | null): Promise<void> {
    let mark = performance.now();
    /** Time since the last lap, added to `name` in the trace (only with RW_MIGRATE_MEMTRACE). */
    const lap = trace
      ? (name: string, from?: number) => {
          const now = performance.now();
          trace.add(name, (now - (from ?? mark)) / 1000);
          mark = now;
          return now;
        }
      : () => 0;
    // Read-ahead bounded by bytes: at most two chunks' worth per writer queued (plus the one the
    // reader holds while it waits, and one per writer loading).
    const queue = new BoundedQueue<WorkItem>(writers.length * 2, {
      maxCost: writers.length * 2 * maxChunkBytes(),
      cost: (item) => (item.kind === 'chunk' ? item.chunk.bytes : 0),
    });
    const sequencer = new CommitSequencer();
    /** Rows each table's chunks committed in this run (the target accepted every one: applier.ts checks). */
    const written = new Map<string, number>();
    const fail = (err: unknown) => {
      const e = err instanceof Error ? err : new Error(errorMessage(err));
      if (!this.failure && !(e instanceof CancelledError)) this.failure = e;
      sequencer.fail(e);
      queue.abort();
    };
    const produce = async () => {
      let order = 0;
      for (const plan of plans) {
        const shape = new TableShape(plan.source);
        // A JobSpec key range (range partitioning) is ANDed into every chunk query of this table.
        const filter = rangeCondition(shape.keyColumns, this.spec.ranges?.[plan.source.name]);
        const chunks = await committedChunks(target, this.jobId, plan.source.name);
        let seq = chunks.length ? Math.max(...chunks.map((c) => c.seq)) + 1 : 0;
        let after = missingRange(chunks).after;
        const startAfter = after;
        const sizer = new ChunkSizer({
          targetSeconds: this.spec.chunkTimeSeconds ?? DEFAULTS.chunkTimeSeconds,
          initialRows: Math.min(this.spec.initialChunkRows ?? DEFAULTS.initialChunkRows, this.spec.maxChunkRows ?? DEFAULTS.maxChunkRows),
          minRows: 1,
          maxRows: this.spec.maxChunkRows ?? DEFAULTS.maxChunkRows,
          maxBytes: maxChunkBytes(),
        });
        for (;;) {
          await this.gate();
          const limit = sizer.next();
          const r0 = performance.now();
          // The sizer keeps chunks near the byte cap from the widths seen so far; the hard stop at twice
          // the cap bounds a chunk whose rows are far wider than that (the first one, before any width).
          const chunk = await reader.readChunk(shape, { after, upTo: null }, limit, this.spec.method ?? 'load', 2 * maxChunkBytes(), filter);
          const r1 = lap('read', r0);
          if (chunk.rowCount === 0) break;
          sizer.observeWidth(chunk.rowCount, chunk.bytes);
          const item: WorkItem = { kind: 'chunk', order: order++, shape, seq: seq++, lo: after, chunk, sizer };
          if (!(await queue.put(item))) return;
          lap('readerWaitsForQueue', r1);
          after = chunk.lastKey;
          if (chunk.rowCount < limit && !chunk.truncated) break;
        }
        // Self-check: what this run read of the table is all the snapshot has in that key range.
        const expectedRows = await reader.countRows(shape, startAfter, filter);
        if (!(await queue.put({ kind: 'table-done', order: order++, table: plan.source.name, expectedRows }))) return;
      }
      queue.end();
    };
    const ctx: ChunkCommitContext = {
      spec: this.spec,
      jobId: this.jobId,
      target,
      reader,
      writers,
      sequencer,
      cancelled: () => this.runGate.cancelled,
      lap,
      onRetry: (what, n) => this.retried(what, n),
    };
    const consume = async (slot: number) => {
      for (;;) {
        const w0 = performance.now();
        const item = await queue.take();
        lap('writerWaitsForChunk', w0);
        if (!item) return;
        try {
          if (item.kind === 'table-done') {
            await sequencer.turn(item.order);
            selfCheck(item.table, written.get(item.table) ?? 0, item.expectedRows);
            await markTableDone(target, this.jobId, item.table);
            sequencer.committed(item.order);
            const rows = (await committedChunks(target, this.jobId, item.table)).reduce((s, c) => s + c.rows, 0);
            this.emit({ type: 'table-done', jobId: this.jobId, table: item.table, rows });
            continue;
          }
          await this.gate();
          await this.throttle();
          const { shape, chunk } = item;
          const loadSeconds = await commitChunk(ctx, slot, item);
          trace?.add('chunks', 1);
          trace?.add('chunkRows', chunk.rowCount);
          sequencer.committed(item.order);
          written.set(shape.info.name, (written.get(shape.info.name) ?? 0) + chunk.rowCount);
          item.sizer.observe(chunk.rowCount, chunk.bytes, loadSeconds);
          this.progress?.added(chunk.rowCount, chunk.bytes, shape.info.name, item.seq);
        } catch (err) {
          fail(err);
          return;
        }
      }
    };
    await Promise.all([produce().catch(fail), ...writers.map((_, i) => consume(i))]);
    if (this.failure) throw this.failure;
    if (this.runGate.cancelled) throw new CancelledError();
  }
}
