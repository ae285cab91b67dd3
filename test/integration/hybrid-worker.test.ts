// A hybrid job through the real bundled worker (what the editor's Start sends): it reaches in-sync
// as JobEventNotifications say, follows changes made afterwards (equal by CHECKSUM TABLE and
// count), lists its phase, pauses and resumes in sync (the editor's Pause and Resume), and a cancel
// ends it cancelled with the phase kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { JobControlRequest, ListJobsRequest } from '../../src/protocol/index.js';
import { waitFor } from '../support/sandbox.js';
import { useWorkerFixture } from '../support/worker.js';
import { allFacts, loadTablesWith, runLoad } from '../support/cdcLoad.js';

const fx = useWorkerFixture('hyw', loadTablesWith(500));

async function waitCaughtUp(jobId: string): Promise<void> {
  const { primary, target } = fx;
  await waitFor('the stream at the source position', async () => {
    const [[c], [s]] = [
      (await target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]))[0],
      (await primary.query<RowDataPacket[]>('SHOW MASTER STATUS'))[0],
    ];
    return c && String(c.binlog_file) === String(s.File) && Number(c.binlog_pos) >= Number(s.Position);
  }, 60_000);
}

test('a hybrid job through the worker: in sync, follows later changes, pauses and resumes, cancels with its phase kept', async () => {
  const { primary, target, dst, jobEvents: events } = fx;
  const jobId = await fx.startJob({ tables: 'all', mode: 'hybrid', first: ['corpus'] });
  await waitFor('in-sync', async () => events.some((e) => e.jobId === jobId && e.type === 'phase' && e.phase === 'in-sync'), 120_000);
  await runLoad(fx.primary, fx.srcDb, { seed: 9, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  await waitCaughtUp(jobId);
  assert.deepEqual(await allFacts(target, fx.dstDb), await allFacts(primary, fx.srcDb));
  const listed = (await fx.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(listed?.state, 'copying');
  assert.equal(listed?.phase, 'in-sync');
  assert.ok(events.some((e) => e.jobId === jobId && e.type === 'stream'), 'stream events reach the editor');

  // Pause in sync (the editor's Pause): the worker's listing says paused, the source's writes stay behind.
  const pausedAt = events.length;
  assert.deepEqual(await fx.rpc.sendRequest(JobControlRequest, { jobId, action: 'pause' }), { ok: true });
  await waitFor('the paused state', async () => events.slice(pausedAt).some((e) => e.jobId === jobId && e.type === 'state' && e.state === 'paused'), 10_000);
  const paused = (await fx.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.deepEqual([paused?.state, paused?.phase], ['paused', 'in-sync']);
  const targetBefore = await allFacts(target, fx.dstDb);
  const writtenAt = events.length;
  const [res] = await primary.query(`UPDATE \`${fx.srcDb}\`.items SET qty = qty + 7 WHERE id <= 50`);
  const writes = (res as { affectedRows: number }).affectedRows;
  assert.ok(writes > 0);
  await waitFor('the writes behind', async () => events.slice(writtenAt).some((e) => e.jobId === jobId && e.type === 'stream' && e.behindEvents >= writes), 30_000);
  assert.deepEqual(await allFacts(target, fx.dstDb), targetBefore, 'nothing applied while paused');
  const resumedAt = events.length;
  assert.deepEqual(await fx.rpc.sendRequest(JobControlRequest, { jobId, action: 'resume' }), { ok: true });
  await waitFor('the copying state', async () => events.slice(resumedAt).some((e) => e.jobId === jobId && e.type === 'state' && e.state === 'copying'), 10_000);
  await waitCaughtUp(jobId);
  assert.deepEqual(await allFacts(target, fx.dstDb), await allFacts(primary, fx.srcDb));

  await fx.rpc.sendRequest(JobControlRequest, { jobId, action: 'cancel' });
  const r = await fx.jobFinished(jobId, 30_000);
  assert.equal(r.state, 'cancelled');
  const after = (await fx.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(after?.phase, 'in-sync');
});
