/**
 * Pure view model of the progress panel: what the page shows for a snapshot and its sample history.
 * DOM-free so it is unit-tested; the page (progress.ts) only copies these strings into elements.
 */
import type { JobState, ThrottleState } from '../engine/jobs/types.js';
import type { ProgressSample, ProgressSnapshot } from '../protocol/index.js';
import { formatDuration } from '../engine/jobs/format.js';

export interface ProgressView {
  title: string;
  stateText: string;
  /** Bar fill 0..100; null when the total is unknown (indeterminate bar). */
  percent: number | null;
  percentText: string;
  rowsText: string;
  rateText: string;
  etaText: string;
  throttled: boolean;
  throttleText: string;
  tableText: string;
  chunkText: string;
  errors: string[];
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  finished: boolean;
  ok: boolean;
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
  const percent = state === 'done' ? 100 : barPercent(s.rows, s.totalRows);
  const total = s.totalRows > 0 ? `${s.totalIsEstimate ? '~' : ''}${formatCount(s.totalRows)}` : 'unknown';
  const rowsText =
    state === 'done'
      ? `${formatCount(s.rows)} rows copied`
      : `${formatCount(s.rows)} of ${total} rows${s.totalIsEstimate && s.totalRows > 0 ? ' (estimated total)' : ' (exact total)'}`;
  let etaLine = etaText(s.etaSeconds, state, s.totalIsEstimate);
  if (finished) etaLine = s.result ? `Took ${formatDuration(s.result.seconds * 1000)}` : STATE_TEXT[state];
  const rate = finished ? (s.result && s.result.seconds > 0 ? s.result.rows / s.result.seconds : 0) : smoothRate(history, s.rowsPerSecond);
  const tables = s.tablesTotal > 0 ? ` (${s.tablesDone} of ${s.tablesTotal} tables done)` : '';
  return {
    title: `Copy job ${s.jobId}`,
    stateText: s.result?.message && state !== 'done' ? `${STATE_TEXT[state]}: ${s.result.message}` : STATE_TEXT[state],
    percent,
    percentText: percent === null ? '–' : `${percent.toFixed(1)}%`,
    rowsText,
    rateText: `${formatCount(rate)} rows/s${finished ? ' average' : ''}`,
    etaText: etaLine,
    throttled: !finished && s.throttle.throttled,
    throttleText: finished ? (s.throttledMs > 0 ? `Throttled for ${formatDuration(s.throttledMs)} in total` : 'Never throttled') : throttleText(s.throttle),
    tableText: s.table && !finished ? `Table ${s.table}${tables}` : s.tablesTotal > 0 ? `${s.tablesDone} of ${s.tablesTotal} tables done` : 'No table yet',
    chunkText: s.table && !finished ? `Chunk ${s.chunk}: ${formatCount(s.chunkRows)} rows` : '',
    errors: s.errors,
    canPause: !finished && (state === 'copying' || state === 'planning'),
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
