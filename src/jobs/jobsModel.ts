/**
 * The Jobs view's state, free of vscode: folds job summaries (ListJobs), live progress events and
 * finish notifications into one row per job. The tree renders rows; the progress panel can listen
 * here too, because the worker client allows only one handler per notification method.
 */
import type { JobResult, JobState, JobSummary, ProgressEvent, ServerSpec, ThrottleState } from '../engine/jobs/types.js';

/** Where a job reads and writes, without passwords (from its stored spec): what Resume needs. */
export interface JobEndpoints {
  source: ServerSpec;
  target: ServerSpec;
}

export interface JobRow {
  id: string;
  state: JobState;
  /** "shop.orders → target:3307/shop" */
  label: string;
  source: string;
  target: string;
  tables: string[] | 'all';
  rows: number;
  totalRows: number;
  totalIsEstimate: boolean;
  rowsPerSecond: number;
  etaSeconds: number | null;
  table: string | null;
  tablesTotal: number;
  tablesDone: number;
  throttle: ThrottleState;
  message: string | null;
  details: string[];
  createdAt: string;
  updatedAt: string;
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

const ACTIVE: ReadonlySet<JobState> = new Set(['planning', 'copying', 'paused']);

export function isActive(state: JobState): boolean {
  return ACTIVE.has(state);
}

export function canPause(state: JobState): boolean {
  return state === 'planning' || state === 'copying';
}

export function canResume(state: JobState): boolean {
  return state === 'paused';
}

export function canCancel(state: JobState): boolean {
  return isActive(state);
}

/**
 * What Resume does for a row: `unpause` a live paused job (JobControlRequest 'resume'), `checkpoint`
 * to continue a cancelled, failed or interrupted job from its target's checkpoint (ResumeJobRequest,
 * passwords resolved again), or null when there is nothing to resume (running, done, refused).
 */
export type ResumeKind = 'unpause' | 'checkpoint';

export function resumeKind(row: Pick<JobRow, 'state' | 'interrupted'>): ResumeKind | null {
  if (row.interrupted && isActive(row.state)) return 'checkpoint';
  if (row.state === 'paused') return 'unpause';
  if (row.state === 'cancelled' || row.state === 'failed') return 'checkpoint';
  return null;
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
    state: s.state,
    label: `${spec.sourceDatabase}.${tablesLabel(spec.tables)} → ${target}/${spec.targetDatabase}`,
    source: `${source}/${spec.sourceDatabase}`,
    target: `${target}/${spec.targetDatabase}`,
    tables: spec.tables,
    rows: s.rowsCopied,
    totalRows: s.totalRows,
    totalIsEstimate: true,
    rowsPerSecond: 0,
    etaSeconds: null,
    table: null,
    tablesTotal: spec.tables === 'all' ? 0 : spec.tables.length,
    tablesDone: 0,
    throttle: { throttled: false },
    message: s.message,
    details: [],
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    live: false,
    interrupted: false,
    endpoints: { source: strip(spec.source), target: strip(spec.target) },
  };
}

function placeholder(jobId: string, now: string): JobRow {
  return {
    id: jobId,
    state: 'planning',
    label: `job ${jobId}`,
    source: '?',
    target: '?',
    tables: [],
    rows: 0,
    totalRows: 0,
    totalIsEstimate: true,
    rowsPerSecond: 0,
    etaSeconds: null,
    table: null,
    tablesTotal: 0,
    tablesDone: 0,
    throttle: { throttled: false },
    message: null,
    details: [],
    createdAt: now,
    updatedAt: now,
    live: true,
    interrupted: false,
    endpoints: null,
  };
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
      (a, b) => Number(isActive(b.state)) - Number(isActive(a.state)) || b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id),
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
      const keepLive = known.live && !(isActive(known.state) && !isActive(s.state));
      this.rows.set(
        s.id,
        keepLive
          ? { ...known, label: fresh.label, source: fresh.source, target: fresh.target, tables: fresh.tables, endpoints: fresh.endpoints }
          : { ...fresh, live: known.live, details: known.details, interrupted: known.interrupted && isActive(fresh.state) },
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
      const interrupted = isActive(row.state) && !held.has(id) && !row.live;
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
    this.rows.set(id, { ...known, state: 'planning', message: null, interrupted: false, live: true, etaSeconds: null, updatedAt: this.clock().toISOString() });
    this.emit({ kind: 'rows' });
    return known;
  }

  /** Puts a row back as it was (a failed Resume request). */
  restore(row: JobRow): void {
    this.rows.set(row.id, row);
    this.emit({ kind: 'rows' });
  }

  /** Records a job this session just started, before its first event arrives. */
  applyStarted(summary: JobSummary): void {
    this.rows.set(summary.id, { ...rowFromSummary(summary), live: true });
    this.emit({ kind: 'rows' });
  }

  applyEvent(event: ProgressEvent): void {
    const now = this.clock().toISOString();
    const row: JobRow = { ...(this.rows.get(event.jobId) ?? placeholder(event.jobId, now)), updatedAt: now, live: true, interrupted: false };
    // A finished row never goes back to an active state on a late event.
    const finished = !isActive(row.state);
    switch (event.type) {
      case 'planned':
        row.tablesTotal = event.tables.length;
        row.totalRows = event.tables.reduce((n, t) => n + t.estimatedRows, 0);
        if (!finished) row.state = 'copying';
        break;
      case 'progress':
        row.rows = event.rows;
        row.totalRows = event.totalRows;
        row.totalIsEstimate = event.totalIsEstimate;
        row.rowsPerSecond = event.rowsPerSecond;
        row.etaSeconds = event.etaSeconds;
        row.table = event.table;
        row.throttle = event.throttle;
        if (!finished) row.state = event.state;
        break;
      case 'table-done':
        row.tablesDone += 1;
        break;
      case 'throttle':
        row.throttle = event.throttle;
        break;
      case 'state':
        if (!finished || !isActive(event.state)) row.state = event.state;
        if (event.message) row.message = event.message;
        break;
      case 'log':
        if (event.level === 'warn') row.details = [...row.details, event.message].slice(-20);
        break;
    }
    this.rows.set(event.jobId, row);
    this.emit({ kind: 'event', event });
  }

  applyResult(result: JobResult): void {
    const now = this.clock().toISOString();
    const row: JobRow = { ...(this.rows.get(result.jobId) ?? placeholder(result.jobId, now)) };
    row.state = result.state;
    row.rows = result.rows;
    if (result.state === 'done') row.totalRows = Math.max(row.totalRows, result.rows);
    row.rowsPerSecond = result.seconds > 0 ? Math.round(result.rows / result.seconds) : row.rowsPerSecond;
    row.etaSeconds = null;
    row.throttle = { throttled: false };
    row.message = result.message ?? row.message;
    row.details = result.details ?? row.details;
    row.updatedAt = now;
    row.live = true;
    row.interrupted = false;
    this.rows.set(result.jobId, row);
    this.emit({ kind: 'finished', result });
  }

  /** Drops finished rows (the Jobs view's Clear Finished). */
  clearFinished(): void {
    for (const [id, row] of this.rows) if (!isActive(row.state)) this.rows.delete(id);
    this.emit({ kind: 'rows' });
  }

  private emit(change: JobsChange): void {
    for (const l of [...this.listeners]) l(change);
  }
}

const numberFormat = new Intl.NumberFormat('en-US');

/** The tree description, e.g. "45% · 12,300 rows/s · throttled". */
export function describeRow(row: JobRow): string {
  const parts: string[] = [];
  if (row.interrupted) {
    parts.push(`interrupted (${row.state})`, `${numberFormat.format(row.rows)} rows`);
  } else if (isActive(row.state)) {
    if (row.totalRows > 0) parts.push(`${Math.min(100, Math.floor((row.rows / row.totalRows) * 100))}%`);
    else parts.push(row.state);
    if (row.state === 'paused') {
      if (row.totalRows > 0) parts.push('paused');
    } else if (row.rowsPerSecond > 0) {
      parts.push(`${numberFormat.format(Math.round(row.rowsPerSecond))} rows/s`);
    }
    if (row.throttle.throttled) parts.push('throttled');
  } else {
    parts.push(row.state);
    parts.push(`${numberFormat.format(row.rows)} rows`);
  }
  return parts.join(' · ');
}

/** Encodes what the row allows, for regex `when` clauses: `type=job,state=copying,pause,cancel`. */
export function rowContext(row: JobRow): string {
  const facts = [`type=job`, `state=${row.state}`];
  if (canPause(row.state) && !row.interrupted) facts.push('pause');
  if (resumeKind(row)) facts.push('resume');
  if (canCancel(row.state) && !row.interrupted) facts.push('cancel');
  return facts.join(',');
}

/** A readable multi-line summary, for a tooltip or a text document. */
export function summarizeRow(row: JobRow): string {
  const lines = [
    `Job ${row.id}: ${row.state}${row.interrupted ? ' (interrupted: no worker runs it; Resume continues from the checkpoint)' : ''}`,
    `Source: ${row.source}`,
    `Target: ${row.target}`,
    `Tables: ${row.tables === 'all' ? 'all' : row.tables.join(', ') || '?'}`,
    `Rows: ${numberFormat.format(row.rows)}${row.totalRows > 0 ? ` of ${row.totalIsEstimate ? '~' : ''}${numberFormat.format(row.totalRows)}` : ''}`,
  ];
  if (row.tablesTotal > 0) lines.push(`Tables done: ${row.tablesDone} of ${row.tablesTotal}`);
  if (row.rowsPerSecond > 0) lines.push(`Rate: ${numberFormat.format(Math.round(row.rowsPerSecond))} rows/s`);
  if (row.etaSeconds !== null && isActive(row.state)) lines.push(`ETA: ${Math.round(row.etaSeconds)} s`);
  if (row.table && isActive(row.state)) lines.push(`Current table: ${row.table}`);
  if (row.throttle.throttled) lines.push(`Throttled: ${row.throttle.reason ?? 'yes'}`);
  if (row.message) lines.push(`Message: ${row.message}`);
  for (const d of row.details) lines.push(`  - ${d}`);
  lines.push(`Created: ${row.createdAt}`, `Updated: ${row.updatedAt}`);
  return lines.join('\n');
}
