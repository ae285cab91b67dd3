import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressSnapshot } from '../../src/protocol/index.js';
import { barPercent, chartData, chartWorthShowing, etaText, mergeSamples, progressView, smoothRate, throttleText } from '../../src/webview-pages/progressView.js';

function snapshot(over: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    jobId: 'j-7f3a',
    state: 'copying',
    startedAt: 1_000,
    updatedAt: 61_000,
    rows: 450_000,
    bytes: 90_000_000,
    totalRows: 1_000_000,
    totalIsEstimate: true,
    rowsPerSecond: 7_500,
    etaSeconds: 73,
    table: 'orders',
    chunk: 12,
    chunkRows: 5_000,
    tablesTotal: 8,
    tablesDone: 3,
    throttle: { throttled: false },
    throttledMs: 0,
    errors: [],
    ...over,
  };
}

test('bar percentage: clamps an overtaken estimate, unknown without a total', () => {
  assert.equal(barPercent(450_000, 1_000_000), 45);
  assert.equal(barPercent(1_200_000, 1_000_000), 100);
  assert.equal(barPercent(10, 0), null);
  const v = progressView(snapshot(), []);
  assert.equal(v.percentText, '45.0%');
  assert.equal(v.rowsText, '450,000 of ~1,000,000 rows (estimated total)');
  const exact = progressView(snapshot({ totalIsEstimate: false }), []);
  assert.equal(exact.rowsText, '450,000 of 1,000,000 rows (exact total)');
  assert.equal(progressView(snapshot({ totalRows: 0 }), []).percentText, '–');
});

test('rate smoothing damps a single spike and follows a steady rate', () => {
  const steady = Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, rowsPerSecond: 1000, lagSeconds: null }));
  assert.equal(Math.round(smoothRate(steady, 0)), 1000);
  const spiked = [...steady, { t: 10_000, rowsPerSecond: 11_000, lagSeconds: null }];
  const r = smoothRate(spiked, 11_000);
  assert.ok(r > 1000 && r < 3000, `spike damped to ${r}`);
  assert.equal(smoothRate([], 4321), 4321);
  // Samples older than six half-lives no longer count.
  const old = [{ t: 0, rowsPerSecond: 1_000_000, lagSeconds: null }, { t: 60_000, rowsPerSecond: 10, lagSeconds: null }];
  assert.equal(smoothRate(old, 0), 10);
  assert.equal(progressView(snapshot(), steady).rateText, '1,000 rows/s');
});

test('ETA text per state and estimate', () => {
  assert.equal(etaText(73, 'copying', true), 'ETA: about 1 min 13 s');
  assert.equal(etaText(73, 'copying', false), 'ETA: 1 min 13 s');
  assert.equal(etaText(null, 'copying', false), 'ETA: unknown');
  assert.equal(etaText(10, 'paused', false), 'ETA: paused');
  assert.equal(etaText(0.2, 'copying', false), 'ETA: under a second');
});

test('throttle text names the reason', () => {
  assert.equal(throttleText({ throttled: false }), 'Not throttled');
  assert.equal(throttleText({ throttled: true, reason: 'replica1: lag 3 s > 1 s' }), 'Throttled: replica1: lag 3 s > 1 s');
  assert.equal(throttleText({ throttled: true }), 'Throttled: over limit');
  const v = progressView(snapshot({ throttle: { throttled: true, reason: 'replica1: lag 3 s > 1 s' } }), []);
  assert.equal(v.throttled, true);
  assert.equal(v.throttleText, 'Throttled: replica1: lag 3 s > 1 s');
});

test('buttons follow the state; a finished job shows its result', () => {
  const copying = progressView(snapshot(), []);
  assert.deepEqual([copying.canPause, copying.canResume, copying.canCancel], [true, false, true]);
  const paused = progressView(snapshot({ state: 'paused' }), []);
  assert.deepEqual([paused.canPause, paused.canResume, paused.canCancel], [false, true, true]);
  assert.equal(paused.stateText, 'Paused');
  // A hybrid job pauses in its stream phases too, but not while a cut-over runs.
  const following = progressView(snapshot({ mode: 'hybrid', phase: 'in-sync' }), []);
  assert.deepEqual([following.canPause, following.canResume], [true, false]);
  const pausedFollowing = progressView(snapshot({ mode: 'hybrid', phase: 'catching-up', state: 'paused' }), []);
  assert.deepEqual([pausedFollowing.canPause, pausedFollowing.canResume], [false, true]);
  assert.equal(progressView(snapshot({ mode: 'hybrid', phase: 'cutting-over' }), []).canPause, false);
  const done = progressView(
    snapshot({ state: 'done', rows: 1_000_000, throttledMs: 12_000, result: { jobId: 'j-7f3a', state: 'done', rows: 1_000_000, bytes: 1, seconds: 100 } }),
    [],
  );
  assert.equal(done.finished, true);
  assert.equal(done.percentText, '100.0%');
  assert.equal(done.rowsText, '1,000,000 rows copied');
  assert.equal(done.rateText, '10,000 rows/s average');
  assert.equal(done.etaText, 'Took 1 min 40 s');
  assert.equal(done.throttleText, 'Throttled for 12 s in total');
  assert.deepEqual([done.canPause, done.canResume, done.canCancel], [false, false, false]);
  const failed = progressView(
    snapshot({ state: 'failed', errors: ['target: disk full'], result: { jobId: 'j-7f3a', state: 'failed', rows: 5, bytes: 1, seconds: 2, message: 'target: disk full' } }),
    [],
  );
  assert.equal(failed.stateText, 'Failed: target: disk full');
  assert.equal(failed.ok, false);
});

test('table and chunk lines; chart data and sample merging', () => {
  const v = progressView(snapshot(), []);
  assert.equal(v.tableText, 'Table orders (3 of 8 tables done)');
  assert.equal(v.chunkText, 'Chunk 12: 5,000 rows');
  const h = [
    { t: 10_000, rowsPerSecond: 5, lagSeconds: null },
    { t: 12_000, rowsPerSecond: 7, lagSeconds: 2 },
  ];
  assert.deepEqual(chartData(h), [[0, 2], [5, 7], [null, 2]]);
  const merged = mergeSamples(h, [{ t: 12_000, rowsPerSecond: 7, lagSeconds: 2 }, { t: 13_000, rowsPerSecond: 8, lagSeconds: 1 }], 2);
  assert.deepEqual(merged.map((s) => s.t), [12_000, 13_000]);
});

test('the chart shows only once there is a line to draw', () => {
  const sample = (t: number) => ({ t, rowsPerSecond: 1000, lagSeconds: null });
  assert.equal(chartWorthShowing([]), false);
  assert.equal(chartWorthShowing([sample(0)]), false);
  assert.equal(chartWorthShowing([sample(0), sample(250)]), true);
});

/** The lines the page shows (a stat with an empty text is hidden with its label), by name. */
function shownLines(v: ReturnType<typeof progressView>): string[] {
  const lines: [string, string][] = [
    ['Rate', v.rateText],
    ['Time', v.etaText],
    ['Current', v.tableText],
    ['Chunk', v.chunkText],
    ['Delay', v.stream?.behindText ?? ''],
    ['Applying', v.stream?.eventsRateText ?? ''],
    ['Queued', v.stream?.eventsBehindText ?? ''],
    ['Applied', v.stream?.appliedText ?? ''],
    ['Position', v.stream?.positionText ?? ''],
  ];
  return lines.filter(([, text]) => text !== '').map(([name]) => name);
}

/** Every text of the view, to count a unit in. */
function allText(v: ReturnType<typeof progressView>): string {
  return [v.phaseText, v.rowsText, v.rateText, v.etaText, v.tableText, v.chunkText, ...Object.values(v.stream ?? {}), v.throttleText, v.cutoverText].join('\n');
}

test('lines per phase: events/s once in the stream phases, no chunk or rows/s past the snapshot', () => {
  const stream = { events: 12_400, transactions: 3_100, eventsPerSecond: 1_250, behindSeconds: 0.4, behindEvents: 3, position: { file: 'mariadb-bin.000004', position: 1_060_976 } };
  const hybrid = (over: Partial<ProgressSnapshot>) => snapshot({ mode: 'hybrid', ...over });
  // A full copy and a hybrid job's snapshot: the copy's lines, unchanged.
  assert.deepEqual(shownLines(progressView(snapshot(), [])), ['Rate', 'Time', 'Current', 'Chunk']);
  const inSnapshot = progressView(hybrid({ phase: 'snapshot', stream: null }), []);
  assert.deepEqual(shownLines(inSnapshot), ['Rate', 'Time', 'Current', 'Chunk']);
  assert.equal(inSnapshot.rateText, '7,500 rows/s');
  assert.equal(inSnapshot.chunkText, 'Chunk 12: 5,000 rows');
  // Before the first chunk the line is there with a dash.
  assert.equal(progressView(snapshot({ table: undefined, state: 'planning' }), []).chunkText, '–');
  // The stream phases: the copy is over, the stream's lines carry the one events/s figure.
  for (const phase of ['catching-up', 'in-sync', 'cutting-over'] as const) {
    const v = progressView(hybrid({ phase, stream }), []);
    assert.deepEqual(shownLines(v), ['Time', 'Current', 'Delay', 'Applying', 'Queued', 'Applied', 'Position'], phase);
    assert.equal(v.stream?.eventsRateText, '1,250 events/s', phase);
    assert.equal(allText(v).split('events/s').length - 1, 1, `${phase}: events/s once in\n${allText(v)}`);
    assert.doesNotMatch(allText(v), /Chunk|rows\/s/, phase);
  }
  // Catching up before the stream's first report: still no chunk and no rows/s.
  assert.deepEqual(shownLines(progressView(hybrid({ phase: 'catching-up', stream: null }), [])), ['Time', 'Current']);
  // Paused while following: the same lines.
  assert.deepEqual(shownLines(progressView(hybrid({ phase: 'in-sync', state: 'paused', stream }), [])), ['Time', 'Current', 'Delay', 'Applying', 'Queued', 'Applied', 'Position']);
  // Done after a cut-over: what was applied and where it stopped; no live delay, rate or queue, no rows/s average over the follow.
  const done = progressView(
    hybrid({ phase: 'done', state: 'done', stream: { ...stream, eventsPerSecond: 0, behindSeconds: 0, behindEvents: 0 }, result: { jobId: 'j-7f3a', state: 'done', rows: 30_000, bytes: 1, seconds: 3_600 } }),
    [],
  );
  assert.deepEqual(shownLines(done), ['Time', 'Current', 'Applied', 'Position']);
  assert.equal(done.etaText, 'Took 1 h 0 min');
  // A full copy that finished keeps its average rate.
  const fullDone = progressView(snapshot({ state: 'done', result: { jobId: 'j-7f3a', state: 'done', rows: 1_000, bytes: 1, seconds: 10 } }), []);
  assert.deepEqual(shownLines(fullDone), ['Rate', 'Time', 'Current']);
});
