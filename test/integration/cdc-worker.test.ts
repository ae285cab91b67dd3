// The worker's SyncJobRequest (what the Jobs view's Sync action sends): a finished copy, changes on
// the source, then a sync through the real bundled worker; the target equals the source by
// CHECKSUM TABLE and count, and progress arrives as notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncJobRequest } from '../../src/protocol/index.js';
import { useWorkerFixture } from '../support/worker.js';
import { allFacts, loadTablesWith, runLoad } from '../support/cdcLoad.js';

const fx = useWorkerFixture('cdcw', loadTablesWith(500));

test('Sync on a finished copy, through the worker: the target catches up with the source', async () => {
  const { source, dst } = fx;
  const jobId = await fx.startJob({ tables: 'all', mode: 'full' });
  const done = await fx.jobFinished(jobId);
  assert.equal(done.state, 'done', done.message);
  await runLoad(fx.primary, fx.srcDb, { seed: 3, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source, target: dst });
  assert.equal(r.state, 'done', r.message);
  assert.ok(r.events > 0);
  assert.ok(fx.syncEvents.some((e) => e.jobId === jobId && e.type === 'sync-start'));
  assert.deepEqual(await allFacts(fx.target, fx.dstDb), await allFacts(fx.primary, fx.srcDb));
});
