import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProgressEvent } from '../../src/engine/jobs/types.js';
import { emptyJobView, foldJobView, initialJobView, PHASES, phaseText, reduceJobView, throttledMsAt, type JobViewEvent } from '../../src/engine/jobs/jobView.js';
import { jobSummary } from './jobsFixture.js';

function progress(over: Partial<Extract<ProgressEvent, { type: 'progress' }>> = {}): ProgressEvent {
  return {
    type: 'progress', jobId: 'j', rows: 400, bytes: 8000, rowsPerSecond: 200, totalRows: 1000, totalIsEstimate: true, etaSeconds: 3,
    table: 'orders', chunk: 4, chunkRows: 100, throttle: { throttled: false }, state: 'copying', ...over,
  };
}

const planned: ProgressEvent = {
  type: 'planned',
  jobId: 'j',
  tables: [
    { table: 'orders', keyColumns: ['id'], keyName: 'PRIMARY', estimatedRows: 700, noKey: false },
    { table: 'logs', keyColumns: [], keyName: null, estimatedRows: 300, noKey: true },
  ],
  snapshot: { binlogFile: 'bin.000002', binlogPosition: 42, gtidBinlogPos: '0-1-7' },
};

describe('the job view reducer', () => {
  test('a listed job starts from its summary', () => {
    const v = initialJobView(jobSummary('j', { state: 'paused', rowsCopied: 10, totalRows: 100, message: 'paused by user' }));
    assert.equal(v.state, 'paused');
    assert.equal(v.phase, 'planning');
    assert.equal(v.rows, 10);
    assert.equal(v.totalRows, 100);
    assert.equal(v.tablesTotal, 1);
    assert.equal(v.snapshot, null);
    assert.equal(v.message, 'paused by user');
    assert.equal(v.startedAt, Date.parse('2026-01-01T00:00:00.000Z'));
    const copying = initialJobView(jobSummary('k', { state: 'copying', snapshot: { binlogFile: 'b.1', binlogPosition: 4, gtidBinlogPos: null } }));
    assert.equal(copying.phase, 'copying');
    assert.deepEqual(copying.snapshot, { binlogFile: 'b.1', binlogPosition: 4, gtidBinlogPos: null });
  });

  test('planned: tables, totals, snapshot, and the copy phase', () => {
    const before = emptyJobView('j', 0);
    const v = reduceJobView(before, planned, 10);
    assert.equal(before.tablesTotal, 0, 'the reducer changed the view it was given');
    assert.deepEqual(v.tables.map((t) => [t.table, t.keyName, t.estimatedRows, t.rows]), [['orders', 'PRIMARY', 700, null], ['logs', null, 300, null]]);
    assert.equal(v.tablesTotal, 2);
    assert.equal(v.totalRows, 1000);
    assert.equal(v.snapshot?.binlogPosition, 42);
    assert.equal(v.state, 'copying');
    assert.equal(v.phase, 'copying');
    assert.equal(v.updatedAt, 10);
    // A resumed job already has rows: its plan does not reset the total its events carry.
    const resumed = reduceJobView({ ...emptyJobView('j', 0), rows: 500, totalRows: 1200 }, planned, 10);
    assert.equal(resumed.totalRows, 1200);
  });

  test('progress: counts, rate, peak rate, ETA, position, state', () => {
    let v = reduceJobView(emptyJobView('j', 0), progress(), 100);
    v = reduceJobView(v, progress({ rows: 600, rowsPerSecond: 150, etaSeconds: 2 }), 200);
    assert.equal(v.rows, 600);
    assert.equal(v.bytes, 8000);
    assert.equal(v.rowsPerSecond, 150);
    assert.equal(v.peakRowsPerSecond, 200);
    assert.equal(v.etaSeconds, 2);
    assert.deepEqual([v.table, v.chunk, v.chunkRows], ['orders', 4, 100]);
    assert.equal(v.state, 'copying');
    assert.equal(v.phase, 'copying');
    const paused = reduceJobView(v, progress({ state: 'paused' }), 300);
    assert.equal(paused.state, 'paused');
    assert.equal(paused.phase, 'copying', 'a pause keeps the phase');
  });

  test('throttle, in progress and throttle events: time, episodes, distinct reasons', () => {
    const lag = { throttled: true, reason: 'replica1: lag 3 s > 1 s' };
    const v = foldJobView(emptyJobView('j', 0), [
      { event: progress({ throttle: lag }), at: 1000 },
      { event: { type: 'throttle', jobId: 'j', throttle: lag }, at: 2000 },
      { event: { type: 'throttle', jobId: 'j', throttle: { throttled: false } }, at: 4000 },
      { event: { type: 'throttle', jobId: 'j', throttle: { throttled: true } }, at: 5000 },
    ]);
    assert.equal(v.throttleEpisodes, 2);
    assert.deepEqual(v.throttleReasons, ['replica1: lag 3 s > 1 s', 'over limit']);
    assert.equal(v.throttledMs, 3000);
    assert.equal(v.throttledSince, 5000);
    assert.equal(throttledMsAt(v, 5500), 3500, 'a throttle still on keeps counting');
    assert.equal(v.throttle.throttled, true);
  });

  test('table-done: the planned table gets its rows; an unplanned one is added', () => {
    let v = reduceJobView(emptyJobView('j', 0), planned, 1);
    v = reduceJobView(v, { type: 'table-done', jobId: 'j', table: 'orders', rows: 701 }, 2);
    v = reduceJobView(v, { type: 'table-done', jobId: 'j', table: 'extra', rows: 5 }, 3);
    assert.equal(v.tablesDone, 2);
    assert.deepEqual(v.tables.map((t) => [t.table, t.rows]), [['orders', 701], ['logs', null], ['extra', 5]]);
  });

  test('state: recorded with its time and message; a pause ends a throttle episode; failures are errors', () => {
    let v = reduceJobView(emptyJobView('j', 0), progress({ throttle: { throttled: true, reason: 'load' } }), 1000);
    v = reduceJobView(v, { type: 'state', jobId: 'j', state: 'paused', message: 'paused by user' }, 3000);
    assert.equal(v.state, 'paused');
    assert.equal(v.message, 'paused by user');
    assert.equal(v.throttle.throttled, false);
    assert.equal(v.throttledMs, 2000);
    assert.deepEqual(v.states, [{ state: 'paused', at: new Date(3000).toISOString(), message: 'paused by user' }]);
    v = reduceJobView(v, { type: 'state', jobId: 'j', state: 'failed', message: 'connection lost' }, 4000);
    assert.equal(v.state, 'failed');
    assert.equal(v.phase, 'copying', 'a failure keeps the phase it happened in');
    assert.deepEqual(v.errors, ['connection lost']);
  });

  test('log: warnings are kept (and shown as errors once in a row); info is not', () => {
    let v = emptyJobView('j', 0);
    for (const [level, message] of [['info', 'started'], ['warn', 'no key'], ['warn', 'no key'], ['warn', 'truncated']] as const) {
      v = reduceJobView(v, { type: 'log', jobId: 'j', level, message }, 1);
    }
    assert.deepEqual(v.warnings, ['no key', 'no key', 'truncated']);
    assert.deepEqual(v.errors, ['no key', 'truncated']);
  });

  test('finished: the result settles counts and state; late events change neither', () => {
    let v = reduceJobView(emptyJobView('j', 0), progress({ throttle: { throttled: true, reason: 'load' } }), 1000);
    v = reduceJobView(v, { type: 'finished', jobId: 'j', result: { jobId: 'j', state: 'done', rows: 1005, bytes: 9000, seconds: 5 } }, 2000);
    assert.equal(v.state, 'done');
    assert.equal(v.phase, 'done');
    assert.equal(v.rows, 1005);
    assert.equal(v.totalRows, 1005);
    assert.equal(v.rowsPerSecond, 201);
    assert.equal(v.etaSeconds, null);
    assert.equal(v.finishedAt, 2000);
    assert.equal(v.throttledMs, 1000);
    assert.equal(v.throttle.throttled, false);
    const late = [progress({ rows: 900 }), { type: 'state', jobId: 'j', state: 'copying' }, { type: 'throttle', jobId: 'j', throttle: { throttled: true } }] as JobViewEvent[];
    const after = late.reduce((x, e) => reduceJobView(x, e, 3000), v);
    assert.equal(after.state, 'done');
    assert.equal(after.rows, 1005);
    assert.equal(after.throttle.throttled, false);
    const refused = reduceJobView(emptyJobView('r', 0), { type: 'finished', jobId: 'r', result: { jobId: 'r', state: 'refused', rows: 0, bytes: 0, seconds: 0, message: 'schema differs', details: ['orders: column x missing'] } }, 1);
    assert.deepEqual(refused.errors, ['schema differs', 'orders: column x missing']);
    assert.equal(refused.message, 'schema differs');
    assert.equal(refused.phase, 'planning');
  });

  test('resuming: a finished job is active again, its earlier result and errors cleared', () => {
    let v = reduceJobView(emptyJobView('j', 0), progress(), 1);
    v = reduceJobView(v, { type: 'finished', jobId: 'j', result: { jobId: 'j', state: 'cancelled', rows: 400, bytes: 1, seconds: 1, message: 'cancelled' } }, 2);
    v = reduceJobView(v, { type: 'resuming', jobId: 'j' }, 3);
    assert.equal(v.state, 'planning');
    assert.equal(v.result, null);
    assert.equal(v.finishedAt, null);
    assert.deepEqual(v.errors, []);
    assert.equal(v.rows, 400, 'rows continue from the checkpoint');
    v = reduceJobView(v, progress({ rows: 800 }), 4);
    assert.equal(v.rows, 800);
    assert.equal(v.state, 'copying');
  });

  test('a full copy has its phases in order', () => {
    assert.deepEqual(PHASES.full, ['planning', 'copying', 'done']);
    assert.equal(phaseText(reduceJobView(emptyJobView('j', 0), planned, 1)), 'Copying (2 of 3)');
    assert.equal(phaseText(initialJobView(jobSummary('d', { state: 'done' }))), 'Done (3 of 3)');
  });
});
