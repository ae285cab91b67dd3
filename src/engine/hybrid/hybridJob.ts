/**
 * A hybrid job: planning -> snapshot (the full copy, the `first` tables first) -> catching-up ->
 * in-sync (following the source's binlog from the job's FIRST snapshot position, with no stop) ->
 * cutting-over -> done. The jobs row says `copying` for as long as the job runs and `done` only after
 * a cut-over; the phase is kept in rw_migrate.hybrid_state, so a resume continues where it stopped
 * (an unfinished snapshot resumes the copy; a following job streams on from its committed position).
 *
 * The binlog pre-flight runs before the copy writes anything: a source whose binlog cannot be
 * followed is refused up front, not after hours of copying.
 *
 * Pause works in every phase but cutting-over: the copy pauses in the snapshot, the follower in the
 * stream phases (the row then says `paused`; the stream events go on, so the user sees the job fall
 * behind); a cut-over asked meanwhile is refused by the cut-over driver.
 */
import { jobHandle } from '../jobs/handle.js';
import { pauseRefusal } from '../jobs/pauseRule.js';
import { closeQuietly, type Connection } from '../db/connection.js';
import { CancelledError, RefusedError } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { ConnectionFailedError, connectAs } from '../copy/connectRole.js';
import { startJob, type StartOptions } from '../copy/copyJob.js';
import { loadJob } from '../copy/jobControl.js';
import { resolveTables } from '../copy/planner.js';
import { jobTables, setJobState } from '../jobs/checkpoint.js';
import { ensureHybridState, loadHybridPhases, saveHybridPhase } from '../jobs/hybridState.js';
import type { CutoverReport, JobEvents, JobHandle, JobPhaseName, JobResult, JobSpec, JobState, ProgressEvent } from '../jobs/types.js';
import { binlogPreflight, type BinlogPreflight } from '../preflight/binlog.js';
import { inspectTable } from '../schema/inspector.js';
import { ChangeApplier } from '../cdc/applier.js';
import { ChangeFollower } from '../cdc/follower.js';
import { applyLine } from '../cdc/replay/replayer.js';
import { formatPosition } from '../cdc/position.js';
import { continueFrom, ensureCdcSchema, loadCdcState, savePosition, setCdcOutcome } from '../cdc/positionStore.js';
import { StreamMonitor } from './streamMonitor.js';
import { CutoverDriver, dataDiffers } from './cutoverDriver.js';

/** Phases in which the snapshot is complete and the job follows the stream. */
const FOLLOWING: ReadonlySet<JobPhaseName> = new Set(['catching-up', 'in-sync', 'cutting-over']);

export function startHybridJob(spec: JobSpec, events: JobEvents = {}, opts: StartOptions = {}): JobHandle {
  const run = new HybridRun(spec, events, opts);
  return jobHandle(run, run);
}

class HybridRun {
  onId: (id: string) => void = () => {};
  private jobId: string;
  private cancelled = false;
  private copy: JobHandle | null = null;
  private follower: ChangeFollower | null = null;
  /** Paused by the user: the copy (snapshot phase) or the follower (stream phases) applies nothing. */
  private paused = false;
  /** The job's target connection while it runs (where a stream phase's pause is recorded). */
  private target: Connection | null = null;
  private readonly started = performance.now();
  /** The copy's result (rows, bytes, snapshots) once the snapshot phase ran in this process. */
  private copyResult: JobResult | null = null;
  /** Rows the snapshot copied, from the checkpoint (a resume of a following job runs no copy). */
  private rowsCopied = 0;
  private phase: JobPhaseName = 'planning';
  /** Phase writes to the target, in order. */
  private phaseWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: JobSpec,
    private readonly events: JobEvents,
    private readonly opts: StartOptions,
  ) {
    this.jobId = opts.resumeJobId ?? '';
  }

  private emit(e: ProgressEvent): void {
    try {
      this.events.onEvent?.(e);
    } catch {
      // a listener's bug must not fail the job
    }
  }

  /**
   * In the snapshot phase the copy pauses (and says so itself); in a stream phase the follower
   * applies nothing more while the stream monitor keeps reporting how far behind the job falls. A
   * cut-over in progress is not paused (it holds writes blocked on the source): a warning says so.
   */
  pause(): void {
    const why = pauseRefusal(this.jobId || 'hybrid', this.phase);
    if (why) {
      if (this.phase === 'cutting-over') this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message: `pause ignored: ${why}` });
      return;
    }
    if (this.paused || this.cancelled) return;
    this.setPaused(true);
  }

  resume(): void {
    if (this.paused) this.setPaused(false);
  }

  /** The snapshot's copy pauses and says so itself; in a stream phase the follower does, and the job records it. */
  private setPaused(paused: boolean): void {
    this.paused = paused;
    if (this.copy) {
      if (paused) this.copy.pause();
      else this.copy.resume();
      return;
    }
    if (paused) this.follower?.pause();
    else this.follower?.resume();
    this.recordPaused();
  }

  /** A stream phase's pause or resume: the state event now, the jobs row in order with the phase writes. */
  private recordPaused(): void {
    const state: JobState = this.paused ? 'paused' : 'copying';
    const message = this.paused ? `paused in phase ${this.phase}: nothing is applied until the job is resumed; its stream events show how far behind it falls` : undefined;
    this.setState(state, message);
    const target = this.target;
    const id = this.jobId;
    if (!target || !id) return;
    this.phaseWrites = this.phaseWrites
      .then(() => setJobState(target, id, state, message ?? null))
      .catch((err: unknown) => this.emit({ type: 'log', jobId: id, level: 'warn', message: `could not record state ${state} on the target: ${String(err)}` }));
  }

  cancel(): void {
    this.cancelled = true;
    this.copy?.cancel();
    this.follower?.cancel();
  }

  private result(state: JobResult['state'], message?: string, extra: Partial<JobResult> = {}): JobResult {
    const c = this.copyResult;
    return {
      jobId: this.jobId,
      state,
      rows: c?.rows ?? this.rowsCopied,
      bytes: c?.bytes ?? 0,
      seconds: (performance.now() - this.started) / 1000,
      ...(message ? { message } : {}),
      ...(c?.snapshotCount ? { snapshotCount: c.snapshotCount } : {}),
      ...(c?.applyFrom ? { applyFrom: c.applyFrom } : {}),
      ...(c?.retries ? { retries: c.retries } : {}),
      ...extra,
    };
  }

  /** Enters a phase: the event now, the row on the target in order (a failed write is a warning; the next one carries the phase). */
  private setPhase(target: Connection, phase: JobPhaseName, message?: string): void {
    this.phase = phase;
    this.emit({ type: 'phase', jobId: this.jobId, phase, ...(message ? { message } : {}) });
    const id = this.jobId;
    this.phaseWrites = this.phaseWrites
      .then(() => saveHybridPhase(target, id, phase, message ?? null))
      .catch((err: unknown) => this.emit({ type: 'log', jobId: id, level: 'warn', message: `could not record phase ${phase} on the target: ${String(err)}` }));
  }

  private setState(state: JobState, message?: string): void {
    this.emit({ type: 'state', jobId: this.jobId, state, ...(message ? { message } : {}) });
  }

  async run(): Promise<JobResult> {
    let target: Connection | null = null;
    try {
      target = await connectAs(this.spec.target, 'target');
      this.target = target;
      const recorded = this.jobId ? (await loadHybridPhases(target)).get(this.jobId) : undefined;
      if (this.jobId) this.onId(this.jobId);
      await this.preflight(target);
      if (this.cancelled) throw new CancelledError();
      if (!recorded || !FOLLOWING.has(recorded.phase)) {
        const r = await this.snapshot(target);
        if (r.state !== 'done') return r;
      } else {
        // A resume of a following job: it runs again, in the phase it stopped in.
        await setJobState(target, this.jobId, 'copying');
        this.setState('copying');
      }
      return await this.follow(target);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const state: JobResult['state'] = e instanceof RefusedError ? 'refused' : e instanceof CancelledError ? 'cancelled' : 'failed';
      const message = e instanceof CancelledError ? `cancelled in phase ${this.phase}; continue with: rw-migrate resume ${this.jobId}` : e.message;
      if (target && this.jobId && state !== 'refused') {
        await setJobState(target, this.jobId, state, message).catch(() => undefined);
        await setCdcOutcome(target, this.jobId, state === 'failed' ? 'stopped' : state, message).catch(() => undefined);
      }
      this.setState(state, message);
      return this.result(state, message, {
        ...(e instanceof RefusedError && e.details ? { details: e.details } : {}),
        ...(e instanceof ConnectionFailedError ? { connection: e.failure } : {}),
      });
    } finally {
      await this.phaseWrites;
      this.target = null;
      await closeQuietly(target);
    }
  }

  /** The binlog pre-flight, before the copy writes anything: a stream that cannot follow is refused now. */
  private async preflight(target: Connection): Promise<BinlogPreflight> {
    const source = await connectAs(this.spec.source, 'source');
    try {
      const tables = await this.tables(source, target);
      const pre = await binlogPreflight({
        source,
        sourceSpec: this.spec.source,
        target,
        targetSpec: this.spec.target,
        database: this.spec.sourceDatabase,
        tables,
        jobId: this.jobId || 'hybrid',
      });
      for (const n of pre.notes) this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message: n });
      return pre;
    } finally {
      await closeQuietly(source);
    }
  }

  /** The job's tables: those it recorded when it has (a resume), else the spec's (checked on the source). */
  private async tables(source: Connection, target: Connection): Promise<string[]> {
    if (this.jobId) {
      const recorded = await jobTables(target, this.jobId).catch(() => []);
      if (recorded.length > 0) return recorded.map((t) => t.table);
    }
    return resolveTables(source, this.spec);
  }

  /** The copy, as this job's snapshot phase (a resume continues an unfinished one). */
  private async snapshot(target: Connection): Promise<JobResult> {
    const handle = startJob(
      this.spec,
      {
        onEvent: (e) => {
          if (e.type === 'planned') {
            this.jobId = e.jobId;
            this.phaseWrites = this.phaseWrites.then(() => ensureHybridState(target)).catch(() => undefined);
            this.emit(e);
            this.setPhase(target, 'snapshot');
            return;
          }
          this.emit(e);
        },
      },
      { ...this.opts, snapshotOnly: true },
    );
    this.copy = handle;
    if (this.cancelled) handle.cancel();
    else if (this.paused) handle.pause();
    handle.jobId.then(
      (id) => {
        this.jobId = id;
        this.onId(id);
      },
      () => undefined,
    );
    const r = await handle.done;
    this.copy = null;
    this.jobId = r.jobId;
    this.copyResult = r;
    return r;
  }

  /** Follows the change stream from the committed position (at first the job's first snapshot), with no stop. */
  private async follow(target: Connection): Promise<JobResult> {
    await ensureHybridState(target);
    await ensureCdcSchema(target);
    const targetSpec: ServerSpec = this.spec.target;
    const job = await loadJob(targetSpec, this.jobId);
    if (!job) throw new Error(`job ${this.jobId} not found in rw_migrate on the target`);
    this.rowsCopied = job.rowsCopied;
    const state = await loadCdcState(target, this.jobId);
    const snap = job.snapshot;
    const from = continueFrom(this.jobId, state, snap, 'make a new hybrid job with the binlog on.');
    // The job's GTID position at `from` (the snapshot's at first), so the stored position keeps every domain.
    const gtid = state?.gtid ?? (state ? null : snap.gtidBinlogPos);
    if (!state) await savePosition(target, this.jobId, from, gtid, 0, 0);
    const pre = await this.preflight(target);
    const tables = (await jobTables(target, this.jobId)).map((t) => t.table);
    const targetInfos = [];
    for (const t of tables) targetInfos.push(await inspectTable(target, this.spec.targetDatabase, t));
    const applier = await ChangeApplier.open(this.spec.target, this.spec.targetDatabase, this.jobId, targetInfos, {
      method: this.spec.applyMethod,
      sourceTables: pre.sourceTables,
      sourceFlavor: pre.flavor,
    });
    this.emit({ type: 'log', jobId: this.jobId, level: 'info', message: applyLine(applier) });
    const follower = new ChangeFollower(applier, from, {
      gtid,
      source: this.spec.source,
      database: this.spec.sourceDatabase,
      tables,
      serverId: pre.serverId,
      onWarn: (message) => this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message }),
    });
    this.follower = follower;
    if (this.cancelled) follower.cancel();
    else if (this.paused) {
      // paused before the stream started (between the copy and the follower): it starts paused
      follower.pause();
      this.recordPaused();
    }
    this.setPhase(target, 'catching-up', `following the source's binlog from ${formatPosition(from)}`);
    const monitor = new StreamMonitor(this.jobId, follower, this.spec.source, this.spec.syncThresholdSeconds, {
      stream: (e) => this.emit(e),
      phase: (p, message) => this.setPhase(target, p, message),
    });
    monitor.start();
    let cutover: CutoverReport | null = null;
    const driver = new CutoverDriver({
      conn: target,
      jobId: this.jobId,
      spec: this.spec,
      tables,
      follower,
      phase: () => this.phase,
      paused: () => this.paused,
      behindSeconds: () => monitor.last?.behindSeconds ?? null,
      behindEvents: () => monitor.last?.behindEvents ?? null,
      onStart: (block) => {
        monitor.frozen = true;
        this.setPhase(target, 'cutting-over', `cut-over requested (block: ${block})`);
      },
      onStep: (step, block, message) => this.emit({ type: 'cutover', jobId: this.jobId, step, block, message }),
      onFailed: (outcome) => {
        if (dataDiffers(outcome)) return; // the job fails (below): no going back to following
        monitor.reset();
        const message = `cut-over ${outcome.state}: ${outcome.message}; following the source again`;
        this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message });
        this.setPhase(target, 'catching-up', message);
        this.setState('copying', message);
        void setJobState(target, this.jobId, 'copying', message).catch(() => undefined);
      },
      onDone: async (outcome) => {
        cutover = outcome.report ?? null;
        await this.phaseWrites;
        await setCdcOutcome(target, this.jobId, 'done', null);
        await setJobState(target, this.jobId, 'done', outcome.message);
        this.setPhase(target, 'done', outcome.message);
        await this.phaseWrites;
      },
      onWarn: (message) => this.emit({ type: 'log', jobId: this.jobId, level: 'warn', message }),
    });
    driver.start();
    try {
      for (;;) {
        // With no stop the follower returns only where a cut-over's catch-up set one, or throws (cancel, a fatal stream).
        await follower.run();
        const outcome = driver.last ? await driver.last : null;
        if (!outcome) throw new Error(`the change stream stopped at ${formatPosition(follower.applied)} without a cut-over`);
        if (outcome.state === 'done') {
          const message = outcome.message;
          this.setState('done', message);
          return this.result('done', message, cutover ? { cutover } : {});
        }
        if (dataDiffers(outcome)) throw new Error(outcome.message);
        // not cut over: follow on (the driver cleared the stop)
      }
    } finally {
      await driver.stop();
      await monitor.stop();
      this.follower = null;
      await applier.close();
    }
  }
}
