// rw-migrate sync: a full copy taken while a write load runs on the source, then the change stream
// applies everything since the copy's snapshot. Every table is compared by CHECKSUM TABLE and COUNT(*)
// (computed by the server). Then: kill -9 of the sync mid-apply, a restart of the source mid-stream,
// a unique-key conflict, DDL and TRUNCATE on a captured table, a purged position.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob } from '../../src/engine/index.js';
import { adminConnect, waitFor } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture } from '../support/cli.js';
import { allFacts, createLoadTables, loadTablesWith, purgeOlderBinlogs, runLoad, seedLoadTables, writeCorpus } from '../support/cdcLoad.js';

const SEED = 3000;
const fx = useCliFixture('cdc', { seed: loadTablesWith(SEED) });
const { srcDb, dstDb } = fx;

async function sync(jobId: string, extra: string[] = []): Promise<{ code: number | null; result: Record<string, unknown> | null; text: string }> {
  const run = fx.cli(['sync', jobId, '--to', fx.url('target'), '--json', ...extra]);
  const code = await run.exit;
  const last = jsonLines(run).find((e) => e.type === 'result') ?? null;
  return { code, result: last, text: text(run) };
}

async function copyJob(src: string, dst: string, tables: string[] | 'all' = 'all'): Promise<string> {
  const spec = fx.spec({ sourceDatabase: src, targetDatabase: dst, tables, maxChunkRows: 200, initialChunkRows: 200 });
  const r = await startJob(spec).done;
  assert.equal(r.state, 'done', r.message);
  return r.jobId;
}

async function cdcEvents(jobId: string): Promise<number> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT events FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]).catch(() => [[]] as unknown as [RowDataPacket[]]);
  return r[0] ? Number(r[0].events) : 0;
}

async function assertEqual(src: string, dst: string, tables?: string[]): Promise<void> {
  const s = await allFacts(fx.primary, src, tables);
  const t = await allFacts(fx.target, dst, tables);
  assert.deepEqual(t, s);
}

describe('rw-migrate sync', () => {
  let jobId = '';

  it('a copy taken under a write load, then synced: every table equal by CHECKSUM TABLE and count', async () => {
    let stop = false;
    const loadConn = await adminConnect(fx.topo.servers.primary);
    const load = runLoad(loadConn, srcDb, { seed: 7, idBase: 1_000_000, seedRows: SEED, stop: () => stop });
    try {
      jobId = await copyJob(srcDb, dstDb);
    } finally {
      stop = true;
    }
    const stats = await load;
    await loadConn.end();
    assert.ok(stats.inserts + stats.updates + stats.deletes + stats.keyChanges > 20, `the load ran during the copy (${JSON.stringify(stats)})`);
    await writeCorpus(fx.primary, srcDb, 100);
    const r = await sync(jobId);
    assert.equal(r.code, 0, r.text);
    assert.ok(Number(r.result?.events) > 0, r.text);
    await assertEqual(srcDb, dstDb);
    // run again with nothing new: done, nothing applied
    const again = await sync(jobId);
    assert.equal(again.code, 0, again.text);
    assert.equal(Number(again.result?.events), 0);
  });

  it('kill -9 of the sync mid-apply, then sync again: equal', async () => {
    const loadConn = await adminConnect(fx.topo.servers.primary);
    await runLoad(loadConn, srcDb, { seed: 11, idBase: 2_000_000, seedRows: SEED, stop: () => false, maxOps: 1500 });
    await writeCorpus(fx.primary, srcDb, 200);
    await loadConn.end();
    const before = await cdcEvents(jobId);
    const run = fx.cli(['sync', jobId, '--to', fx.url('target'), '--json', '--batch-events', '200']);
    await waitFor('some batches applied', async () => (await cdcEvents(jobId)) >= before + 600, 60_000);
    run.child.kill('SIGKILL');
    await run.exit;
    const mid = await cdcEvents(jobId);
    assert.ok(mid > before, 'part of the backlog was applied before the kill');
    const r = await sync(jobId);
    assert.equal(r.code, 0, r.text);
    await assertEqual(srcDb, dstDb);
  });

  it('a restart of the source mid-stream: the sync reconnects from its committed position', async () => {
    const sandbox = (await import('../../scripts/sandbox/index.mjs')) as {
      stopServer(dir: string, name: string, opts?: { kill?: boolean }): Promise<unknown>;
      startServer(dir: string, name: string): Promise<unknown>;
    };
    // A backlog of several MB, so that part of it is still on the source when it dies (the kernel's
    // socket buffers hold a few MB whatever the stream reads ahead).
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items SELECT 3000000 + seq, CONCAT('r', seq), seq % 10, seq / 4, REPEAT('x', 80), NOW(6) FROM \`${srcDb}\`.seq_1_to_40000`);
    await fx.primary.query(`UPDATE \`${srcDb}\`.items SET qty = qty + 1, note = REPEAT('y', 90) WHERE id > 3000000`);
    await fx.primary.query(`UPDATE \`${srcDb}\`.items SET id = id + 100000 WHERE id > 3030000`);
    const before = await cdcEvents(jobId);
    const run = fx.cli(['sync', jobId, '--to', fx.url('target'), '--json', '--batch-events', '200', '--buffer-events', '200']);
    await waitFor('the sync applying', async () => (await cdcEvents(jobId)) > before, 60_000);
    // SIGKILL: a graceful shutdown would wait for the stream (MariaDB lets replicas read to the end first)
    await sandbox.stopServer(fx.topo.dir, 'primary', { kill: true });
    // The port can be briefly taken by a client's reconnect attempt (a TCP self-connect in the
    // ephemeral range): start again until the server is up.
    await waitFor('the primary restarted', () => sandbox.startServer(fx.topo.dir, 'primary').then(() => true, () => false), 60_000);
    const code = await run.exit;
    const out = text(run);
    assert.equal(code, 0, out);
    assert.match(out, /reconnecting from/);
    assert.ok(await cdcEvents(jobId) > before);
    await fx.primary.end().catch(() => undefined);
    fx.primary = await adminConnect(fx.topo.servers.primary);
    await assertEqual(srcDb, dstDb);
  });

  it('a row that conflicts with another target row on a unique key stops the sync, naming the table and key', async () => {
    await fx.target.query(`INSERT INTO \`${dstDb}\`.items VALUES (90000001, 'clash', 1, 1, 'target only', NOW(6))`);
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items VALUES (90000002, 'clash', 2, 2, 'source', NOW(6))`);
    const r = await sync(jobId);
    assert.equal(r.code, 1, r.text);
    assert.match(String(r.result?.message), /items.*unique key uk_code/);
    // the fix the message names: remove the target-only row, sync again
    await fx.target.query(`DELETE FROM \`${dstDb}\`.items WHERE id = 90000001`);
    const again = await sync(jobId);
    assert.equal(again.code, 0, again.text);
    await assertEqual(srcDb, dstDb);
  });

  it('TRUNCATE, ALTER or RENAME of a captured table stops the sync with the reason, after applying what came before', async () => {
    const db2 = `${srcDb}_ddl`;
    const dst2 = `${dstDb}_ddl`;
    await fx.primary.query(`CREATE DATABASE \`${db2}\``);
    try {
      await createLoadTables(fx.primary, db2);
      await seedLoadTables(fx.primary, db2, 100);
      const job2 = await copyJob(db2, dst2);
      await fx.primary.query(`UPDATE \`${db2}\`.items SET qty = 999 WHERE id = 5`);
      await fx.primary.query(`TRUNCATE TABLE \`${db2}\`.pairs`);
      const r = await sync(job2);
      assert.equal(r.code, 1, r.text);
      assert.match(String(r.result?.message), /TRUNCATE.*pairs/);
      const [rows] = await fx.target.query<RowDataPacket[]>(`SELECT qty FROM \`${dst2}\`.items WHERE id = 5`);
      assert.equal(Number(rows[0].qty), 999, 'the change before the TRUNCATE was applied');
      // stays stopped: the next run meets the same statement
      const again = await sync(job2);
      assert.equal(again.code, 1);
      assert.match(String(again.result?.message), /TRUNCATE/);

      const job3 = await copyJob(db2, `${dst2}b`, ['items']);
      await fx.primary.query(`ALTER TABLE \`${db2}\`.items ADD COLUMN extra INT NULL`);
      const r3 = await sync(job3);
      assert.equal(r3.code, 1, r3.text);
      assert.match(String(r3.result?.message), /ALTER on captured table .*items/);
    } finally {
      await fx.primary.query(`DROP DATABASE IF EXISTS \`${db2}\``);
      await fx.target.query(`DROP DATABASE IF EXISTS \`${dst2}\``);
      await fx.target.query(`DROP DATABASE IF EXISTS \`${dst2}b\``);
    }
  });

  it('a position purged from the source binlogs is refused with its fix, never skipped', async () => {
    const db3 = `${srcDb}_purge`;
    await fx.primary.query(`CREATE DATABASE \`${db3}\``);
    try {
      await createLoadTables(fx.primary, db3);
      await seedLoadTables(fx.primary, db3, 50);
      const job = await copyJob(db3, `${dstDb}_purge`, ['items']);
      await fx.primary.query(`UPDATE \`${db3}\`.items SET qty = 1`);
      await purgeOlderBinlogs(fx.primary);
      const r = await sync(job);
      assert.equal(r.code, 1, r.text);
      assert.match(String(r.result?.message), /no longer on .*purged.*new full copy/s);
    } finally {
      await fx.primary.query(`DROP DATABASE IF EXISTS \`${db3}\``);
      await fx.target.query(`DROP DATABASE IF EXISTS \`${dstDb}_purge\``);
    }
  });
});
