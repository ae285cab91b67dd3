/**
 * The Jobs view's state, free of vscode: one row per job, each holding the job's JobView (folded
 * by the engine's one reducer from listings, live events and finishes) and what only the view
 * needs (labels, endpoints, live/interrupted). The tree renders rows; the progress panel listens
 * here too, because the worker client allows only one handler per notification method.
 */
import type { JobResult, JobState, JobSummary, ProgressEvent, ServerSpec } from '../engine/jobs/types.js';
import { emptyJobView, initialJobView, isActive, phaseText, reduceJobView, type JobPhase, type JobView } from '../engine/jobs/jobView.js';
import { formatDuration } from '../engine/jobs/format.js';

export { isActive };

/** Where a job reads and writes, without passwords (from its stored spec): what Resume needs. */
export interface JobEndpoints {
  source: ServerSpec;
  target: ServerSpec;
  sourceDatabase: string;
  targetDatabase: string;
}

export interface JobRow {
  id: string;
  /** Everything the job's events and listings said, from the one reducer. */
  view: JobView;
  /** "shop.orders → target:3307/shop" */
  label: string;
  source: string;
  target: string;
  tables: string[] | 'all';
  /** True when the row was seen live in this session (events or a start), false when only listed. */
  live: boolean;
  /**
   * True when the target's checkpoint says planning/copying/paused but no worker runs the job (the
   * window was reloaded or the worker died): only Resume from the checkpoint continues it.
   */
  interrupted: boolean;
  /** Source and target servers (no passwords); null for a row known only from its events. */
  endpoints: JobEndpoints | null;
}

export type JobsChange = { kind: 'rows' } | { kind: 'event'; event: ProgressEvent } | { kind: 'finished'; result: JobResult };
export type JobsListener = (change: JobsChange) => void;

/** Running and not cutting over (a hybrid job pauses in its snapshot and stream phases; a cut-over must finish). */
export function canPause(state: JobState, phase?: JobPhase): boolean {
  return (state === 'planning' || state === 'copying') && phase !== 'cutting-over';
}

export function canResume(state: JobState): boolean {
  return state === 'paused';
}

export function canCancel(state: JobState): boolean {
  return isActive(state);
}

/** A hybrid job in sync, run by a worker of this window, may be cut over (the Cut Over button and menu). */
export function canCutover(row: Pick<JobRow, 'view' | 'interrupted'>): boolean {
  const v = row.view;
  return v.mode === 'hybrid' && v.phase === 'in-sync' && (v.state === 'copying' || v.state === 'planning') && !row.interrupted;
}

/**
 * Sync Changes Since the Copy applies to a finished full copy (the binlog since its snapshot) and to
 * a finished incremental run (its next increment, from the stored marks).
 */
export function canSync(view: Pick<JobView, 'mode' | 'state'>): boolean {
  return view.state === 'done' && (view.mode === 'full' || view.mode === 'incremental');
}

/**
 * Sync From Another Server (a failover: the stream continues by GTID on another server) is a binlog
 * sync: a finished full copy only; an incremental job reads its own source by watermark.
 */
export function canSyncFrom(view: Pick<JobView, 'mode' | 'state'>): boolean {
  return view.state === 'done' && view.mode === 'full';
}

/**
 * What Resume does for a row: `unpause` a live paused job (JobControlRequest 'resume'), `checkpoint`
 * to continue a cancelled, failed or interrupted job from its target's checkpoint (ResumeJobRequest,
 * passwords resolved again), or null when there is nothing to resume (running, done, refused).
 */
export type ResumeKind = 'unpause' | 'checkpoint';

export function resumeKind(row: { state: JobState; interrupted: boolean }): ResumeKind | null {
  const { state } = row;
  if (row.interrupted && isActive(state)) return 'checkpoint';
  if (state === 'paused') return 'unpause';
  if (state === 'cancelled' || state === 'failed') return 'checkpoint';
  return null;
}

/** resumeKind for a Jobs view row. */
export function rowResume(row: JobRow): ResumeKind | null {
  return resumeKind({ state: row.view.state, interrupted: row.interrupted });
}

/** The details a row lists: the result's reasons when it has them, else the latest warnings. */
export function rowDetails(view: JobView): string[] {
  return view.result?.details ?? view.warnings.slice(-20);
}

function strip(server: ServerSpec): ServerSpec {
  const { password: _password, ...rest } = server;
  return rest;
}

function hostLabel(server: { name?: string; host: string; port: number }): string {
  return `${server.host}:${server.port}`;
}

function tablesLabel(tables: string[] | 'all'): string {
  if (tables === 'all') return '*';
  return tables.length === 1 ? tables[0] : `${tables.length} tables`;
}

function rowFromSummary(s: JobSummary): JobRow {
  const { spec } = s;
  const source = hostLabel(spec.source);
  const target = hostLabel(spec.target);
  return {
    id: s.id,
    view: initialJobView(s),
    label: `${spec.sourceDatabase}.${tablesLabel(spec.tables)} → ${target}/${spec.targetDatabase}`,
    source: `${source}/${spec.sourceDatabase}`,
    target: `${target}/${spec.targetDatabase}`,
    tables: spec.tables,
    live: false,
    interrupted: false,
    endpoints: { source: strip(spec.source), target: strip(spec.target), sourceDatabase: spec.sourceDatabase, targetDatabase: spec.targetDatabase },
  };
}

function placeholder(jobId: string, now: number): JobRow {
  return { id: jobId, view: emptyJobView(jobId, now), label: `job ${jobId}`, source: '?', target: '?', tables: [], live: true, interrupted: false, endpoints: null };
}

export class JobsModel {
  private readonly rows = new Map<string, JobRow>();
  private readonly listeners = new Set<JobsListener>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  onChange(listener: JobsListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(id: string): JobRow | undefined {
    return this.rows.get(id);
  }

  /** Active jobs first, then the newest. */
  list(): JobRow[] {
    return [...this.rows.values()].sort(
      (a, b) => Number(isActive(b.view.state)) - Number(isActive(a.view.state)) || b.view.startedAt - a.view.startedAt || a.id.localeCompare(b.id),
    );
  }

  /** Merges a ListJobs answer. A live row keeps its richer progress unless the listing is further along. */
  applySummaries(summaries: JobSummary[]): void {
    for (const s of summaries) {
      const fresh = rowFromSummary(s);
      const known = this.rows.get(s.id);
      if (!known) {
        this.rows.set(s.id, fresh);
        continue;
      }
      const keepLive = known.live && !(isActive(known.view.state) && !isActive(s.state));
      this.rows.set(
        s.id,
        keepLive
          ? { ...known, label: fresh.label, source: fresh.source, target: fresh.target, tables: fresh.tables, endpoints: fresh.endpoints }
          : {
              ...fresh,
              // The listing is further along; the warnings the events gave (a listing has none) stay.
              view: { ...fresh.view, warnings: known.view.warnings, errors: known.view.errors },
              live: known.live,
              interrupted: known.interrupted && isActive(fresh.view.state),
            },
      );
    }
    this.emit({ kind: 'rows' });
  }

  /**
   * After a listing: `held` are the ids a worker runs now. A row the checkpoint calls active that no
   * worker holds (and this session has not seen running) is interrupted.
   */
  markHeld(held: ReadonlySet<string>): void {
    for (const [id, row] of this.rows) {
      const interrupted = isActive(row.view.state) && !held.has(id) && !row.live;
      if (interrupted !== row.interrupted) this.rows.set(id, { ...row, interrupted });
    }
    this.emit({ kind: 'rows' });
  }

  /**
   * A Resume from the checkpoint was sent: the row is active again (so its events count) until they
   * or the finish say otherwise. Returns the row as it was, for `restore` when the request fails.
   */
  applyResuming(id: string): JobRow | undefined {
    const known = this.rows.get(id);
    if (!known) return undefined;
    this.rows.set(id, { ...known, view: reduceJobView(known.view, { type: 'resuming', jobId: id }, this.clock().getTime()), interrupted: false, live: true });
    this.emit({ kind: 'rows' });
    return known;
  }

  /**
   * The worker that ran this session's jobs is gone (a crash, Restart Worker): no active row is live
   * any more, so the next listing's markHeld calls those no new worker holds interrupted.
   */
  forgetLive(): void {
    for (const [id, row] of this.rows) if (row.live && isActive(row.view.state)) this.rows.set(id, { ...row, live: false });
    this.emit({ kind: 'rows' });
  }

  /** Puts a row back as it was (a failed Resume request). */
  restore(row: JobRow): void {
    this.rows.set(row.id, row);
    this.emit({ kind: 'rows' });
  }

  /** Records a job this session just started, before its first event arrives. */
  applyStarted(summary: JobSummary): void {
    const fresh = rowFromSummary(summary);
    // The worker's first events can arrive before the start's answer: keep what they said, with the spec's mode.
    const known = this.rows.get(summary.id);
    this.rows.set(summary.id, { ...fresh, view: known ? { ...known.view, mode: summary.spec.mode } : fresh.view, live: true });
    this.emit({ kind: 'rows' });
  }

  applyEvent(event: ProgressEvent): void {
    this.fold(event.jobId, event);
    this.emit({ kind: 'event', event });
  }

  applyResult(result: JobResult): void {
    this.fold(result.jobId, { type: 'finished', jobId: result.jobId, result });
    this.emit({ kind: 'finished', result });
  }

  private fold(jobId: string, event: Parameters<typeof reduceJobView>[1]): void {
    const now = this.clock().getTime();
    const known = this.rows.get(jobId) ?? placeholder(jobId, now);
    this.rows.set(jobId, { ...known, view: reduceJobView(known.view, event, now), live: true, interrupted: false });
  }

  /** Drops finished rows (the Jobs view's Clear Finished). */
  clearFinished(): void {
    for (const [id, row] of this.rows) if (!isActive(row.view.state)) this.rows.delete(id);
    this.emit({ kind: 'rows' });
  }

  private emit(change: JobsChange): void {
    for (const l of [...this.listeners]) l(change);
  }
}

const numberFormat = new Intl.NumberFormat('en-US');

const FOLLOWING: ReadonlySet<string> = new Set(['catching-up', 'in-sync', 'cutting-over']);

/** The tree description, e.g. "45% · 12,300 rows/s · throttled", or "In sync (4 of 6) · 0.4 s behind · 120 events/s". */
export function describeRow(row: JobRow): string {
  const v = row.view;
  const parts: string[] = [];
  // Hybrid and incremental jobs say where they are; a full copy's state says it.
  const phased = v.mode !== 'full' && !row.interrupted;
  if (phased && isActive(v.state)) parts.push(phaseText(v));
  if (phased && isActive(v.state) && v.mode === 'hybrid' && FOLLOWING.has(v.phase)) {
    if (v.state === 'paused') parts.push('paused');
    const s = v.stream;
    if (s) {
      parts.push(s.behindSeconds === null ? 'delay unknown' : s.behindSeconds <= 0 ? 'up to date' : `${s.behindSeconds < 10 ? s.behindSeconds.toFixed(1) : numberFormat.format(Math.round(s.behindSeconds))} s behind`);
      parts.push(`${numberFormat.format(Math.round(s.eventsPerSecond))} events/s`);
    }
    if (v.throttle.throttled) parts.push('throttled');
    return parts.join(' · ');
  }
  if (phased && !isActive(v.state) && v.state !== 'done') {
    parts.push(`${v.state} in ${phaseText(v)}`, `${numberFormat.format(v.rows)} rows`);
    return parts.join(' · ');
  }
  if (row.interrupted) {
    parts.push(`interrupted (${v.state})`, `${numberFormat.format(v.rows)} rows`);
  } else if (isActive(v.state)) {
    if (v.totalRows > 0) parts.push(`${Math.min(100, Math.floor((v.rows / v.totalRows) * 100))}%`);
    else parts.push(v.state);
    if (v.state === 'paused') {
      if (v.totalRows > 0) parts.push('paused');
    } else if (v.rowsPerSecond > 0) {
      parts.push(`${numberFormat.format(Math.round(v.rowsPerSecond))} rows/s`);
    }
    if (v.throttle.throttled) parts.push('throttled');
  } else {
    parts.push(v.state);
    parts.push(`${numberFormat.format(v.rows)} rows`);
  }
  return parts.join(' · ');
}

/** Encodes what the row allows, for regex `when` clauses: `type=job,state=copying,pause,cancel` (also `sync`, `syncfrom`, `cutover`). */
export function rowContext(row: JobRow): string {
  const { state } = row.view;
  const facts = [`type=job`, `state=${state}`];
  if (canPause(state, row.view.phase) && !row.interrupted) facts.push('pause');
  if (rowResume(row)) facts.push('resume');
  if (canCancel(state) && !row.interrupted) facts.push('cancel');
  if (canSync(row.view)) facts.push('sync');
  if (canSyncFrom(row.view)) facts.push('syncfrom');
  if (canCutover(row)) facts.push('cutover');
  return facts.join(',');
}

/** A readable multi-line summary, for a tooltip or a text document. */
export function summarizeRow(row: JobRow): string {
  const v = row.view;
  const lines = [
    `Job ${row.id}: ${v.state}${row.interrupted ? ' (interrupted: no worker runs it; Resume continues from the checkpoint)' : ''}`,
    `Mode: ${v.mode}`,
    `Phase: ${phaseText(v)}`,
    `Source: ${row.source}`,
    `Target: ${row.target}`,
    `Tables: ${row.tables === 'all' ? 'all' : row.tables.join(', ') || '?'}`,
    `Rows: ${numberFormat.format(v.rows)}${v.totalRows > 0 ? ` of ${v.totalIsEstimate ? '~' : ''}${numberFormat.format(v.totalRows)}` : ''}`,
  ];
  if (v.tablesTotal > 0) lines.push(`Tables done: ${v.tablesDone} of ${v.tablesTotal}`);
  // A hybrid job following the stream has copied its snapshot: the copy's rate and table are history.
  const copying = !(v.mode === 'hybrid' && FOLLOWING.has(v.phase));
  if (v.rowsPerSecond > 0 && copying) lines.push(`Rate: ${numberFormat.format(Math.round(v.rowsPerSecond))} rows/s`);
  if (v.etaSeconds !== null && isActive(v.state) && copying) lines.push(`ETA: ${formatDuration(v.etaSeconds * 1000)}`);
  if (v.table && isActive(v.state) && copying) lines.push(`Current table: ${v.table}`);
  if (v.throttle.throttled) lines.push(`Throttled: ${v.throttle.reason ?? 'yes'}`);
  if (v.stream) {
    const s = v.stream;
    lines.push(
      `Change stream: ${numberFormat.format(s.events)} events applied at ${s.position.file}:${s.position.position}, ${numberFormat.format(Math.round(s.eventsPerSecond))} events/s, ${numberFormat.format(s.behindEvents)} queued, ${s.behindSeconds === null ? 'delay unknown' : `${s.behindSeconds.toFixed(1)} s behind the source`}`,
    );
  }
  for (const c of v.cutover.slice(-3)) lines.push(`Cut-over ${c.step}: ${c.message}`);
  if (v.message) lines.push(`Message: ${v.message}`);
  for (const d of rowDetails(v)) lines.push(`  - ${d}`);
  lines.push(`Created: ${new Date(v.startedAt).toISOString()}`, `Updated: ${new Date(v.updatedAt).toISOString()}`);
  return lines.join('\n');
}
