// The worker's SyncJobRequest on an incremental job (the Jobs view's Sync action): the job started
// through StartJobRequest with mode incremental, new rows on the source, then Sync through the real
// bundled worker runs the next increment; the target equals the source by CHECKSUM TABLE and hash.
// A sync from another server (a failover source) is refused for it: that is a binlog sync's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncJobRequest } from '../../src/protocol/index.js';
import { INCREMENTAL_BLIND_SPOTS } from '../../src/engine/jobs/modes.js';
import { useWorkerFixture } from '../support/worker.js';
import { tableFingerprint } from '../support/tableHash.js';

const fx = useWorkerFixture('incw', async (primary, db) => {
  await primary.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, updated_at TIMESTAMP(3) NOT NULL, v VARCHAR(20) NOT NULL, KEY (updated_at))`);
  await primary.query(`INSERT INTO \`${db}\`.t SELECT seq, TIMESTAMP'2026-03-01 00:00:00' + INTERVAL (seq DIV 4) SECOND, CONCAT('r', seq) FROM \`${db}\`.seq_1_to_300`);
});

let jobId = '';

test('Sync on an incremental job, through the worker: the next increment, rows above the mark', async () => {
  const { primary, target, source, dst, srcDb, dstDb } = fx;
  jobId = await fx.startJob({ tables: ['t'], mode: 'incremental', watermark: { column: 'updated_at' }, maxChunkRows: 50 });
  const done = await fx.jobFinished(jobId);
  assert.equal(done.state, 'done', done.message);
  assert.equal(done.message, INCREMENTAL_BLIND_SPOTS);
  assert.deepEqual(done.watermarks, [{ table: 't', mark: '2026-03-01 00:01:15.000', rows: 300 }]);

  await primary.query(`INSERT INTO \`${srcDb}\`.t SELECT 1000 + seq, TIMESTAMP'2026-03-01 00:01:15' + INTERVAL (seq DIV 5) SECOND, 'new' FROM \`${srcDb}\`.seq_1_to_40`);
  const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source, target: dst });
  assert.equal(r.state, 'done', r.message);
  assert.equal(r.events, 40, 'the rows upserted this run');
  assert.equal(r.message, INCREMENTAL_BLIND_SPOTS);
  assert.ok(fx.syncEvents.some((e) => e.jobId === jobId && e.type === 'sync-log' && e.message.includes(INCREMENTAL_BLIND_SPOTS)));
  const s = await tableFingerprint(primary, srcDb, 't');
  const t = await tableFingerprint(target, dstDb, 't');
  assert.deepEqual(t, s);
});

test('Sync from another server on an incremental job, through the worker: refused (it reads its own source by watermark), nothing run', async () => {
  assert.ok(jobId, 'the incremental job of the test before');
  const before = await tableFingerprint(fx.target, fx.dstDb, 't');
  await fx.primary.query(`INSERT INTO \`${fx.srcDb}\`.t VALUES (5000, TIMESTAMP'2026-03-02 00:00:00', 'later')`);
  const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source: fx.source, target: fx.dst, from: fx.spec(fx.topo.servers.replica1) });
  assert.equal(r.state, 'refused', r.message);
  assert.match(r.message ?? '', /applies to a binlog sync; an incremental job reads its own source by watermark/);
  assert.deepEqual(await tableFingerprint(fx.target, fx.dstDb, 't'), before, 'no increment ran');
});
