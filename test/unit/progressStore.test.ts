import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../src/engine/jobs/types.js';
import { JobProgressStore, lagFromReason } from '../../src/jobs/progressStore.js';
import type { ProgressHostMessage } from '../../src/protocol/index.js';

function harness() {
  let now = 0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const store = new JobProgressStore({
    clock: () => now,
    schedule: (fn, delay) => {
      const t = { at: now + delay, fn, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
  });
  /** Advances the fake clock, firing due timers in order. */
  const advance = (to: number) => {
    for (;;) {
      const due = timers.filter((t) => !t.cancelled && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.cancelled = true;
      due.fn();
    }
    now = to;
  };
  return { store, advance, at: () => now };
}

function progress(rows: number, over: Partial<Extract<ProgressEvent, { type: 'progress' }>> = {}): ProgressEvent {
  return {
    type: 'progress',
    jobId: 'j1',
    rows,
    bytes: rows * 100,
    rowsPerSecond: 1000,
    totalRows: 100_000,
    totalIsEstimate: true,
    etaSeconds: 10,
    table: 'orders',
    chunk: rows / 100,
    chunkRows: 100,
    throttle: { throttled: false },
    state: 'copying',
    ...over,
  };
}

test('updates are coalesced to at most 4 a second, and the last state always arrives', () => {
  const { store, advance, at } = harness();
  const sent: { t: number; msg: ProgressHostMessage }[] = [];
  store.subscribe('j1', (msg) => sent.push({ t: at(), msg }));
  // 100 events a second for 3 seconds.
  for (let i = 1; i <= 300; i++) {
    advance(i * 10);
    store.ingest(progress(i * 100), at());
  }
  advance(4000);
  const updates = sent.filter((s) => s.msg.type === 'update');
  assert.ok(updates.length <= 13 && updates.length >= 10, `${updates.length} updates in 3 s`);
  for (let i = 1; i < updates.length; i++) assert.ok(updates[i].t - updates[i - 1].t >= 250, 'two updates closer than 250 ms');
  const last = updates[updates.length - 1].msg;
  assert.equal(last.type === 'update' && last.snapshot.rows, 30_000);
  // Samples: one a second, each sent once.
  const samples = updates.flatMap((u) => (u.msg.type === 'update' ? u.msg.samples : []));
  assert.deepEqual(samples.map((s) => s.t), [10, 1010, 2010]);
});

test('a reopened panel is restored from replay: snapshot and history', () => {
  const { store, advance, at } = harness();
  store.ingest({ type: 'planned', jobId: 'j1', tables: [{ table: 'orders', keyColumns: ['id'], keyName: 'PRIMARY', estimatedRows: 100_000, noKey: false }], snapshot: { binlogFile: 'bin.000003', binlogPosition: 4, gtidBinlogPos: '0-1-9' } }, at());
  const first = store.subscribe('j1', () => {});
  for (let i = 1; i <= 5; i++) {
    advance(i * 1000);
    store.ingest(progress(i * 1000, { throttle: { throttled: i >= 4, reason: 'replica1: lag 3 s > 1 s' } }), at());
  }
  first.dispose(); // the panel closes
  const replay = store.replay('j1');
  assert.ok(replay && replay.type === 'snapshot');
  assert.equal(replay.snapshot.rows, 5000);
  assert.equal(replay.snapshot.tablesTotal, 1);
  assert.equal(replay.snapshot.throttle.throttled, true);
  assert.equal(replay.snapshot.throttledMs, 1000);
  assert.equal(replay.history.length, 5);
  assert.deepEqual(replay.history.map((h) => h.lagSeconds), [null, null, null, 3, 3]);
  assert.equal(store.replay('nope'), undefined);
});

test('lag readings from the poller go on the chart while fresh', () => {
  const { store, advance, at } = harness();
  store.lag(0.5, at());
  store.ingest(progress(100), at());
  advance(20_000);
  store.ingest(progress(200), at());
  const r = store.replay('j1');
  assert.ok(r?.type === 'snapshot');
  assert.deepEqual(r.history.map((h) => h.lagSeconds), [0.5, null]);
  assert.equal(lagFromReason('replica1: lag 3 s > 1 s; replica2: lag 4.5 s > 1 s'), 4.5);
  assert.equal(lagFromReason('replica1: replication SQL thread stopped'), null);
});

test('finish sends the pending update, then finished; warnings and failures are errors', () => {
  const { store, advance, at } = harness();
  const sent: ProgressHostMessage[] = [];
  store.subscribe('j1', (m) => sent.push(m));
  store.ingest(progress(100), at());
  advance(100);
  store.ingest({ type: 'log', jobId: 'j1', level: 'warn', message: 'orders: 2 rows truncated' }, at());
  store.finish({ jobId: 'j1', state: 'failed', rows: 100, bytes: 1, seconds: 1, message: 'connection lost' }, at());
  assert.deepEqual(sent.map((m) => m.type), ['update', 'update', 'finished']);
  const fin = sent[2];
  assert.ok(fin.type === 'finished');
  assert.deepEqual(fin.snapshot.errors, ['orders: 2 rows truncated', 'connection lost']);
  assert.equal(fin.snapshot.state, 'failed');
  advance(5000);
  assert.equal(sent.length, 3, 'no timer fires after finish');
  assert.equal(store.record('j1')?.result?.state, 'failed');
});
