/**
 * Pure view model of the progress panel: what the page shows for a snapshot and its sample history.
 * DOM-free so it is unit-tested; the page (progress.ts) only copies these strings into elements.
 */
import type { JobMode, JobState, ThrottleState } from '../engine/jobs/types.js';
import type { ProgressSample, ProgressSnapshot, ProgressStream } from '../protocol/index.js';
import { formatDuration } from '../engine/jobs/format.js';
import { phaseText } from '../engine/jobs/jobView.js';

export interface ProgressView {
  title: string;
  stateText: string;
  /** Bar fill 0..100; null when the total is unknown (indeterminate bar). */
  percent: number | null;
  percentText: string;
  rowsText: string;
  /** The copy's rows/s; empty (the line hidden) once a hybrid job is past its snapshot: the stream's events/s is its rate then. */
  rateText: string;
  etaText: string;
  throttled: boolean;
  throttleText: string;
  tableText: string;
  /** Empty (the line hidden) where no chunk can come: finished, or a hybrid job past its snapshot. */
  chunkText: string;
  errors: string[];
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  finished: boolean;
  ok: boolean;
  mode: JobMode;
  /** "Catching up (3 of 6)" for hybrid and incremental jobs; empty for a full copy (its state says it). */
  phaseText: string;
  /** Hybrid: the change stream's figures (null before its first report). */
  stream: StreamText | null;
  /** Hybrid only: the Cut Over button is there; it is enabled only while the job is in sync. */
  showCutover: boolean;
  canCutover: boolean;
  /** Why Cut Over is not enabled now, or what the cut-over is doing. */
  cutoverText: string;
  /** After a cut-over: the statements that lift the block on the source, one per line (empty otherwise). */
  liftStatements: string[];
}

/** The change stream's lines; an empty text hides its line (the delay, rate and queue of a finished job are not live). */
export interface StreamText {
  behindText: string;
  /** The one events/s figure of the page (the Rate line is hidden in the stream phases). */
  eventsRateText: string;
  eventsBehindText: string;
  appliedText: string;
  positionText: string;
}

/** The delay behind the source as a person reads it. */
export function behindText(behindSeconds: number | null): string {
  if (behindSeconds === null) return 'not known yet (no change read)';
  if (behindSeconds <= 0) return 'none: at the source\'s current position';
  if (behindSeconds < 10) return `${behindSeconds.toFixed(1)} s behind the source`;
  return `${formatDuration(behindSeconds * 1000)} behind the source`;
}

export function streamText(s: ProgressStream, finished = false): StreamText {
  return {
    behindText: finished ? '' : behindText(s.behindSeconds),
    // The line's label says "Applying": the figure need not say it again.
    eventsRateText: finished ? '' : `${formatCount(s.eventsPerSecond)} events/s`,
    eventsBehindText: finished ? '' : `${formatCount(s.behindEvents)} event${s.behindEvents === 1 ? '' : 's'} behind`,
    appliedText: `${formatCount(s.events)} events in ${formatCount(s.transactions)} transactions`,
    positionText: `${s.position.file}:${s.position.position}`,
  };
}

const TITLE: Record<JobMode, string> = { full: 'Copy job', incremental: 'Incremental job', hybrid: 'Hybrid job' };

function cutoverState(s: ProgressSnapshot, finished: boolean): { can: boolean; text: string } {
  const steps = s.cutover ?? [];
  const last = steps[steps.length - 1];
  const report = s.result?.cutover;
  if (finished && report) {
    const verified = report.tables.every((t) => t.match) ? `every table matches (${report.tables.length} verified by checksum)` : 'verification found differences';
    return { can: false, text: `Cut over: ${verified}. Writes stay blocked on the source until you lift the block: run these when the application uses the target.` };
  }
  if (finished) return { can: false, text: last ? `Cut-over ${last.step}: ${last.message}` : '' };
  if (last && last.step !== 'failed') return { can: false, text: `Cut-over ${last.step}: ${last.message}` };
  if (s.phase === 'cutting-over') return { can: false, text: 'Cutting over…' };
  if (s.phase !== 'in-sync') return { can: false, text: 'Cut Over is offered once the target is in sync with the source.' };
  if (s.state === 'paused') return { can: false, text: 'Resume the job to cut over.' };
  return { can: true, text: last ? `The last cut-over failed: ${last.message}` : 'In sync: Cut Over blocks writes on the source, applies the last changes, verifies and stops.' };
}

const STATE_TEXT: Record<JobState, string> = {
  planning: 'Planning',
  copying: 'Copying',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  refused: 'Refused',
};

const nf = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return nf.format(Math.round(n));
}

/** Bar percentage, clamped to 0..100 (an estimated total can be overtaken); null without a total. */
export function barPercent(rows: number, totalRows: number): number | null {
  if (!(totalRows > 0)) return null;
  return Math.min(100, Math.max(0, (rows / totalRows) * 100));
}

/**
 * Exponentially weighted rate over the samples, newest weighing most (half-life in ms), so one
 * slow or fast chunk does not make the number jump. Falls back to `current` without samples.
 */
export function smoothRate(samples: readonly ProgressSample[], current: number, halfLifeMs = 5000): number {
  if (samples.length === 0) return current;
  const newest = samples[samples.length - 1].t;
  let weighted = 0;
  let weights = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    const age = newest - samples[i].t;
    if (age > halfLifeMs * 6) break;
    const w = Math.pow(0.5, age / halfLifeMs);
    weighted += w * samples[i].rowsPerSecond;
    weights += w;
  }
  return weights > 0 ? weighted / weights : current;
}

export function etaText(etaSeconds: number | null, state: JobState, estimate: boolean): string {
  if (state === 'paused') return 'ETA: paused';
  if (state === 'planning') return 'ETA: planning';
  if (etaSeconds === null || !Number.isFinite(etaSeconds)) return 'ETA: unknown';
  if (etaSeconds < 1) return 'ETA: under a second';
  return `ETA: ${estimate ? 'about ' : ''}${formatDuration(etaSeconds * 1000)}`;
}

export function throttleText(throttle: ThrottleState): string {
  if (!throttle.throttled) return 'Not throttled';
  return `Throttled: ${throttle.reason ?? 'over limit'}`;
}

function isFinished(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled' || state === 'refused';
}

export function progressView(s: ProgressSnapshot, history: readonly ProgressSample[]): ProgressView {
  const finished = isFinished(s.state) || s.result !== undefined;
  const state: JobState = s.result ? s.result.state : s.state;
  // A hybrid job past its snapshot has copied every row the snapshot had: the bar is full, whatever the estimate said.
  const following = s.mode === 'hybrid' && (s.phase === 'catching-up' || s.phase === 'in-sync' || s.phase === 'cutting-over');
  // Past the snapshot (following, or done after a cut-over) a hybrid job copies no rows: no rows/s and no chunk to show,
  // and its rows/s average over the whole run would count the hours it followed the stream.
  const pastSnapshot = following || (s.mode === 'hybrid' && s.phase === 'done');
  const percent = state === 'done' || following ? 100 : barPercent(s.rows, s.totalRows);
  const total = s.totalRows > 0 ? `${s.totalIsEstimate ? '~' : ''}${formatCount(s.totalRows)}` : 'unknown';
  const rowsText =
    state === 'done'
      ? `${formatCount(s.rows)} rows copied`
      : following
        ? `${formatCount(s.rows)} rows copied in the snapshot`
        : `${formatCount(s.rows)} of ${total} rows${s.totalIsEstimate && s.totalRows > 0 ? ' (estimated total)' : ' (exact total)'}`;
  let etaLine = etaText(s.etaSeconds, state, s.totalIsEstimate);
  if (following) etaLine = 'Snapshot copied; following the source\'s changes';
  if (finished) etaLine = s.result ? `Took ${formatDuration(s.result.seconds * 1000)}` : STATE_TEXT[state];
  const rate = finished ? (s.result && s.result.seconds > 0 ? s.result.rows / s.result.seconds : 0) : smoothRate(history, s.rowsPerSecond);
  const tables = s.tablesTotal > 0 ? ` (${s.tablesDone} of ${s.tablesTotal} tables done)` : '';
  const mode: JobMode = s.mode ?? 'full';
  const cutover = cutoverState(s, finished);
  return {
    mode,
    phaseText: mode === 'full' || !s.phase ? '' : phaseText({ mode, phase: s.phase }),
    stream: s.stream ? streamText(s.stream, finished) : null,
    showCutover: mode === 'hybrid',
    canCutover: mode === 'hybrid' && cutover.can,
    cutoverText: mode === 'hybrid' ? cutover.text : '',
    liftStatements: mode === 'hybrid' && finished ? (s.result?.cutover?.lift ?? []).map((l) => (l.trimEnd().endsWith(';') ? l : `${l};`)) : [],
    title: `${TITLE[mode]} ${s.jobId}`,
    // A hybrid or incremental job's phase line says what it does; its badge says only that it runs.
    stateText:
      s.result?.message && state !== 'done'
        ? `${STATE_TEXT[state]}: ${s.result.message}`
        : state === 'copying' && (s.mode ?? 'full') !== 'full'
          ? 'Running'
          : STATE_TEXT[state],
    percent,
    percentText: percent === null ? '–' : `${percent.toFixed(1)}%`,
    rowsText,
    rateText: pastSnapshot ? '' : `${formatCount(rate)} rows/s${finished ? ' average' : ''}`,
    etaText: etaLine,
    throttled: !finished && s.throttle.throttled,
    throttleText: finished ? (s.throttledMs > 0 ? `Throttled for ${formatDuration(s.throttledMs)} in total` : 'Never throttled') : throttleText(s.throttle),
    tableText:
      following && !finished
        ? `${s.tablesDone} of ${s.tablesTotal} tables copied`
        : s.table && !finished
          ? `Table ${s.table}${tables}`
          : s.tablesTotal > 0
            ? `${s.tablesDone} of ${s.tablesTotal} tables done`
            : 'No table yet',
    chunkText: finished || pastSnapshot ? '' : s.table ? `Chunk ${s.chunk}: ${formatCount(s.chunkRows)} rows` : '–',
    errors: s.errors,
    // a hybrid job pauses in its snapshot and stream phases; a cut-over in progress must finish
    canPause: !finished && (state === 'copying' || state === 'planning') && s.phase !== 'cutting-over',
    canResume: !finished && state === 'paused',
    canCancel: !finished,
    finished,
    ok: state !== 'failed' && state !== 'refused' && s.errors.length === 0,
  };
}

/** uPlot's columnar data: seconds since the first sample, rows/s, lag seconds (null gaps). */
export function chartData(history: readonly ProgressSample[]): [number[], number[], (number | null)[]] {
  const t0 = history.length ? history[0].t : 0;
  return [history.map((h) => (h.t - t0) / 1000), history.map((h) => h.rowsPerSecond), history.map((h) => h.lagSeconds)];
}

/** A hybrid job's chart adds events applied per second (rate axis) and the delay behind the source (seconds axis). */
export function hybridChartData(history: readonly ProgressSample[]): [number[], number[], (number | null)[], number[], (number | null)[]] {
  const [t, rows, lag] = chartData(history);
  return [t, rows, lag, history.map((h) => h.eventsPerSecond ?? 0), history.map((h) => h.behindSeconds ?? null)];
}

/** A chart needs a line: at least two samples. */
export function chartWorthShowing(history: readonly ProgressSample[]): boolean {
  return history.length >= 2;
}

/** Appends new samples to a history (skipping ones already held), keeping at most `max`. */
export function mergeSamples(history: ProgressSample[], samples: readonly ProgressSample[], max = 3600): ProgressSample[] {
  const lastT = history.length ? history[history.length - 1].t : Number.NEGATIVE_INFINITY;
  const merged = history.concat(samples.filter((s) => s.t > lastT));
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}
