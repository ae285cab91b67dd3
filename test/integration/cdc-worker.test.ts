// The worker's SyncJobRequest (what the Jobs view's Sync actions send): a finished copy, changes on
// the source, then a sync through the real bundled worker; the target equals the source by
// CHECKSUM TABLE and count, and progress arrives as notifications. With `from` (Sync From Another
// Server, a failover): the stream continues on replica1 by GTID, the old source's password never
// sent; a replica lacking transactions the job already applied is refused, nothing written. The
// replicas are only read (and replica2's SQL thread paused and restarted); rows are written on the primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncJobRequest } from '../../src/protocol/index.js';
import { adminConnect } from '../support/sandbox.js';
import { useWorkerFixture } from '../support/worker.js';
import { allFacts, cdcStateOf, loadTablesWith, replicaCaughtUp, runLoad } from '../support/cdcLoad.js';

const fx = useWorkerFixture('cdcw', loadTablesWith(500));

let copied: Promise<string> | undefined;
/** The full copy every test here syncs on, made once through the worker. */
function copiedJob(): Promise<string> {
  copied ??= (async () => {
    const jobId = await fx.startJob({ tables: 'all', mode: 'full' });
    const done = await fx.jobFinished(jobId);
    assert.equal(done.state, 'done', done.message);
    return jobId;
  })();
  return copied;
}

test('Sync on a finished copy, through the worker: the target catches up with the source', async () => {
  const { source, dst } = fx;
  const jobId = await copiedJob();
  await runLoad(fx.primary, fx.srcDb, { seed: 3, idBase: 500_000, seedRows: 500, stop: () => false, maxOps: 300 });
  const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source, target: dst });
  assert.equal(r.state, 'done', r.message);
  assert.ok(r.events > 0);
  assert.ok(fx.syncEvents.some((e) => e.jobId === jobId && e.type === 'sync-start'));
  assert.deepEqual(await allFacts(fx.target, fx.dstDb), await allFacts(fx.primary, fx.srcDb));
});

test('Sync from another server, through the worker: replica1 continues the stream by GTID and the target equals the primary', async () => {
  const jobId = await copiedJob();
  await runLoad(fx.primary, fx.srcDb, { seed: 5, idBase: 1_000_000, seedRows: 500, stop: () => false, maxOps: 300 });
  const replica1 = await adminConnect(fx.topo.servers.replica1);
  await replicaCaughtUp(fx.primary, replica1).finally(() => replica1.end());
  // As after a failover, the editor has no password for the old source: only `from`'s is sent.
  const oldSource = { ...fx.source, password: undefined };
  const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source: oldSource, target: fx.dst, from: fx.spec(fx.topo.servers.replica1) });
  assert.equal(r.state, 'done', r.message);
  assert.ok(r.events > 0, `events: ${r.events}`);
  const notes = fx.syncEvents.filter((e) => e.jobId === jobId && e.type === 'sync-log').map((e) => (e.type === 'sync-log' ? e.message : ''));
  assert.ok(notes.some((m) => /was recorded on another server .*following .* from GTID 0-1-\d+/.test(m)), notes.join('\n'));
  const st = await cdcStateOf(fx.target, jobId);
  assert.match(st.file, /^replica1-bin\./, "the position is now in replica1's own binlog");
  assert.equal(st.server, `${fx.topo.servers.replica1.serverId}/replica1-bin`);
  assert.deepEqual(await allFacts(fx.target, fx.dstDb), await allFacts(fx.primary, fx.srcDb));
});

test('Sync from a server lacking transactions the job already applied, through the worker: refused with its message, nothing written', async () => {
  const jobId = await copiedJob();
  const replica2 = await adminConnect(fx.topo.servers.replica2);
  try {
    await replica2.query('STOP SLAVE SQL_THREAD');
    await runLoad(fx.primary, fx.srcDb, { seed: 7, idBase: 2_000_000, seedRows: 500, stop: () => false, maxOps: 100 });
    const applied = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source: fx.source, target: fx.dst });
    assert.equal(applied.state, 'done', applied.message);
    const before = await cdcStateOf(fx.target, jobId);
    const rows = await allFacts(fx.target, fx.dstDb);
    const r = await fx.rpc.sendRequest(SyncJobRequest, { jobId, source: fx.source, target: fx.dst, from: fx.spec(fx.topo.servers.replica2) });
    assert.equal(r.state, 'refused', r.message);
    assert.match(r.message ?? '', new RegExp(`has not logged transaction ${before.gtid}, which the job already applied .*it is behind.*nothing was written.*wait until it has caught up`));
    assert.equal(r.events, 0);
    assert.deepEqual(await cdcStateOf(fx.target, jobId), before, 'the position is untouched');
    assert.deepEqual(await allFacts(fx.target, fx.dstDb), rows, 'the target is untouched');
  } finally {
    await replica2.query('START SLAVE SQL_THREAD');
    await replicaCaughtUp(fx.primary, replica2).finally(() => replica2.end());
  }
});
