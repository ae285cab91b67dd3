/**
 * One run of an incremental job (`--mode incremental --watermark COLUMN`): in one consistent
 * snapshot, each table's rows after its stored (column, key) mark are read in chunks ordered by
 * (column, key) and upserted on the target, with the mark moved in the same transaction as the
 * chunk that passes it. The next run (sync JOB, resume JOB, or the same copy command again)
 * continues from the marks. Reads, writes, retries and throttling are the copy's own (copy/reader,
 * copy/applier through copy/chunkCommit, lag/throttler): only the order of the chunks differs.
 *
 * It sees neither deletes nor updates that leave the column alone (INCREMENTAL_BLIND_SPOTS).
 */
import { jobHandle } from '../jobs/handle.js';
import { RunGate } from '../jobs/runGate.js';
import type { Connection } from '../db/connection.js';
import { closeQuietly, queryRows, serverLabel } from '../db/connection.js';
import { CancelledError, RefusedError } from '../db/errors.js';
import { quoteIdent } from '../db/sql.js';
import type { KeyValue } from '../db/keyset.js';
import { ConnectionFailedError, connectAs, serverName } from '../copy/connectRole.js';
import { refuseReplicaTarget } from '../copy/targetGuard.js';
import { planTables, resolveTables, type TablePlan } from '../copy/planner.js';
import { SnapshotReader, TableShape } from '../copy/reader.js';
import { Writer } from '../copy/applier.js';
import { ChunkSizer } from '../copy/chunkSizer.js';
import { CommitSequencer } from '../copy/sequencer.js';
import { commitChunk, type ChunkCommitContext } from '../copy/chunkCommit.js';
import { selfCheck } from '../copy/selfCheck.js';
import { CopyHeartbeat } from '../copy/copyHeartbeat.js';
import { loadJob, withPasswords, type Passwords } from '../copy/jobControl.js';
import { addJobTable, CHECKPOINT_DB, createJob, ensureCheckpointSchema, jobTables, markTableDone, setJobState } from '../jobs/checkpoint.js';
import { ProgressTracker, newJobId } from '../jobs/progress.js';
import { INCREMENTAL_BLIND_SPOTS } from '../jobs/modes.js';
import { createTable, createdMessage, ensureDatabase, isEmpty } from '../schema/schema.js';
import { databaseExists, inspectTable } from '../schema/inspector.js';
import type { Throttler, LagProbe } from '../lag/throttler.js';
import { jobThrottler, waitUnthrottled } from '../copy/jobThrottle.js';
import { retryEvent } from '../copy/retry.js';
import type { JobEvents, JobHandle, JobPhaseName, JobResult, JobSpec, JobState, ProgressEvent, ServerSpec, WatermarkSpec } from '../jobs/types.js';
import { cursorColumns, cursorOf, hasLeadingIndex, isTemporalType, nextMark, watermarkProblems, type StoredMark } from './cursor.js';
import { sameIncrementalJob } from './identity.js';
import { dropMark, ensureMarkSchema, loadMarks, saveMarkStatement } from './markStore.js';

export interface IncrementalOptions {
  /** Continue this job (sync JOB, resume JOB). */
  resumeJobId?: string;
  /** Extra lag probes. */
  probes?: LagProbe[];
}

const DEFAULTS = { chunkTimeSeconds: 0.5, maxChunkRows: 100_000, initialChunkRows: 2_000 };
const MAX_CHUNK_BYTES = 2 * 1024 * 1024;

export function startIncremental(spec: JobSpec, events: JobEvents = {}, opts: IncrementalOptions = {}): JobHandle {
  const run = new IncrementalRun(spec, events, opts);
  return jobHandle(run, run.runGate);
}

/** The next increment of a stored incremental job (a finished run is no obstacle: that is the point). */
export async function resumeIncremental(target: ServerSpec, jobId: string, pw: Passwords, events: JobEvents = {}, opts: IncrementalOptions = {}): Promise<JobHandle> {
  const job = await loadJob({ ...target, password: pw.target ?? target.password }, jobId);
  if (!job) throw new Error(`job ${jobId} not found in ${CHECKPOINT_DB} on ${target.host}:${target.port}`);
  const spec = withPasswords(job.spec, { ...pw, target: pw.target ?? target.password });
  return startIncremental(spec, events, { ...opts, resumeJobId: jobId });
}

/**
 * The source's clock minus the window, as DATETIME text: in UTC for TIMESTAMP columns (every session
 * here is UTC), and in the server's default time zone for DATETIME and DATE, which applications
 * usually fill with NOW() in that zone. Read before the snapshot opens: a transaction older than
 * the window that commits after it is the one case the window does not cover.
 */
async function cutoffs(source: Connection, seconds: number): Promise<{ utc: string; local: string }> {
  const sql = "SELECT DATE_FORMAT(NOW(6) - INTERVAL ? MICROSECOND, '%Y-%m-%d %H:%i:%s.%f') AS c";
  const us = Math.round(seconds * 1_000_000);
  const [u] = await queryRows(source, sql, [us]);
  await source.query('SET time_zone = @@global.time_zone');
  try {
    const [l] = await queryRows(source, sql, [us]);
    return { utc: String(u.c), local: String(l.c) };
  } finally {
    await source.query("SET time_zone = '+00:00'");
  }
}

interface TableRun {
  plan: TablePlan;
  shape: TableShape;
  stored: StoredMark | null;
  /** Rows after the stored mark in this run's snapshot: what the run must write (self-check). */
  expected: number;
  /** The passes over the rows after the mark (see cursor.ts nextMark). */
  passes: { pass: 'settled' | 'recent'; filter: { sql: string; values: unknown[] } | null }[];
}

class IncrementalRun {
  onId: (id: string) => void = () => {};
  private jobId = '';
  /** Pause, resume and cancel (jobHandle's control), and the gate the work passes between chunks. */
  readonly runGate = new RunGate((state) => this.setState(state));
  private progress: ProgressTracker | null = null;
  private readonly started = performance.now();
  private throttler: Throttler | null = null;
  private heartbeat: CopyHeartbeat | null = null;
  private retries = 0;
  private readonly watermarks: NonNullable<JobResult['watermarks']> = [];

  constructor(
    private readonly spec: JobSpec,
    private readonly events: JobEvents,
    private readonly opts: IncrementalOptions,
  ) {}

  private get w(): WatermarkSpec {
    const w = this.spec.watermark;
    if (!w?.column) throw new RefusedError('refused: incremental mode needs a watermark column (CLI: --watermark COLUMN)', ['incremental mode needs a watermark column (CLI: --watermark COLUMN)']);
    return w;
  }

  private emit(e: ProgressEvent): void {
    try {
      this.events.onEvent?.(e);
    } catch {
      // a listener's bug must not fail the run
    }
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.emit({ type: 'log', jobId: this.jobId, level, message });
  }

  private setState(state: JobState, message?: string): void {
    if (this.progress) this.progress.state = state;
    this.emit({ type: 'state', jobId: this.jobId, state, message });
  }

  private phase(phase: JobPhaseName, message?: string): void {
    this.emit({ type: 'phase', jobId: this.jobId, phase, ...(message ? { message } : {}) });
  }

  async run(): Promise<JobResult> {
    let source: Connection | null = null;
    let target: Connection | null = null;
    let reader: SnapshotReader | null = null;
    let connection: JobResult['connection'];
    let jobRowExists = false;
    const finish = (state: JobResult['state'], message?: string, details?: string[]): JobResult => ({
      jobId: this.jobId,
      state,
      rows: this.progress?.rows ?? 0,
      bytes: this.progress?.bytes ?? 0,
      seconds: (performance.now() - this.started) / 1000,
      message,
      details,
      watermarks: this.watermarks,
      ...(connection ? { connection } : {}),
      ...(this.retries ? { retries: this.retries } : {}),
    });
    try {
      const w = this.w;
      source = await connectAs(this.spec.source, 'source');
      target = await connectAs(this.spec.target, 'target');
      await this.checkReplicasReachable();
      const existing = this.opts.resumeJobId ?? (await this.findJob(target));
      this.jobId = existing ?? newJobId();
      jobRowExists = existing !== null;
      this.onId(this.jobId);
      this.setState('planning');
      this.phase('planning');
      if (existing && !this.opts.resumeJobId) this.log('info', `continuing job ${existing} from its stored mark`);
      this.log('warn', INCREMENTAL_BLIND_SPOTS);
      if (
        serverLabel({ ...this.spec.source, name: undefined }) === serverLabel({ ...this.spec.target, name: undefined }) &&
        this.spec.sourceDatabase === this.spec.targetDatabase
      ) {
        throw new RefusedError('source and target are the same database on the same server');
      }
      await this.lock(target);
      const overridden = await refuseReplicaTarget(target, serverName(this.spec.target), this.spec.allowReplicaTarget === true);
      for (const p of overridden) this.log('warn', `writing anyway (--allow-replica-target confirmed): ${p}`);

      // Everything that can refuse, before anything is written.
      const tables = await resolveTables(source, this.spec);
      const refusals: string[] = [];
      for (const name of tables) refusals.push(...watermarkProblems(await inspectTable(source, this.spec.sourceDatabase, name), w));
      if (refusals.length) throw refused(refusals);
      // Rows are upserted: a target table with rows is continued, never refused for that.
      const plans = await planTables(source, target, { ...this.spec, ifExists: 'upsert', allowNoKey: false }, tables, !jobRowExists);
      for (const p of plans) {
        if (!hasLeadingIndex(p.source, w.column)) {
          this.log('warn', `${p.source.name}: no index starts with ${w.column}, so each run scans the whole table (add one, e.g. KEY (${w.column}))`);
        }
      }
      const safety = w.safetySeconds ?? 0;
      const cut = safety > 0 ? await cutoffs(source, safety) : null;
      if (cut) this.log('info', `safety window ${safety} s: rows with ${w.column} after ${cut.utc} UTC are copied but stay above the mark, and are read again next run`);
      reader = await SnapshotReader.open(this.spec.source);
      const marks = jobRowExists ? await loadMarks(target, this.jobId) : new Map<string, { column: string; mark: StoredMark }>();
      const runs: TableRun[] = [];
      const reset: string[] = [];
      for (const plan of plans) {
        const info = plan.source;
        const col = info.columns.find((c) => c.name === w.column);
        if (!col || !info.key) throw new Error(`${info.name}: checked above`);
        const shape = new TableShape(info, cursorColumns(w.column, info.key.columns));
        if (col.nullable) {
          const nulls = await reader.countRows(shape, null, { sql: `${quoteIdent(w.column)} IS NULL`, values: [] });
          if (nulls > 0) {
            refusals.push(
              `${info.database}.${info.name}.${w.column} is NULL in ${nulls.toLocaleString('en-US')} row${nulls === 1 ? '' : 's'}, which an incremental copy would never read ` +
                `(NULL is below every mark); fill them (UPDATE ... SET ${w.column} = ... WHERE ${w.column} IS NULL) or choose a NOT NULL column`,
            );
            continue;
          }
        }
        let stored = marks.get(info.name)?.mark ?? null;
        // A mark says which rows the target holds: if the target table is gone or empty, it no longer does.
        if (stored && (!plan.exists || (await isEmpty(target, this.spec.targetDatabase, info.name)))) {
          this.log('warn', `${info.name}: the target table is ${plan.exists ? 'empty' : 'missing'} although the job's mark is ${w.column} = ${stored.value}: copying the table whole again`);
          stored = null;
          reset.push(info.name);
        }
        const q = quoteIdent(w.column);
        const bound = cut && isTemporalType(col.dataType) ? (col.dataType.toLowerCase() === 'timestamp' ? cut.utc : cut.local) : null;
        const passes: TableRun['passes'] = bound
          ? [
              { pass: 'settled', filter: { sql: `${q} <= ?`, values: [bound] } },
              { pass: 'recent', filter: { sql: `${q} > ?`, values: [bound] } },
            ]
          : [{ pass: 'settled', filter: null }];
        runs.push({ plan, shape, stored, expected: await reader.countRows(shape, stored ? cursorOf(stored) : null), passes });
      }
      if (refusals.length) throw refused(refusals);

      // Writes from here on.
      await ensureCheckpointSchema(target);
      await ensureMarkSchema(target);
      for (const name of reset) await dropMark(target, this.jobId, name);
      const known = new Set(jobRowExists ? (await jobTables(target, this.jobId)).map((t) => t.table) : []);
      if (!jobRowExists) await createJob(target, this.jobId, { ...this.spec, ifExists: 'upsert' });
      jobRowExists = true;
      for (const p of plans) if (!known.has(p.source.name)) await addJobTable(target, this.jobId, p.source.name, p.source.estimatedRows, p.source.key?.columns ?? []);
      await ensureDatabase(target, source, this.spec.sourceDatabase, this.spec.targetDatabase);
      for (const p of plans.filter((p) => !p.exists)) {
        const created = await createTable(target, p.source, this.spec.targetDatabase);
        this.log('info', createdMessage(p.source.name, created));
      }
      await setJobState(target, this.jobId, 'copying');
      this.emit({
        type: 'planned',
        jobId: this.jobId,
        snapshot: reader.position,
        tables: runs.map((r) => ({ table: r.plan.source.name, keyColumns: r.shape.keyColumns.map((k) => k.name), keyName: r.plan.source.key?.name ?? null, estimatedRows: r.expected, noKey: false })),
      });
      this.phase('copying');
      await this.copy(target, reader, runs);
      // An incremental job has no snapshot total: its listing's total is every row its runs upserted.
      await target.query(
        `UPDATE ${CHECKPOINT_DB}.jobs SET total_rows = (SELECT COALESCE(SUM(row_count), 0) FROM ${CHECKPOINT_DB}.chunks WHERE job_id = ?) WHERE id = ?`,
        [this.jobId, this.jobId],
      );
      await setJobState(target, this.jobId, 'done');
      this.setState('done');
      this.phase('done');
      return finish('done', INCREMENTAL_BLIND_SPOTS);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const state: JobResult['state'] = e instanceof RefusedError ? 'refused' : e instanceof CancelledError ? 'cancelled' : 'failed';
      if (e instanceof ConnectionFailedError) connection = e.failure;
      if (target && jobRowExists && state !== 'refused') await setJobState(target, this.jobId, state, e.message).catch(() => undefined);
      this.setState(state, e.message);
      return finish(state, e.message, e instanceof RefusedError ? e.details : undefined);
    } finally {
      this.progress?.stop();
      await reader?.close();
      await this.throttler?.close();
      await this.heartbeat?.stop();
      await closeQuietly(source);
      await closeQuietly(target);
    }
  }

  /** The stored incremental job this spec continues (same source, databases, tables and column), if any. */
  private async findJob(target: Connection): Promise<string | null> {
    if (!(await databaseExists(target, CHECKPOINT_DB))) return null;
    const rows = await queryRows(target, `SELECT id, spec FROM ${CHECKPOINT_DB}.jobs ORDER BY created_at DESC`);
    for (const r of rows) {
      let stored: JobSpec;
      try {
        stored = JSON.parse(String(r.spec)) as JobSpec;
      } catch {
        continue;
      }
      if (sameIncrementalJob(stored, this.spec)) return String(r.id);
    }
    return null;
  }

  /**
   * One run of a job at a time: a named lock on the target held by this run's control connection
   * (the server drops it when the connection goes, a kill -9 included).
   */
  private async lock(target: Connection): Promise<void> {
    const [r] = await queryRows(target, 'SELECT GET_LOCK(?, 0) AS got', [`rw_migrate.job.${this.jobId}`]);
    if (Number(r?.got) !== 1) {
      throw new RefusedError(`refused: job ${this.jobId} is running now (another rw-migrate process or the editor); wait for that run to finish`, [
        `job ${this.jobId} is running now (another rw-migrate process or the editor); wait for that run to finish`,
      ]);
    }
  }

  private async checkReplicasReachable(): Promise<void> {
    const all = [
      ...(this.spec.replicas ?? []).map((r) => ({ r, role: 'replica' as const })),
      ...(this.spec.sourceReplicas ?? []).map((r) => ({ r, role: 'source replica' as const })),
    ];
    for (const { r, role } of all) await closeQuietly(await connectAs(r, role));
  }

  private async buildThrottler(target: Connection): Promise<Throttler> {
    if (this.spec.heartbeat && (this.spec.replicas?.length ?? 0) > 0) {
      this.heartbeat = await CopyHeartbeat.start(target, this.spec.target, this.spec.heartbeat.database);
      this.log('info', `throttling on heartbeat ${this.spec.heartbeat.database}.heartbeat (server_id ${this.heartbeat.serverId}) read on each watched replica`);
    }
    return jobThrottler(this.spec, this.heartbeat, this.opts.probes);
  }

  private throttle(): Promise<void> {
    return waitUnthrottled(this.throttler, { jobId: this.jobId, progress: this.progress, emit: (e) => this.emit(e), cancelled: () => this.runGate.cancelled });
  }

  private async copy(target: Connection, reader: SnapshotReader, runs: TableRun[]): Promise<void> {
    const progress = new ProgressTracker(this.jobId, (e) => this.emit(e));
    this.progress = progress;
    progress.totalRows = runs.reduce((s, r) => s + r.expected, 0);
    progress.totalIsEstimate = false;
    this.throttler = await this.buildThrottler(target);
    const method = this.spec.method ?? 'load';
    // One writer: an increment is usually small, and one writer keeps the marks' order trivial.
    if ((this.spec.writers ?? 1) > 1) this.log('info', `incremental runs write with one writer (--writers ${this.spec.writers} applies to full copies)`);
    const writers = [await Writer.open(this.spec.target, method, 'upsert')];
    const sequencer = new CommitSequencer();
    const ctx: ChunkCommitContext = {
      spec: { ...this.spec, ifExists: 'upsert' },
      jobId: this.jobId,
      target,
      reader,
      writers,
      sequencer,
      cancelled: () => this.runGate.cancelled,
      lap: () => 0,
      onRetry: (what, n) => {
        this.retries++;
        this.emit(retryEvent(this.jobId, what, n));
      },
    };
    progress.start();
    this.setState(this.runGate.paused ? 'paused' : 'copying');
    let order = 0;
    try {
      for (const r of runs) {
        const name = r.plan.source.name;
        const [last] = await queryRows(target, `SELECT COALESCE(MAX(seq) + 1, 0) AS s FROM ${CHECKPOINT_DB}.chunks WHERE job_id = ? AND table_name = ?`, [this.jobId, name]);
        let seq = Number(last.s);
        const sizer = new ChunkSizer({
          targetSeconds: this.spec.chunkTimeSeconds ?? DEFAULTS.chunkTimeSeconds,
          initialRows: Math.min(this.spec.initialChunkRows ?? DEFAULTS.initialChunkRows, this.spec.maxChunkRows ?? DEFAULTS.maxChunkRows),
          minRows: 1,
          maxRows: this.spec.maxChunkRows ?? DEFAULTS.maxChunkRows,
          maxBytes: MAX_CHUNK_BYTES,
        });
        let cursor: KeyValue | null = r.stored ? cursorOf(r.stored) : null;
        let mark = r.stored;
        let written = 0;
        for (const pass of r.passes) {
          for (;;) {
            await this.runGate.pass();
            const limit = sizer.next();
            const chunk = await reader.readChunk(r.shape, { after: cursor, upTo: null }, limit, method, 2 * MAX_CHUNK_BYTES, pass.filter);
            if (chunk.rowCount === 0) break;
            sizer.observeWidth(chunk.rowCount, chunk.bytes);
            const moved = nextMark(pass.pass, mark, chunk.lastKey);
            await this.throttle();
            const item = {
              order: order++,
              shape: r.shape,
              seq: seq++,
              lo: cursor,
              chunk,
              also: moved && moved !== mark ? [saveMarkStatement(this.jobId, name, this.w.column, moved)] : undefined,
            };
            const loadSeconds = await commitChunk(ctx, 0, item);
            sequencer.committed(item.order);
            sizer.observe(chunk.rowCount, chunk.bytes, loadSeconds);
            progress.added(chunk.rowCount, chunk.bytes, name, item.seq);
            written += chunk.rowCount;
            mark = moved;
            cursor = chunk.lastKey;
            if (chunk.rowCount < limit && !chunk.truncated) break;
          }
        }
        // What this run wrote is all the snapshot has after the stored mark: nothing skipped, nothing doubled.
        selfCheck(name, written, r.expected);
        await markTableDone(target, this.jobId, name);
        this.watermarks.push({ table: name, mark: mark?.value ?? null, rows: written });
        this.emit({ type: 'table-done', jobId: this.jobId, table: name, rows: written });
        this.log('info', `${name}: ${written.toLocaleString('en-US')} rows upserted; mark ${this.w.column} = ${mark?.value ?? '(none: no rows yet)'}${mark && mark.key.length ? ` after key ${JSON.stringify(mark.key)}` : ''}`);
      }
      progress.maybeEmit(true);
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  }
}

function refused(reasons: string[]): RefusedError {
  return new RefusedError(`refused: ${reasons.length} problem${reasons.length > 1 ? 's' : ''}\n  ${reasons.join('\n  ')}`, reasons);
}
