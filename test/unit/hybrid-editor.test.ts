// The editor's side of hybrid and incremental jobs, pure parts: Jobs view rows, the progress store's
// samples and snapshots, the progress page's texts and the Cut Over modal and outcome.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CutoverOutcome } from '../../src/engine/jobs/types.js';
import { canCutover, canSync, canSyncFrom, describeRow, JobsModel, rowContext, summarizeRow } from '../../src/jobs/jobsModel.js';
import { JobProgressStore } from '../../src/jobs/progressStore.js';
import type { ProgressEvent } from '../../src/engine/jobs/types.js';
import type { ProgressHostMessage, ProgressSnapshot } from '../../src/protocol/index.js';
import { cutoverConfirmation, cutoverOutcomeText, serverName } from '../../src/ui/cutoverPlan.js';
import { behindText, hybridChartData, progressView } from '../../src/webview-pages/progressView.js';
import { HYBRID_TABLES, hybridEvents, stream } from './hybridFixture.js';
import { clock, jobSummary } from './jobsFixture.js';

function hybridModel(inSync = true) {
  const m = new JobsModel(clock);
  m.applySummaries([jobSummary('h', { state: 'planning', rowsCopied: 0 }, { mode: 'hybrid', tables: HYBRID_TABLES })]);
  for (const e of hybridEvents('h', inSync)) m.applyEvent(e);
  return m;
}

describe('Jobs view: hybrid and incremental rows', () => {
  test('a hybrid row shows its phase with its place, the delay and the events applied per second', () => {
    const row = hybridModel(false).get('h')!;
    assert.equal(describeRow(row), 'Catching up (3 of 6) · 6.2 s behind · 3,900 events/s');
    assert.equal(rowContext(row), 'type=job,state=copying,pause,cancel', 'no cut-over before in sync');
    const inSync = hybridModel().get('h')!;
    assert.equal(describeRow(inSync), 'In sync (4 of 6) · 0.4 s behind · 1,250 events/s');
    assert.equal(rowContext(inSync), 'type=job,state=copying,pause,cancel,cutover');
    assert.equal(canCutover(inSync), true);
    assert.match(summarizeRow(inSync), /Mode: hybrid\nPhase: In sync \(4 of 6\)/);
    assert.doesNotMatch(summarizeRow(inSync), /Rate:|ETA:|Current table:/, 'the snapshot copy is over');
    assert.match(summarizeRow(inSync), /Change stream: 12,400 events applied at mariadb-bin\.000004:1060976, 1,250 events\/s, 3 queued, 0\.4 s behind the source/);
  });

  test('a listed hybrid job shows the phase its summary recorded; an interrupted one offers no cut-over', () => {
    const m = new JobsModel(clock);
    m.applySummaries([jobSummary('l', { phase: 'in-sync' }, { mode: 'hybrid' })]);
    const row = m.get('l')!;
    assert.equal(describeRow(row), 'In sync (4 of 6)');
    m.markHeld(new Set());
    assert.equal(m.get('l')!.interrupted, true);
    assert.equal(canCutover(m.get('l')!), false);
    assert.doesNotMatch(rowContext(m.get('l')!), /cutover/);
  });

  test('a failed hybrid job says in which phase it stopped', () => {
    const m = hybridModel(false);
    m.applyResult({ jobId: 'h', state: 'failed', rows: 60_000, bytes: 1, seconds: 9, message: 'binlog purged' });
    assert.equal(describeRow(m.get('h')!), 'failed in Catching up (3 of 6) · 60,000 rows');
  });

  test('Sync is offered on finished full and incremental jobs, Sync From Another Server on full ones, neither on hybrid ones', () => {
    const m = new JobsModel(clock);
    m.applySummaries([
      jobSummary('f', { state: 'done' }),
      jobSummary('i', { state: 'done', phase: 'done' }, { mode: 'incremental', watermark: { column: 'id' } }),
      jobSummary('ir', { state: 'copying', phase: 'copying' }, { mode: 'incremental', watermark: { column: 'id' } }),
      jobSummary('h', { state: 'done', phase: 'done' }, { mode: 'hybrid' }),
    ]);
    assert.deepEqual(['f', 'i', 'ir', 'h'].map((id) => canSync(m.get(id)!.view)), [true, true, false, false]);
    // From another server (failover, by GTID) is a binlog sync: finished full copies only.
    assert.deepEqual(['f', 'i', 'ir', 'h'].map((id) => canSyncFrom(m.get(id)!.view)), [true, false, false, false]);
    assert.equal(rowContext(m.get('f')!), 'type=job,state=done,sync,syncfrom');
    assert.equal(rowContext(m.get('i')!), 'type=job,state=done,sync');
    assert.equal(rowContext(m.get('h')!), 'type=job,state=done');
    assert.equal(describeRow(m.get('ir')!), 'Copying (2 of 3) · 10%');
  });
});

describe('progress store and page: a hybrid job', () => {
  function fed(): { snapshot: ProgressSnapshot; history: NonNullable<Extract<ProgressHostMessage, { type: 'snapshot' }>['history']> } {
    let now = 0;
    const store = new JobProgressStore({ clock: () => now, schedule: () => ({ cancel() {} }) });
    store.begin('h', null, 0, 'hybrid');
    for (const e of hybridEvents('h')) {
      now += 1_000;
      store.ingest(e, now);
    }
    const replay = store.replay('h');
    assert.ok(replay?.type === 'snapshot');
    return { snapshot: replay.snapshot, history: replay.history };
  }

  test('a stream report after the cut-over (phase done) plots no rows/s: the copy\'s last rate is not the rate then', () => {
    let now = 0;
    const store = new JobProgressStore({ clock: () => now, schedule: () => ({ cancel() {} }) });
    store.begin('h', null, 0, 'hybrid');
    const events: ProgressEvent[] = [...hybridEvents('h'), { type: 'phase', jobId: 'h', phase: 'cutting-over' }, { type: 'phase', jobId: 'h', phase: 'done' }, stream('h', 12_500, 0, { behindEvents: 0, eventsPerSecond: 100 })];
    for (const e of events) {
      now += 1_000;
      store.ingest(e, now);
    }
    const replay = store.replay('h');
    assert.ok(replay?.type === 'snapshot');
    assert.deepEqual(replay.history.map((h) => h.rowsPerSecond), [15_000, 0, 0, 0, 0]);
  });

  test('the snapshot carries the mode, the phase and the stream; samples carry the delay and events/s', () => {
    const { snapshot, history } = fed();
    assert.equal(snapshot.mode, 'hybrid');
    assert.equal(snapshot.phase, 'in-sync');
    assert.equal(snapshot.stream?.behindSeconds, 0.4);
    // One sample per progress or stream event: the copy's rate, then 0 rows/s while following the stream.
    assert.deepEqual(history.map((h) => [h.rowsPerSecond, h.eventsPerSecond, h.behindSeconds]), [
      [15_000, 0, null],
      [0, 4_100, 42.5],
      [0, 3_900, 6.2],
      [0, 1_250, 0.4],
    ]);
    const [t, rows, lag, events, behind] = hybridChartData(history);
    assert.equal(t.length, 4);
    assert.deepEqual(rows, [15_000, 0, 0, 0]);
    assert.deepEqual(lag, [null, null, null, null]);
    assert.deepEqual(events, [0, 4_100, 3_900, 1_250]);
    assert.deepEqual(behind, [null, 42.5, 6.2, 0.4]);
  });

  test('the page shows the phase with its place, the delay, events/s, the queue, and Cut Over enabled in sync', () => {
    const { snapshot, history } = fed();
    const v = progressView(snapshot, history);
    assert.equal(v.title, 'Hybrid job h');
    assert.equal(v.phaseText, 'In sync (4 of 6)');
    assert.deepEqual(v.stream, {
      behindText: '0.4 s behind the source',
      eventsRateText: '1,250 events/s',
      eventsBehindText: '3 events behind',
      appliedText: '12,400 events in 3,100 transactions',
      positionText: 'mariadb-bin.000004:1060976',
    });
    assert.equal(v.etaText, "Snapshot copied; following the source's changes");
    assert.equal(v.rateText, '', 'the events/s is on the Applying line only');
    assert.equal(v.stateText, 'Running');
    assert.equal(v.percentText, '100.0%', 'the snapshot is copied');
    assert.equal(v.rowsText, '30,000 rows copied in the snapshot');
    assert.equal(v.tableText, '3 of 3 tables copied');
    assert.equal(v.chunkText, '');
    assert.equal(v.showCutover, true);
    assert.equal(v.canCutover, true);
    // Catching up: the button is there but disabled, and says why.
    const catching = progressView({ ...snapshot, phase: 'catching-up' }, history);
    assert.equal(catching.phaseText, 'Catching up (3 of 6)');
    assert.equal(catching.canCutover, false);
    assert.equal(catching.cutoverText, 'Cut Over is offered once the target is in sync with the source.');
    // Paused, requested, finished: disabled.
    assert.equal(progressView({ ...snapshot, state: 'paused' }, history).canCutover, false);
    const requested = progressView({ ...snapshot, cutover: [{ step: 'blocked', message: 'read_only set on 127.0.0.1:3306', at: '' }] }, history);
    assert.equal(requested.canCutover, false);
    assert.equal(requested.cutoverText, 'Cut-over blocked: read_only set on 127.0.0.1:3306');
    // A failed cut-over may be asked for again.
    assert.equal(progressView({ ...snapshot, cutover: [{ step: 'failed', message: 'lock wait timeout', at: '' }] }, history).canCutover, true);
  });

  test('after a cut-over the page lists the statements that lift the block, one per line', () => {
    const { snapshot, history } = fed();
    const cutover = {
      block: 'lock' as const,
      finalPosition: { file: 'mariadb-bin.000004', position: 2_000_000 },
      finalGtid: '0-1-950',
      blockedToCaughtUpMs: 120,
      verifyMs: 80,
      tables: HYBRID_TABLES.map((table) => ({ table, rows: 10, match: true })),
      lift: ['DROP TRIGGER IF EXISTS `shop`.`rwm_cutover_a_i`', 'DROP TRIGGER IF EXISTS `shop`.`rwm_cutover_a_u`;'],
    };
    const done = progressView({ ...snapshot, state: 'done', phase: 'done', result: { jobId: 'h', state: 'done', rows: 60_000, bytes: 1, seconds: 9, cutover } }, history);
    assert.equal(done.cutoverText, 'Cut over: every table matches (3 verified by checksum). Writes stay blocked on the source until you lift the block: run these when the application uses the target.');
    assert.deepEqual(done.liftStatements, ['DROP TRIGGER IF EXISTS `shop`.`rwm_cutover_a_i`;', 'DROP TRIGGER IF EXISTS `shop`.`rwm_cutover_a_u`;']);
    // Before the end, nothing to lift.
    assert.deepEqual(progressView(snapshot, history).liftStatements, []);
  });

  test('full and incremental jobs have no Cut Over; a full copy shows no phase line', () => {
    const { snapshot, history } = fed();
    const full = progressView({ ...snapshot, mode: 'full', phase: 'copying', stream: null }, history);
    assert.equal(full.showCutover, false);
    assert.equal(full.phaseText, '');
    assert.equal(full.title, 'Copy job h');
    assert.equal(full.stream, null);
    const inc = progressView({ ...snapshot, mode: 'incremental', phase: 'copying', stream: null }, history);
    assert.equal(inc.phaseText, 'Copying (2 of 3)');
    assert.equal(inc.showCutover, false);
    assert.equal(inc.canCutover, false);
    // A page state saved before jobs had modes is a full copy.
    const { mode: _m, phase: _p, stream: _s, cutover: _c, ...old } = snapshot;
    assert.equal(progressView(old, history).title, 'Copy job h');
  });

  test('the delay reads as a person says it', () => {
    assert.equal(behindText(null), 'not known yet (no change read)');
    assert.equal(behindText(0), "none: at the source's current position");
    assert.equal(behindText(2.44), '2.4 s behind the source');
    assert.equal(behindText(125), '2 min 5 s behind the source');
    assert.equal(progressView({ ...fed().snapshot, stream: { ...stream('h', 1, 0).valueOf(), behindEvents: 1 } as never }, []).stream?.eventsBehindText, '1 event behind');
  });
});

describe('Cut Over: the modal and the outcome', () => {
  const subject = {
    jobId: 'h',
    label: 'shop.3 tables → 127.0.0.1:3309/shop_copy',
    source: { host: '127.0.0.1', port: 3306, name: 'primary' },
    sourceDatabase: 'shop',
    target: { host: '127.0.0.1', port: 3309, name: 'target' },
    targetDatabase: 'shop_copy',
    tables: HYBRID_TABLES,
  };

  test('the modal names the source server, the tables or the whole server, and that writes stay blocked until lifted', () => {
    const c = cutoverConfirmation(subject);
    assert.equal(c.message, 'Cut over shop.3 tables → 127.0.0.1:3309/shop_copy? Writes on the source primary (127.0.0.1:3306) will be blocked.');
    assert.deepEqual(c.choices, [
      { block: 'lock', button: 'Block the 3 tables (lock)' },
      { block: 'read-only', button: 'Set read_only on primary' },
    ]);
    const lines = c.detail.split('\n');
    assert.equal(lines[0], '"Block the 3 tables (lock)": blocks writes to the 3 tables shop.customers, shop.orders, shop.order_items on primary (127.0.0.1:3306) with blocker triggers (put in place under a short LOCK TABLES); the server\'s other tables stay writable.');
    assert.match(lines[1], /^"Set read_only on primary": sets read_only on primary \(127\.0\.0\.1:3306\): writes to the whole server, every database, are blocked/);
    assert.match(lines[2], /applies the source's last changes to target \(127\.0\.0\.1:3309\), database shop_copy, verifies every moved table by checksum/);
    assert.match(lines[3], /^Writes stay blocked on primary \(127\.0\.0\.1:3306\) until you lift the block yourself/);
    const one = cutoverConfirmation({ ...subject, tables: ['orders'], source: { host: '10.0.0.5', port: 3306 } });
    assert.equal(one.choices[0].button, 'Block the 1 table (lock)');
    assert.equal(one.choices[1].button, 'Set read_only on 10.0.0.5:3306');
    assert.match(one.detail, /blocks writes to the table shop\.orders on 10\.0\.0\.5:3306 with blocker triggers/);
    assert.equal(cutoverConfirmation({ ...subject, tables: 'all' }).choices[0].button, 'Block every table of shop (lock)');
    assert.equal(serverName({ host: 'h', port: 1, name: 'h:1' }), 'h:1');
  });

  test('a done cut-over reports the final position, the tables verified and how to lift the block', () => {
    const outcome: CutoverOutcome = {
      state: 'done',
      message: 'cut over at mariadb-bin.000004:2000000',
      report: {
        block: 'read-only',
        finalPosition: { file: 'mariadb-bin.000004', position: 2_000_000 },
        finalGtid: '0-1-1234',
        blockedToCaughtUpMs: 870,
        verifyMs: 2_300,
        tables: [{ table: 'orders', rows: 20_000, match: true }, { table: 'customers', rows: 10_000, match: true }],
        lift: ['SET GLOBAL read_only = OFF;'],
      },
    };
    const t = cutoverOutcomeText(subject, outcome);
    assert.equal(t.ok, true);
    assert.equal(t.message, 'Cut-over of shop.3 tables → 127.0.0.1:3309/shop_copy done: every table matches.');
    assert.match(t.detail, /Final position: mariadb-bin\.000004:2000000 \(GTID 0-1-1234\): the target holds every change up to it\./);
    assert.match(t.detail, /Tables verified by checksum: orders \(20,000 rows, match\), customers \(10,000 rows, match\)\./);
    assert.match(t.detail, /Blocked to caught up: 0\.9 s; verification: 2\.3 s\./);
    assert.match(t.detail, /Writes are still blocked on primary \(127\.0\.0\.1:3306\) \(read_only\)\. Lift the block when the application uses the target:\n {2}SET GLOBAL read_only = OFF;/);
    const bad = cutoverOutcomeText(subject, { ...outcome, report: { ...outcome.report!, tables: [{ table: 'orders', rows: 1, match: false }] } });
    assert.equal(bad.ok, false);
    assert.match(bad.message, /done, but orders do not match/);
    const failed = cutoverOutcomeText(subject, { state: 'failed', message: 'Lock wait timeout exceeded on shop.orders; nothing stays blocked.' });
    assert.deepEqual(failed, { ok: false, message: 'Cut-over of shop.3 tables → 127.0.0.1:3309/shop_copy failed: Lock wait timeout exceeded on shop.orders; nothing stays blocked.', detail: '' });
    assert.match(cutoverOutcomeText(subject, { state: 'refused', message: 'not in sync' }).message, /refused: not in sync$/);
  });
});

describe('a job whose first events arrive before the start answers', () => {
  test('the Jobs view row and the progress store keep those events and take the spec\'s mode', () => {
    const m = new JobsModel(clock);
    const events = hybridEvents('early', false);
    m.applyEvent(events[0]);
    m.applyStarted(jobSummary('early', { state: 'planning', rowsCopied: 0 }, { mode: 'hybrid', tables: HYBRID_TABLES }));
    const row = m.get('early')!;
    assert.equal(row.view.mode, 'hybrid');
    assert.equal(row.view.tablesTotal, 3, 'the planned event is kept');
    assert.equal(row.label, 'shop.3 tables → 127.0.0.1:3309/shop_copy');
    const store = new JobProgressStore({ clock: () => 0, schedule: () => ({ cancel() {} }) });
    store.ingest(events[0], 0);
    store.begin('early', jobSummary('early', {}, { mode: 'hybrid' }).spec, 0);
    for (const e of events.slice(1)) store.ingest(e, 0);
    assert.equal(store.view('early')?.mode, 'hybrid');
    assert.equal(store.replay('early')?.snapshot.phase, 'catching-up');
    assert.equal(store.record('early')?.spec?.mode, 'hybrid', 'the report has the spec');
  });
});
