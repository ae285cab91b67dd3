import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobSummary, ProgressEvent } from '../../src/engine/jobs/types.js';
import { clock, jobSummary } from './jobsFixture.js';
import { canCancel, canPause, canResume, describeRow, JobsModel, rowContext, summarizeRow, type JobsChange } from '../../src/jobs/jobsModel.js';

const summary = (id: string, over: Partial<JobSummary> = {}) => jobSummary(id, over);

function progress(jobId: string, over: Partial<Extract<ProgressEvent, { type: 'progress' }>> = {}): ProgressEvent {
  return {
    type: 'progress',
    jobId,
    rows: 45_000,
    bytes: 1,
    rowsPerSecond: 12_300,
    totalRows: 100_000,
    totalIsEstimate: true,
    etaSeconds: 4,
    table: 'orders',
    chunk: 3,
    chunkRows: 1000,
    throttle: { throttled: false },
    state: 'copying',
    ...over,
  };
}

describe('jobs model', () => {
  test('a listed job becomes a row labelled with its source, tables and target', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('j1')]);
    const [row] = m.list();
    assert.equal(row.label, 'shop.orders → 127.0.0.1:3309/shop_copy');
    assert.equal(row.source, '127.0.0.1:3306/shop');
    assert.equal(row.view.rows, 10);
    assert.equal(row.live, false);
  });

  test('progress events fold into the row and the description', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('j1')]);
    m.applyEvent(progress('j1', { throttle: { throttled: true, reason: 'replica1: lag 4 s > 1 s' } }));
    const row = m.get('j1');
    assert.ok(row);
    assert.equal(describeRow(row), '45% · 12,300 rows/s · throttled');
    assert.equal(row.live, true);
    assert.equal(new Date(row.view.updatedAt).toISOString(), '2026-01-02T03:04:05.000Z');
    assert.match(summarizeRow(row), /Throttled: replica1: lag 4 s > 1 s/);
    assert.match(summarizeRow(row), /Phase: Copying \(2 of 3\)/);
  });

  test('an event for an unknown job creates a placeholder row', () => {
    const m = new JobsModel(clock);
    m.applyEvent({ type: 'state', jobId: 'x', state: 'copying' });
    assert.equal(m.get('x')?.view.state, 'copying');
    assert.equal(m.get('x')?.label, 'job x');
  });

  test('planned sets the totals; table-done counts tables; throttle events toggle the flag', () => {
    const m = new JobsModel(clock);
    m.applyStarted(summary('j', { state: 'planning', rowsCopied: 0, totalRows: 0 }));
    assert.equal(describeRow(m.get('j')!), 'planning');
    m.applyEvent({
      type: 'planned',
      jobId: 'j',
      tables: [
        { table: 'a', keyColumns: ['id'], keyName: 'PRIMARY', estimatedRows: 30, noKey: false },
        { table: 'b', keyColumns: ['id'], keyName: 'PRIMARY', estimatedRows: 70, noKey: false },
      ],
      snapshot: { binlogFile: null, binlogPosition: null, gtidBinlogPos: null },
    });
    assert.equal(m.get('j')?.view.totalRows, 100);
    assert.equal(m.get('j')?.view.state, 'copying');
    m.applyEvent({ type: 'table-done', jobId: 'j', table: 'a', rows: 30 });
    assert.equal(m.get('j')?.view.tablesDone, 1);
    m.applyEvent({ type: 'throttle', jobId: 'j', throttle: { throttled: true, reason: 'load' } });
    assert.equal(m.get('j')?.view.throttle.throttled, true);
    m.applyEvent({ type: 'throttle', jobId: 'j', throttle: { throttled: false } });
    assert.equal(m.get('j')?.view.throttle.throttled, false);
  });

  test('pause and resume are offered by state', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('j')]);
    assert.equal(rowContext(m.get('j')!), 'type=job,state=copying,pause,cancel');
    m.applyEvent({ type: 'state', jobId: 'j', state: 'paused' });
    assert.equal(rowContext(m.get('j')!), 'type=job,state=paused,resume,cancel');
    assert.equal(describeRow(m.get('j')!), '10% · paused');
    assert.equal(canPause('done'), false);
    assert.equal(canPause('copying', 'in-sync'), true, 'a hybrid job pauses in its stream phases');
    assert.equal(canPause('copying', 'cutting-over'), false, 'a cut-over in progress must finish');
    m.applyEvent({ type: 'state', jobId: 'j', state: 'copying' });
    m.applyEvent({ type: 'phase', jobId: 'j', phase: 'cutting-over' });
    assert.equal(rowContext(m.get('j')!), 'type=job,state=copying,cancel');
    assert.equal(canResume('copying'), false);
    assert.equal(canCancel('failed'), false);
  });

  test('the finish notification settles the row, and late events neither revive it nor change its counts', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('j')]);
    m.applyResult({ jobId: 'j', state: 'done', rows: 100_000, bytes: 5, seconds: 10 });
    m.applyEvent(progress('j', { rows: 99_000, state: 'copying' }));
    const row = m.get('j')!;
    assert.equal(row.view.state, 'done');
    assert.equal(rowContext(row), 'type=job,state=done,sync,syncfrom', 'a finished full copy offers Sync Changes Since the Copy and Sync From Another Server');
    // The result's count is the truth: a progress event that arrives after it is stale.
    assert.equal(describeRow(row), 'done · 100,000 rows');
  });

  test('a failed result keeps its message and details', () => {
    const m = new JobsModel(clock);
    m.applyResult({ jobId: 'r', state: 'refused', rows: 0, bytes: 0, seconds: 0, message: 'schema differs', details: ['orders: column x missing'] });
    const row = m.get('r')!;
    assert.equal(describeRow(row), 'refused · 0 rows');
    assert.match(summarizeRow(row), /Message: schema differs\n {2}- orders: column x missing/);
  });

  test('a listing does not overwrite fresher live progress, but does record a finish it missed', () => {
    const m = new JobsModel(clock);
    m.applyStarted(summary('j', { rowsCopied: 0 }));
    m.applyEvent(progress('j', { rows: 500 }));
    m.applySummaries([summary('j', { rowsCopied: 10 })]);
    assert.equal(m.get('j')?.view.rows, 500);
    m.applySummaries([summary('j', { state: 'done', rowsCopied: 1000 })]);
    assert.equal(m.get('j')?.view.state, 'done');
    assert.equal(m.get('j')?.view.rows, 1000);
  });

  test('active jobs sort first, then newest; clearFinished drops the finished', () => {
    const m = new JobsModel(clock);
    m.applySummaries([
      summary('old-done', { state: 'done', createdAt: '2026-01-01T00:00:00Z' }),
      summary('new-done', { state: 'failed', createdAt: '2026-01-03T00:00:00Z' }),
      summary('running', { state: 'copying', createdAt: '2025-12-01T00:00:00Z' }),
    ]);
    assert.deepEqual(m.list().map((r) => r.id), ['running', 'new-done', 'old-done']);
    m.clearFinished();
    assert.deepEqual(m.list().map((r) => r.id), ['running']);
  });

  test('listeners hear rows, events and finishes, and can unsubscribe', () => {
    const m = new JobsModel(clock);
    const heard: JobsChange['kind'][] = [];
    const sub = m.onChange((c) => heard.push(c.kind));
    m.applySummaries([]);
    m.applyEvent(progress('j'));
    m.applyResult({ jobId: 'j', state: 'cancelled', rows: 1, bytes: 1, seconds: 1 });
    sub.dispose();
    m.applySummaries([]);
    assert.deepEqual(heard, ['rows', 'event', 'finished']);
  });
});
