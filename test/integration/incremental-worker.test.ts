// The worker's SyncJobRequest on an incremental job (the Jobs view's Sync action): the job started
// through StartJobRequest with mode incremental, new rows on the source, then Sync through the real
// bundled worker runs the next increment; the target equals the source by CHECKSUM TABLE and hash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import { JobFinishedNotification, StartJobRequest, SyncEventNotification, SyncJobRequest, type JobResult, type SyncEvent } from '../../src/protocol/index.js';
import { INCREMENTAL_BLIND_SPOTS } from '../../src/engine/jobs/modes.js';
import { adminConnect, adminSpec, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';
import { tableFingerprint } from '../support/tableHash.js';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let worker: WorkerProcess;
const events: SyncEvent[] = [];
const finished: JobResult[] = [];
const runId = `${Date.now().toString(36)}${process.pid}`;
const srcDb = `incw_src_${runId}`;
const dstDb = `incw_dst_${runId}`;

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE \`${srcDb}\``);
  await primary.query(`CREATE TABLE \`${srcDb}\`.t (id INT PRIMARY KEY, updated_at TIMESTAMP(3) NOT NULL, v VARCHAR(20) NOT NULL, KEY (updated_at))`);
  await primary.query(`INSERT INTO \`${srcDb}\`.t SELECT seq, TIMESTAMP'2026-03-01 00:00:00' + INTERVAL (seq DIV 4) SECOND, CONCAT('r', seq) FROM \`${srcDb}\`.seq_1_to_300`);
  worker = await startWorker((rpc) => {
    rpc.onNotification(SyncEventNotification, (e) => events.push(e));
    rpc.onNotification(JobFinishedNotification, (r) => finished.push(r));
  });
});

after(async () => {
  worker?.stop();
  await primary.query(`DROP DATABASE IF EXISTS \`${srcDb}\``).catch(() => undefined);
  await target.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
  await primary.end();
  await target.end();
});

test('Sync on an incremental job, through the worker: the next increment, rows above the mark', async () => {
  const source = adminSpec(topo, topo.servers.primary);
  const dst = adminSpec(topo, topo.servers.target);
  const { jobId } = await worker.rpc.sendRequest(StartJobRequest, {
    spec: { source, target: dst, sourceDatabase: srcDb, targetDatabase: dstDb, tables: ['t'], mode: 'incremental', watermark: { column: 'updated_at' }, maxChunkRows: 50 },
  });
  const done = await waitFor('the first run finished', async () => finished.find((r) => r.jobId === jobId), 120_000);
  assert.equal(done.state, 'done', done.message);
  assert.equal(done.message, INCREMENTAL_BLIND_SPOTS);
  assert.deepEqual(done.watermarks, [{ table: 't', mark: '2026-03-01 00:01:15.000', rows: 300 }]);

  await primary.query(`INSERT INTO \`${srcDb}\`.t SELECT 1000 + seq, TIMESTAMP'2026-03-01 00:01:15' + INTERVAL (seq DIV 5) SECOND, 'new' FROM \`${srcDb}\`.seq_1_to_40`);
  const r = await worker.rpc.sendRequest(SyncJobRequest, { jobId, source, target: dst });
  assert.equal(r.state, 'done', r.message);
  assert.equal(r.events, 40, 'the rows upserted this run');
  assert.equal(r.message, INCREMENTAL_BLIND_SPOTS);
  assert.ok(events.some((e) => e.jobId === jobId && e.type === 'sync-log' && e.message.includes(INCREMENTAL_BLIND_SPOTS)));
  const s = await tableFingerprint(primary, srcDb, 't');
  const t = await tableFingerprint(target, dstDb, 't');
  assert.deepEqual(t, s);
});
