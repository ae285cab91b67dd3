// A hybrid job through the real bundled worker (what the editor's Start sends): it reaches in-sync
// as JobEventNotifications say, follows changes made afterwards (equal by CHECKSUM TABLE and
// count), lists its phase, pauses and resumes in sync (the editor's Pause and Resume), and a cancel
// ends it cancelled with the phase kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { JobControlRequest, JobEventNotification, JobFinishedNotification, ListJobsRequest, StartJobRequest, type JobResult } from '../../src/protocol/index.js';
import type { ProgressEvent } from '../../src/engine/jobs/types.js';
import { adminConnect, adminSpec, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';
import { allFacts, createLoadTables, runLoad, seedLoadTables } from '../support/cdcLoad.js';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let worker: WorkerProcess;
const events: ProgressEvent[] = [];
const finished: JobResult[] = [];
const runId = `${Date.now().toString(36)}${process.pid}`;
const srcDb = `hyw_src_${runId}`;
const dstDb = `hyw_dst_${runId}`;

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE \`${srcDb}\``);
  await createLoadTables(primary, srcDb);
  await seedLoadTables(primary, srcDb, 500);
  worker = await startWorker((rpc) => {
    rpc.onNotification(JobEventNotification, (e) => events.push(e));
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

async function waitCaughtUp(jobId: string): Promise<void> {
  await waitFor('the stream at the source position', async () => {
    const [[c], [s]] = [
      (await target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]))[0],
      (await primary.query<RowDataPacket[]>('SHOW MASTER STATUS'))[0],
    ];
    return c && String(c.binlog_file) === String(s.File) && Number(c.binlog_pos) >= Number(s.Position);
  }, 60_000);
}

test('a hybrid job through the worker: in sync, follows later changes, pauses and resumes, cancels with its phase kept', async () => {
  const source = adminSpec(topo, topo.servers.primary);
  const dst = adminSpec(topo, topo.servers.target);
  const { jobId } = await worker.rpc.sendRequest(StartJobRequest, {
    spec: { source, target: dst, sourceDatabase: srcDb, targetDatabase: dstDb, tables: 'all', mode: 'hybrid', first: ['corpus'] },
  });
  await waitFor('in-sync', async () => events.some((e) => e.jobId === jobId && e.type === 'phase' && e.phase === 'in-sync'), 120_000);
  const conn = await adminConnect(topo.servers.primary);
  await runLoad(conn, srcDb, { seed: 9, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  await conn.end();
  await waitCaughtUp(jobId);
  assert.deepEqual(await allFacts(target, dstDb), await allFacts(primary, srcDb));
  const listed = (await worker.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(listed?.state, 'copying');
  assert.equal(listed?.phase, 'in-sync');
  assert.ok(events.some((e) => e.jobId === jobId && e.type === 'stream'), 'stream events reach the editor');

  // Pause in sync (the editor's Pause): the worker's listing says paused, the source's writes stay behind.
  const pausedAt = events.length;
  assert.deepEqual(await worker.rpc.sendRequest(JobControlRequest, { jobId, action: 'pause' }), { ok: true });
  await waitFor('the paused state', async () => events.slice(pausedAt).some((e) => e.jobId === jobId && e.type === 'state' && e.state === 'paused'), 10_000);
  const paused = (await worker.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.deepEqual([paused?.state, paused?.phase], ['paused', 'in-sync']);
  const targetBefore = await allFacts(target, dstDb);
  const writtenAt = events.length;
  const [res] = await primary.query(`UPDATE \`${srcDb}\`.items SET qty = qty + 7 WHERE id <= 50`);
  const writes = (res as { affectedRows: number }).affectedRows;
  assert.ok(writes > 0);
  await waitFor('the writes behind', async () => events.slice(writtenAt).some((e) => e.jobId === jobId && e.type === 'stream' && e.behindEvents >= writes), 30_000);
  assert.deepEqual(await allFacts(target, dstDb), targetBefore, 'nothing applied while paused');
  const resumedAt = events.length;
  assert.deepEqual(await worker.rpc.sendRequest(JobControlRequest, { jobId, action: 'resume' }), { ok: true });
  await waitFor('the copying state', async () => events.slice(resumedAt).some((e) => e.jobId === jobId && e.type === 'state' && e.state === 'copying'), 10_000);
  await waitCaughtUp(jobId);
  assert.deepEqual(await allFacts(target, dstDb), await allFacts(primary, srcDb));
  await worker.rpc.sendRequest(JobControlRequest, { jobId, action: 'cancel' });
  const r = await waitFor('the job finished', async () => finished.find((f) => f.jobId === jobId), 30_000);
  assert.equal(r.state, 'cancelled');
  const after = (await worker.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(after?.phase, 'in-sync');
});
