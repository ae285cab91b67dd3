/**
 * The one view of a job, folded from its event stream by one pure reducer. The Jobs view (rows),
 * the progress panel (snapshots), the migration report (JobRecord) and the CLI all read it, so a
 * new event kind or a new phase is added here once and every reader sees it.
 *
 * Pure: no I/O, no clock (the caller passes `now`), no driver import, so the extension host and
 * webview pages may import it by path.
 */
import type { JobMode, JobPhaseName, JobResult, JobState, JobSummary, ProgressEvent, SnapshotPosition, StreamPosition, ThrottleState } from './types.js';

/**
 * How far along the migration is, apart from whether it runs (that is `state`: a paused or failed
 * job keeps the phase it stopped in). A full copy goes planning → copying → done; an incremental
 * run the same; a hybrid job planning → snapshot → catching-up → in-sync → cutting-over → done
 * (in-sync may fall back to catching-up when the source outpaces the apply).
 */
export type JobPhase = JobPhaseName;
export type { JobMode };

/** The phases of each job mode, in order (the progress panel and the CLI can show "step n of m"). */
export const PHASES: Record<JobMode, readonly JobPhase[]> = {
  full: ['planning', 'copying', 'done'],
  incremental: ['planning', 'copying', 'done'],
  hybrid: ['planning', 'snapshot', 'catching-up', 'in-sync', 'cutting-over', 'done'],
};

export const PHASE_TEXT: Record<JobPhase, string> = {
  planning: 'Planning',
  copying: 'Copying',
  snapshot: 'Snapshot',
  'catching-up': 'Catching up',
  'in-sync': 'In sync',
  'cutting-over': 'Cutting over',
  done: 'Done',
};

/** Where a hybrid job's change stream stands (null until its first `stream` event). */
export interface StreamView {
  events: number;
  transactions: number;
  eventsPerSecond: number;
  behindSeconds: number | null;
  behindEvents: number;
  position: StreamPosition;
}

export interface TableRecord {
  table: string;
  keyName: string | null;
  estimatedRows: number;
  /** Rows copied, once the table is done. */
  rows: number | null;
}

export interface JobView {
  jobId: string;
  /** The job's mode: which phases it goes through (PHASES). */
  mode: JobMode;
  state: JobState;
  phase: JobPhase;
  /** Epoch milliseconds. */
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  rows: number;
  bytes: number;
  totalRows: number;
  totalIsEstimate: boolean;
  rowsPerSecond: number;
  peakRowsPerSecond: number;
  etaSeconds: number | null;
  table: string | null;
  chunk: number;
  chunkRows: number;
  /** The planned tables (empty until planned); `rows` set as each is done. */
  tables: TableRecord[];
  tablesTotal: number;
  tablesDone: number;
  /** The consistent snapshot the copy read at: where replication from the source would resume. */
  snapshot: SnapshotPosition | null;
  /** Snapshots the job has read from (more than 1 once resumed); 0 before planning. */
  snapshotCount: number;
  /** Transient faults retried (deadlock, lock wait timeout, connection lost), and the first few as text. */
  retries: number;
  retryMessages: string[];
  throttle: ThrottleState;
  /** Milliseconds spent throttled up to `updatedAt` (a throttle still on keeps counting from `throttledSince`). */
  throttledMs: number;
  throttledSince: number | null;
  throttleEpisodes: number;
  /** Distinct throttle reasons, in order of first appearance (at most 20). */
  throttleReasons: string[];
  /** The last message a state change or the result gave. */
  message: string | null;
  /** Warnings the job logged (at most 100). */
  warnings: string[];
  /** Warnings and failures as a person reads them, newest last, without repeats in a row (at most 50). */
  errors: string[];
  /** Every state change, with when it happened (ISO time). */
  states: { state: JobState; at: string; message?: string }[];
  result: JobResult | null;
  /** Hybrid: the change stream's last report. */
  stream: StreamView | null;
  /** Hybrid: cut-over steps as they happened (newest last). */
  cutover: { step: string; message: string; at: string }[];
}

/** What the reducer folds: the worker's events, the finish, and a resume from the checkpoint. */
export type JobViewEvent = ProgressEvent | { type: 'finished'; jobId: string; result: JobResult } | { type: 'resuming'; jobId: string };

const MAX_REASONS = 20;
const MAX_WARNINGS = 100;
const MAX_ERRORS = 50;

const ACTIVE: ReadonlySet<JobState> = new Set(['planning', 'copying', 'paused']);

export function isActive(state: JobState): boolean {
  return ACTIVE.has(state);
}

/**
 * The phase a state change leads to; paused and the failures keep the phase they happened in. A
 * hybrid job's copy is its snapshot phase, and its later phases come from `phase` events (a
 * `copying` state does not move it back from catching-up).
 */
function phaseAfter(phase: JobPhase, state: JobState, mode: JobMode = 'full'): JobPhase {
  if (state === 'planning') return 'planning';
  if (state === 'done') return 'done';
  if (state === 'copying') {
    if (mode !== 'hybrid') return 'copying';
    return phase === 'planning' || phase === 'copying' ? 'snapshot' : phase;
  }
  return phase;
}

/** A job nothing is known about yet but its id (its first event came before its listing). */
export function emptyJobView(jobId: string, now: number): JobView {
  return {
    jobId,
    mode: 'full',
    state: 'planning',
    phase: 'planning',
    startedAt: now,
    updatedAt: now,
    finishedAt: null,
    rows: 0,
    bytes: 0,
    totalRows: 0,
    totalIsEstimate: true,
    rowsPerSecond: 0,
    peakRowsPerSecond: 0,
    etaSeconds: null,
    table: null,
    chunk: 0,
    chunkRows: 0,
    tables: [],
    tablesTotal: 0,
    tablesDone: 0,
    snapshot: null,
    snapshotCount: 0,
    retries: 0,
    retryMessages: [],
    throttle: { throttled: false },
    throttledMs: 0,
    throttledSince: null,
    throttleEpisodes: 0,
    throttleReasons: [],
    message: null,
    warnings: [],
    errors: [],
    states: [],
    result: null,
    stream: null,
    cutover: [],
  };
}

/** A job as a listing (or a start) describes it, before any of its events. */
export function initialJobView(summary: JobSummary): JobView {
  const created = Date.parse(summary.createdAt);
  const updated = Date.parse(summary.updatedAt);
  const view = emptyJobView(summary.id, Number.isFinite(created) ? created : 0);
  const snap = summary.snapshot;
  return {
    ...view,
    mode: summary.spec.mode,
    state: summary.state,
    phase: summary.phase ?? phaseAfter('planning', summary.state, summary.spec.mode),
    updatedAt: Number.isFinite(updated) ? updated : view.startedAt,
    rows: summary.rowsCopied,
    totalRows: summary.totalRows,
    tablesTotal: summary.spec.tables === 'all' ? 0 : summary.spec.tables.length,
    snapshot: snap.binlogFile !== null || snap.gtidBinlogPos !== null ? snap : null,
    message: summary.message,
  };
}

/** Accounts throttled time up to `now` and applies the new throttle state. */
function throttleTo(v: JobView, next: ThrottleState, now: number): void {
  if (v.throttledSince !== null) {
    v.throttledMs += Math.max(0, now - v.throttledSince);
    v.throttledSince = null;
  }
  if (next.throttled) {
    if (!v.throttle.throttled) v.throttleEpisodes++;
    v.throttledSince = now;
    const reason = next.reason ?? 'over limit';
    if (!v.throttleReasons.includes(reason) && v.throttleReasons.length < MAX_REASONS) v.throttleReasons = [...v.throttleReasons, reason];
  }
  v.throttle = next;
}

function addError(v: JobView, message: string): void {
  if (v.errors[v.errors.length - 1] === message) return;
  v.errors = [...v.errors, message].slice(-MAX_ERRORS);
}

/** Folds one event into a new view (the old one is not changed). */
export function reduceJobView(view: JobView, ev: JobViewEvent, now: number): JobView {
  const v: JobView = { ...view, updatedAt: now };
  // A finished job never goes back to an active state on a late event; only a resume reopens it.
  const finished = !isActive(view.state);
  switch (ev.type) {
    case 'planned':
      v.tables = ev.tables.map((t) => ({ table: t.table, keyName: t.keyName, estimatedRows: t.estimatedRows, rows: null }));
      v.tablesTotal = ev.tables.length;
      v.snapshot = ev.snapshot;
      v.snapshotCount = ev.snapshotCount ?? 1;
      // A resumed job has rows already: its progress events carry the total from here on.
      if (v.rows === 0) v.totalRows = ev.tables.reduce((sum, t) => sum + t.estimatedRows, 0);
      if (v.state === 'planning') v.state = 'copying';
      v.phase = phaseAfter(v.phase, v.state, v.mode);
      break;
    case 'progress':
      if (finished) break; // the result's counts are the truth once there is one
      Object.assign(v, {
        rows: ev.rows,
        bytes: ev.bytes,
        totalRows: ev.totalRows,
        totalIsEstimate: ev.totalIsEstimate,
        rowsPerSecond: ev.rowsPerSecond,
        peakRowsPerSecond: Math.max(v.peakRowsPerSecond, ev.rowsPerSecond),
        etaSeconds: ev.etaSeconds,
        table: ev.table,
        chunk: ev.chunk,
        chunkRows: ev.chunkRows,
        state: ev.state,
      });
      v.phase = phaseAfter(v.phase, ev.state, v.mode);
      throttleTo(v, ev.throttle, now);
      break;
    case 'table-done': {
      const known = v.tables.some((t) => t.table === ev.table);
      v.tables = known
        ? v.tables.map((t) => (t.table === ev.table ? { ...t, rows: ev.rows } : t))
        : [...v.tables, { table: ev.table, keyName: null, estimatedRows: ev.rows, rows: ev.rows }];
      v.tablesDone++;
      break;
    }
    case 'throttle':
      if (!finished) throttleTo(v, ev.throttle, now);
      break;
    case 'state':
      v.states = [...v.states, { state: ev.state, at: new Date(now).toISOString(), ...(ev.message ? { message: ev.message } : {}) }];
      if (!finished || !isActive(ev.state)) {
        v.state = ev.state;
        v.phase = phaseAfter(v.phase, ev.state, v.mode);
      }
      if (ev.message) v.message = ev.message;
      if (!isActive(v.state) || v.state === 'paused') throttleTo(v, { throttled: false }, now);
      if (ev.state === 'failed' && ev.message) addError(v, ev.message);
      break;
    case 'phase':
      if (!finished || ev.phase === 'done') v.phase = ev.phase;
      if (ev.message) v.message = ev.message;
      break;
    case 'stream':
      if (finished) break;
      v.stream = {
        events: ev.events,
        transactions: ev.transactions,
        eventsPerSecond: ev.eventsPerSecond,
        behindSeconds: ev.behindSeconds,
        behindEvents: ev.behindEvents,
        position: ev.position,
      };
      break;
    case 'cutover':
      v.cutover = [...v.cutover, { step: ev.step, message: ev.message, at: new Date(now).toISOString() }];
      if (ev.step === 'failed') addError(v, ev.message);
      break;
    case 'retry':
      v.retries++;
      if (v.retryMessages.length < MAX_REASONS) v.retryMessages = [...v.retryMessages, `${ev.what}: ${ev.cause}, attempt ${ev.attempt} (${ev.error})`];
      break;
    case 'log':
      if (ev.level === 'warn') {
        if (v.warnings.length < MAX_WARNINGS) v.warnings = [...v.warnings, ev.message];
        addError(v, ev.message);
      }
      break;
    case 'finished': {
      const r = ev.result;
      throttleTo(v, { throttled: false }, now);
      v.state = r.state;
      v.phase = phaseAfter(v.phase, r.state, v.mode);
      v.result = r;
      v.finishedAt = now;
      v.rows = r.rows;
      v.bytes = r.bytes;
      if (r.state === 'done') v.totalRows = Math.max(v.totalRows, r.rows);
      if (r.seconds > 0) v.rowsPerSecond = Math.round(r.rows / r.seconds);
      v.etaSeconds = null;
      v.message = r.message ?? v.message;
      if (r.state !== 'done' && r.message) addError(v, r.message);
      for (const d of r.details ?? []) addError(v, d);
      break;
    }
    case 'resuming':
      // The earlier run's "cancelled" or failure is not this run's; rows continue from the events.
      v.state = 'planning';
      v.result = null;
      v.finishedAt = null;
      v.errors = [];
      v.message = null;
      v.etaSeconds = null;
      break;
  }
  return v;
}

/** The phase as a person reads it, with its place in the job's phases: "Copying (2 of 3)". */
export function phaseText(view: Pick<JobView, 'mode' | 'phase'>): string {
  const phases = PHASES[view.mode];
  return `${PHASE_TEXT[view.phase]} (${phases.indexOf(view.phase) + 1} of ${phases.length})`;
}

/** Time throttled up to `now`, including a throttle still on. */
export function throttledMsAt(view: JobView, now: number): number {
  return view.throttledMs + (view.throttledSince === null ? 0 : Math.max(0, now - view.throttledSince));
}

/** Folds a whole recorded stream at once (a replay; the tests' way in). */
export function foldJobView(start: JobView, events: readonly { event: JobViewEvent; at: number }[]): JobView {
  return events.reduce((v, e) => reduceJobView(v, e.event, e.at), start);
}
