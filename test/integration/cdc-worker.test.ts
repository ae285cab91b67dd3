// The worker's SyncJobRequest (what the Jobs view's Sync action sends): a finished copy, changes on
// the source, then a sync through the real bundled worker; the target equals the source by
// CHECKSUM TABLE and count, and progress arrives as notifications.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import { StartJobRequest, SyncEventNotification, SyncJobRequest, JobFinishedNotification, type SyncEvent, type JobResult } from '../../src/protocol/index.js';
import { adminConnect, adminSpec, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';
import { allFacts, createLoadTables, runLoad, seedLoadTables } from '../support/cdcLoad.js';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let worker: WorkerProcess;
const events: SyncEvent[] = [];
const finished: JobResult[] = [];
const runId = `${Date.now().toString(36)}${process.pid}`;
const srcDb = `cdcw_src_${runId}`;
const dstDb = `cdcw_dst_${runId}`;

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE \`${srcDb}\``);
  await createLoadTables(primary, srcDb);
  await seedLoadTables(primary, srcDb, 500);
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

test('Sync on a finished copy, through the worker: the target catches up with the source', async () => {
  const source = adminSpec(topo, topo.servers.primary);
  const dst = adminSpec(topo, topo.servers.target);
  const { jobId } = await worker.rpc.sendRequest(StartJobRequest, {
    spec: { source, target: dst, sourceDatabase: srcDb, targetDatabase: dstDb, tables: 'all', mode: 'full' },
  });
  const done = await waitFor('the copy finished', async () => finished.find((r) => r.jobId === jobId), 120_000);
  assert.equal(done.state, 'done', done.message);
  const conn = await adminConnect(topo.servers.primary);
  await runLoad(conn, srcDb, { seed: 3, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  await conn.end();
  const r = await worker.rpc.sendRequest(SyncJobRequest, { jobId, source, target: dst });
  assert.equal(r.state, 'done', r.message);
  assert.ok(r.events > 0);
  assert.ok(events.some((e) => e.jobId === jobId && e.type === 'sync-start'));
  assert.deepEqual(await allFacts(target, dstDb), await allFacts(primary, srcDb));
});
