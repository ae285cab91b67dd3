// rw-migrate sync --source: the change stream continues on another server holding the same
// transactions under other binlog file names (the sandbox replicas log replicated transactions:
// log_bin + log_slave_updates + gtid_strict_mode), found by the job's GTID position; back on the
// primary the same way; a purged binlog file whose transactions the GTID still finds; and a replica
// that lacks transactions the job already applied is refused, nothing applied. The replicas are only
// read (and replica2's SQL thread paused and restarted); every row is written on the primary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import { startJob } from '../../src/engine/index.js';
import { adminConnect } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture } from '../support/cli.js';
import { allFacts, cdcStateOf, loadTablesWith, purgeOlderBinlogs, replicaCaughtUp, runLoad, writeCorpus } from '../support/cdcLoad.js';

const fx = useCliFixture('fo', { seed: loadTablesWith(500) });
const { srcDb, dstDb } = fx;
let replica1: mysql.Connection;
let replica2: mysql.Connection;
let jobId = '';
let idBase = 1_000_000;
let corpusBase = 100;

async function sync(extra: string[] = []): Promise<{ code: number | null; result: Record<string, unknown> | null; text: string }> {
  const run = fx.cli(['sync', jobId, '--to', fx.url('target'), '--json', ...extra]);
  const code = await run.exit;
  const last = jsonLines(run).find((e) => e.type === 'result') ?? null;
  return { code, result: last, text: text(run) };
}

/** Inserts, updates (key changes among them) and deletes on the primary, and the type corpus. */
async function writes(ops = 200): Promise<void> {
  const conn = await adminConnect(fx.topo.servers.primary);
  try {
    await runLoad(conn, srcDb, { seed: idBase, idBase, seedRows: 500, stop: () => false, maxOps: ops });
    await writeCorpus(conn, srcDb, corpusBase);
  } finally {
    await conn.end();
  }
  idBase += 1_000_000;
  corpusBase += 100;
}

async function caughtUp(replica: mysql.Connection): Promise<void> {
  await replicaCaughtUp(fx.primary, replica);
}

function cdcState(): ReturnType<typeof cdcStateOf> {
  return cdcStateOf(fx.target, jobId);
}

async function assertEqual(): Promise<void> {
  assert.deepEqual(await allFacts(fx.target, dstDb), await allFacts(fx.primary, srcDb));
}

before(async () => {
  await fx.open();
  replica1 = await adminConnect(fx.topo.servers.replica1);
  replica2 = await adminConnect(fx.topo.servers.replica2);
  const r = await startJob(fx.spec()).done;
  assert.equal(r.state, 'done', r.message);
  jobId = r.jobId;
});

// Runs after the fixture's own after (hooks run in the order registered): the source's DROP is in
// replica2's relay log, applied once its SQL thread runs again.
after(async () => {
  await replica2.query('START SLAVE SQL_THREAD').catch(() => undefined);
  for (const c of [replica1, replica2]) await c.end().catch(() => undefined);
});

describe('sync --source (GTID resume)', () => {
  it('continues on a replica with the same transactions under other binlog names, then back on the primary', async () => {
    await writes();
    const first = await sync();
    assert.equal(first.code, 0, first.text);
    assert.match((await cdcState()).file, /^primary-bin\./);

    await writes();
    await caughtUp(replica1);
    const onReplica = await sync(['--source', fx.url('replica1')]);
    assert.equal(onReplica.code, 0, onReplica.text);
    assert.match(onReplica.text, /was recorded on another server .*following .* from GTID 0-1-\d+/);
    assert.ok(Number(onReplica.result?.events) > 0, onReplica.text);
    const st = await cdcState();
    assert.match(st.file, /^replica1-bin\./, 'the position is now in the replica\'s own binlog');
    assert.equal(st.server, '2/replica1-bin');
    await assertEqual();

    // the next run on the same replica goes by file and position again
    await writes();
    await caughtUp(replica1);
    const again = await sync(['--source', fx.url('replica1')]);
    assert.equal(again.code, 0, again.text);
    assert.doesNotMatch(again.text, /from GTID/);
    await assertEqual();

    // and back on the job's source, the primary, by GTID
    await writes();
    const back = await sync();
    assert.equal(back.code, 0, back.text);
    assert.match(back.text, /recorded on another server \(2\/replica1-bin\).*from GTID/);
    assert.match((await cdcState()).file, /^primary-bin\./);
    await assertEqual();
  });

  it('a server lacking transactions the job already applied is refused, nothing applied, never skipped ahead', async () => {
    await replica2.query('STOP SLAVE SQL_THREAD');
    try {
      await writes(100);
      const r = await sync();
      assert.equal(r.code, 0, r.text);
      const before = await cdcState();
      const refused = await sync(['--source', fx.url('replica2')]);
      assert.equal(refused.code, 3, refused.text);
      assert.match(String(refused.result?.message), new RegExp(`has not logged transaction ${before.gtid}, which the job already applied .*it is behind.*nothing was written.*wait until it has caught up`));
      assert.deepEqual(await cdcState(), before, 'the position is untouched');
    } finally {
      await replica2.query('START SLAVE SQL_THREAD');
    }
    await caughtUp(replica2);
    const ok = await sync(['--source', fx.url('replica2')]);
    assert.equal(ok.code, 0, ok.text);
    assert.match((await cdcState()).file, /^replica2-bin\./);
    await assertEqual();
    // nothing new: back on the primary the GTID is already at its end, and the place is recorded there
    const idle = await sync();
    assert.equal(idle.code, 0, idle.text);
    assert.equal(Number(idle.result?.events), 0);
    assert.match((await cdcState()).file, /^primary-bin\./);
  });

  it('a purged binlog file: the sync continues by GTID where the server still has the transactions after it', async () => {
    await writes(50);
    const r = await sync();
    assert.equal(r.code, 0, r.text);
    const at = await cdcState();
    assert.match(at.file, /^primary-bin\./);
    await purgeOlderBinlogs(fx.primary);
    await writes(50);
    const after = await sync();
    assert.equal(after.code, 0, after.text);
    assert.match(after.text, new RegExp(`binlog ${at.file.replace(/\./g, '\\.')} is no longer on .*purged.*from GTID`));
    assert.ok(Number(after.result?.events) > 0);
    await assertEqual();
  });
});
