// A hybrid job through the real bundled worker (what the editor's Start sends): it reaches in-sync
// as JobEventNotifications say, follows changes made afterwards (equal by CHECKSUM TABLE and
// count), lists its phase, and a cancel ends it cancelled with the phase kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { JobControlRequest, ListJobsRequest } from '../../src/protocol/index.js';
import { waitFor } from '../support/sandbox.js';
import { useWorkerFixture } from '../support/worker.js';
import { allFacts, loadTablesWith, runLoad } from '../support/cdcLoad.js';

const fx = useWorkerFixture('hyw', loadTablesWith(500));

test('a hybrid job through the worker: in sync, follows later changes, cancels with its phase kept', async () => {
  const { primary, target, dst, jobEvents: events } = fx;
  const jobId = await fx.startJob({ tables: 'all', mode: 'hybrid', first: ['corpus'] });
  await waitFor('in-sync', async () => events.some((e) => e.jobId === jobId && e.type === 'phase' && e.phase === 'in-sync'), 120_000);
  await runLoad(fx.primary, fx.srcDb, { seed: 9, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  await waitFor('the stream at the source position', async () => {
    const [[c], [s]] = [
      (await target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]))[0],
      (await primary.query<RowDataPacket[]>('SHOW MASTER STATUS'))[0],
    ];
    return c && String(c.binlog_file) === String(s.File) && Number(c.binlog_pos) >= Number(s.Position);
  }, 60_000);
  assert.deepEqual(await allFacts(target, fx.dstDb), await allFacts(primary, fx.srcDb));
  const listed = (await fx.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(listed?.state, 'copying');
  assert.equal(listed?.phase, 'in-sync');
  assert.ok(events.some((e) => e.jobId === jobId && e.type === 'stream'), 'stream events reach the editor');
  await fx.rpc.sendRequest(JobControlRequest, { jobId, action: 'cancel' });
  const r = await fx.jobFinished(jobId, 30_000);
  assert.equal(r.state, 'cancelled');
  const after = (await fx.rpc.sendRequest(ListJobsRequest, { targets: [dst] })).find((j) => j.id === jobId);
  assert.equal(after?.phase, 'in-sync');
});
