import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSpec } from '../../src/engine/jobs/types.js';
import { reportJson, reportMarkdown } from '../../src/engine/jobs/report.js';
import { jobRecord } from '../../src/engine/jobs/jobRecord.js';
import { emptyJobView, reduceJobView, type JobView, type JobViewEvent } from '../../src/engine/jobs/jobView.js';
import { sampleVerifyReport } from './diffFixture.js';

const spec: JobSpec = {
  source: { host: '127.0.0.1', port: 3306, user: 'rw', password: 's3cret!', name: 'primary' },
  target: { host: '127.0.0.1', port: 3309, user: 'rw', password: 't4rget!', name: 'target', ssl: { ca: '-----BEGIN CERTIFICATE-----' } },
  sourceDatabase: 'shop',
  targetDatabase: 'shop_copy',
  tables: 'all',
  mode: 'full',
  maxLagSeconds: 1,
  replicas: [{ host: '127.0.0.1', port: 3310, user: 'rw', password: 'r3plica!', name: 'replica1' }],
};

/** Folds events with the one reducer, as the extension and the CLI do. */
function recorder(jobId: string, start: number) {
  let view: JobView = emptyJobView(jobId, start);
  return {
    event: (e: JobViewEvent, at: number) => void (view = reduceJobView(view, e, at)),
    finish: (result: Extract<JobViewEvent, { type: 'finished' }>['result'], at: number) => void (view = reduceJobView(view, { type: 'finished', jobId, result }, at)),
    record: () => jobRecord(view, spec),
  };
}

function realisticRecord() {
  const t0 = Date.UTC(2026, 0, 12, 9, 30);
  let view: JobView = emptyJobView('a3f9c2e1', t0);
  const rec = { event: (e: JobViewEvent, at: number) => (view = reduceJobView(view, e, at)) };
  const p = (at: number, rows: number, throttled: boolean) =>
    rec.event({ type: 'progress', jobId: 'a3f9c2e1', rows, bytes: rows * 200, rowsPerSecond: throttled ? 1200 : 9100, totalRows: 558_000, totalIsEstimate: true, etaSeconds: 30, table: 'orders', chunk: 3, chunkRows: 5000, throttle: throttled ? { throttled: true, reason: 'replica1: lag 3 s > 1 s' } : { throttled: false }, state: 'copying' }, t0 + at);
  rec.event({ type: 'planned', jobId: 'a3f9c2e1', tables: sampleVerifyReport().tables.map((t) => ({ table: t.table, keyColumns: t.keyColumns, keyName: t.keyColumns.length ? 'PRIMARY' : null, estimatedRows: t.sourceRows ?? 0, noKey: false })), snapshot: { binlogFile: 'mariadb-bin.000004', binlogPosition: 81_924, gtidBinlogPos: '0-1-4471' } }, t0 + 500);
  p(1_000, 10_000, false);
  p(20_000, 200_000, true);
  p(32_500, 230_000, false);
  rec.event({ type: 'table-done', jobId: 'a3f9c2e1', table: 'orders', rows: 120_000 }, t0 + 40_000);
  rec.event({ type: 'log', jobId: 'a3f9c2e1', level: 'warn', message: 'sessions: no primary key, copied in one pass' }, t0 + 41_000);
  rec.event({ type: 'finished', jobId: 'a3f9c2e1', result: { jobId: 'a3f9c2e1', state: 'done', rows: 558_000, bytes: 111_600_000, seconds: 62 } }, t0 + 62_000);
  return jobRecord(view, spec, sampleVerifyReport());
}

test('the JSON report has settings without passwords, timings, throughput, throttle, tables, binlog', () => {
  const j = reportJson(realisticRecord());
  assert.equal(j.format, 'rw-migrate.report/1');
  assert.equal(j.state, 'done');
  const text = JSON.stringify(j);
  for (const secret of ['s3cret!', 't4rget!', 'r3plica!', 'BEGIN CERTIFICATE']) assert.ok(!text.includes(secret), `${secret} leaked`);
  assert.equal(j.settings?.source.user, 'rw');
  assert.deepEqual(j.timings, { startedAt: '2026-01-12T09:30:00.000Z', finishedAt: '2026-01-12T09:31:02.000Z', seconds: 62 });
  assert.deepEqual(j.throughput, { rows: 558_000, bytes: 111_600_000, rowsPerSecond: 9000, bytesPerSecond: 1_800_000, peakRowsPerSecond: 9100 });
  assert.deepEqual(j.throttle, { seconds: 12.5, episodes: 1, reasons: ['replica1: lag 3 s > 1 s'] });
  assert.deepEqual(j.binlog, { file: 'mariadb-bin.000004', position: 81_924, gtid: '0-1-4471', exact: null, snapshots: 1 });
  assert.deepEqual(j.retries, { count: 0, messages: [] });
  const orders = j.tables.find((t) => t.table === 'orders');
  assert.deepEqual(orders, { table: 'orders', keyName: 'PRIMARY', estimatedRows: 120_000, rowsCopied: 120_000, verify: 'mismatch', sourceRows: 120_000, targetRows: 119_998 });
  assert.equal(j.tables.length, 6);
  assert.deepEqual(j.verification, { mode: 'rows', clean: false, seconds: 17.2, rowsChecked: 558_000, summary: { match: 2, mismatch: 2, notChecked: 1, error: 1 } });
  assert.deepEqual(j.warnings, ['sessions: no primary key, copied in one pass']);
});

test('the Markdown report has every section, in order', () => {
  const md = reportMarkdown(realisticRecord());
  const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(sections, ['Settings', 'Timings and throughput', 'Throttling', 'Tables', 'Verification', 'Binlog position', 'Warnings']);
  assert.ok(md.startsWith('# Migration report: job a3f9c2e1\n'));
  for (const line of [
    '- Source: primary rw@127.0.0.1:3306, database `shop`',
    '- Replicas watched: replica1 rw@127.0.0.1:3310',
    '- Average: 9,000 rows/s; peak 9,100 rows/s',
    '- Time throttled: 12.5 s in 1 episode',
    '- Reason: replica1: lag 3 s > 1 s',
    '| orders | PRIMARY | 120,000 | 120,000 | mismatch | 120,000 | 119,998 |',
    "- audit_log: Table 'shop_copy.audit_log' doesn't exist",
    '- Mode: rows; NOT clean',
    '- File: `mariadb-bin.000004`',
    '- GTID: `0-1-4471`',
  ]) {
    assert.ok(md.includes(line), `missing line: ${line}\n---\n${md}`);
  }
  assert.ok(!md.includes('s3cret!'));
});

test('an unfinished, unverified job still reports', () => {
  const record = jobRecord(emptyJobView('j2', 0), null);
  const md = reportMarkdown(record);
  assert.ok(md.includes('Settings unknown'));
  assert.ok(md.includes('Not verified.'));
  assert.equal(reportJson(record).state, 'running');
});

test('a resumed job reports how many snapshots it took and the first one as the position to apply from', () => {
  const t0 = Date.UTC(2026, 0, 12, 9, 30);
  const rec = recorder('r1', t0);
  const first = { binlogFile: 'mariadb-bin.000004', binlogPosition: 81_924, gtidBinlogPos: '0-1-4471', exact: true };
  const later = { binlogFile: 'mariadb-bin.000004', binlogPosition: 99_000, gtidBinlogPos: '0-1-4490', exact: true };
  rec.event({ type: 'planned', jobId: 'r1', tables: [], snapshot: first, runSnapshot: later, snapshotCount: 2 }, t0);
  rec.event({ type: 'retry', jobId: 'r1', what: 'orders chunk 4', attempt: 1, retriesLeft: 5, cause: 'deadlock', error: 'Deadlock found' }, t0 + 10);
  rec.finish({ jobId: 'r1', state: 'done', rows: 10, bytes: 100, seconds: 1, snapshotCount: 2, applyFrom: first }, t0 + 1000);
  const j = reportJson(rec.record());
  assert.deepEqual(j.binlog, { file: 'mariadb-bin.000004', position: 81_924, gtid: '0-1-4471', exact: true, snapshots: 2 });
  assert.equal(j.retries.count, 1);
  const md = reportMarkdown(rec.record());
  assert.match(md, /The copy took 2 snapshots \(it was resumed\): rows copied after a resume reflect a later point/);
  assert.match(md, /GTID: `0-1-4471`/);
  assert.doesNotMatch(md, /0-1-4490/);
  assert.match(md, /## Retries\n\n1 transient fault was retried:\n\n- orders chunk 4: deadlock, attempt 1 \(Deadlock found\)/);
});

test('an approximate position (no Binlog_snapshot_* status) is called approximate', () => {
  const rec = recorder('m1', 0);
  rec.event({ type: 'planned', jobId: 'm1', tables: [], snapshot: { binlogFile: null, binlogPosition: null, gtidBinlogPos: 'uuid:1-5', exact: false }, snapshotCount: 1 }, 0);
  const md = reportMarkdown(rec.record());
  assert.match(md, /The copy read one consistent snapshot/);
  assert.match(md, /Approximate: read just after the snapshot started/);
});
