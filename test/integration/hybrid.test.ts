// rw-migrate copy --mode hybrid: a snapshot copy, then the source's binlog followed with no stop
// while a write load runs; the job says in-sync, and once the load stops and the stream reaches the
// source's position every table is equal by CHECKSUM TABLE and COUNT(*) (computed by the server).
// Then: kill -9 mid catch-up and resume, a source restart mid catch-up, kill -9 in the snapshot
// phase and resume, the `first` tables copied first, a STATEMENT-format source refused up front.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { listJobs, startMigration, type ProgressEvent } from '../../src/engine/index.js';
import { adminConnect, adminSpec, waitFor } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture, type CliRun } from '../support/cli.js';
import { allFacts, createLoadTables, loadTablesWith, runLoad, seedLoadTables } from '../support/cdcLoad.js';

const SEED = 3000;
const fx = useCliFixture('hy', { seed: loadTablesWith(SEED) });
const { srcDb, dstDb } = fx;
for (const db of [`${dstDb}_s`, `${dstDb}_f`, `${dstDb}_st`]) fx.dropAfter('target', db);

function inSyncLines(run: CliRun): Record<string, unknown>[] {
  return jsonLines(run).filter((e) => e.type === 'state' && e.state === 'in-sync');
}

async function waitInSync(run: CliRun, count = 1, timeoutMs = 120_000): Promise<void> {
  await waitFor(`the in-sync line (${count})`, async () => inSyncLines(run).length >= count || (run.child.exitCode !== null && Promise.reject(new Error(`the job exited: ${text(run)}`))), timeoutMs);
}

/**
 * The job has told the cut-over row it is in sync (what `cutover` checks, refreshed every 500 ms):
 * the in-sync line alone can come before that row is refreshed.
 */
async function waitCutoverReady(jobId: string): Promise<void> {
  await waitFor('the cut-over row in sync', async () => {
    const [r] = await fx.target.query<RowDataPacket[]>('SELECT job_phase FROM rw_migrate.cutover WHERE job_id = ?', [jobId]).catch(() => [[]] as unknown as [RowDataPacket[]]);
    return r[0]?.job_phase === 'in-sync';
  }, 30_000);
}

async function jobIdOf(run: CliRun): Promise<string> {
  return waitFor('the planned line', async () => String(jsonLines(run).find((e) => e.type === 'planned')?.jobId ?? '') || (run.child.exitCode !== null && Promise.reject(new Error(text(run)))), 60_000);
}

async function cdcRow(jobId: string): Promise<{ file: string; position: number; events: number } | null> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos, events FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]).catch(() => [[]] as unknown as [RowDataPacket[]]);
  return r[0] ? { file: String(r[0].binlog_file), position: Number(r[0].binlog_pos), events: Number(r[0].events) } : null;
}

async function sourcePos(): Promise<{ file: string; position: number }> {
  const [r] = await fx.primary.query<RowDataPacket[]>('SHOW MASTER STATUS');
  return { file: String(r[0].File), position: Number(r[0].Position) };
}

/** The job's committed stream position reached the source's current one (the load has stopped). */
async function waitCaughtUp(jobId: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    'the stream position reaching the source position',
    async () => {
      const [c, s] = [await cdcRow(jobId), await sourcePos()];
      return c !== null && c.file === s.file && c.position >= s.position;
    },
    timeoutMs,
  );
}

async function assertEqual(src: string, dst: string): Promise<void> {
  assert.deepEqual(await allFacts(fx.target, dst), await allFacts(fx.primary, src));
}

/** Ctrl-C: the job stops cleanly, cancelled, its phase kept. */
async function interrupt(run: CliRun): Promise<number | null> {
  run.child.kill('SIGINT');
  return run.exit;
}

async function jobRow(jobId: string): Promise<{ state: string; phase: string | undefined }> {
  const job = (await listJobs(adminSpec(fx.topo, fx.topo.servers.target))).find((j) => j.id === jobId);
  assert.ok(job, `job ${jobId} listed`);
  return { state: job.state, phase: job.phase };
}

async function freshSource(db: string, rows = SEED): Promise<void> {
  await fx.primary.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  fx.dropAfter('primary', db);
  await createLoadTables(fx.primary, db);
  await seedLoadTables(fx.primary, db, rows);
}

describe('rw-migrate copy --mode hybrid', () => {
  let jobId = '';

  it('follows the source under a write load: prints the in-sync line, then equal once the stream reaches the source', async () => {
    let stop = false;
    const loadConn = await adminConnect(fx.topo.servers.primary);
    const load = runLoad(loadConn, srcDb, { seed: 5, idBase: 1_000_000, seedRows: SEED, stop: () => stop });
    const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', srcDb), '--to', fx.url('target', dstDb), '--all', '--json', '--max-chunk-rows', '300']);
    try {
      jobId = await jobIdOf(run);
      await waitInSync(run);
      const line = inSyncLines(run)[0];
      assert.equal(line.jobId, jobId);
      assert.equal(typeof line.behindSeconds, 'number');
      assert.ok(Number(line.behindSeconds) < 1, `in sync means under the 1 s threshold: ${JSON.stringify(line)}`);
      // keep streaming under load a little: stream events keep coming after the in-sync line
      const streamed = jsonLines(run).filter((e) => e.type === 'stream').length;
      await waitFor('more stream events', async () => jsonLines(run).filter((e) => e.type === 'stream').length >= streamed + 2, 20_000);
    } finally {
      stop = true;
    }
    const stats = await load;
    await loadConn.end();
    assert.ok(stats.inserts + stats.updates + stats.deletes + stats.keyChanges > 50, `the load ran (${JSON.stringify(stats)})`);
    await waitCaughtUp(jobId);
    await assertEqual(srcDb, dstDb);
    // the running job's row says copying (not done: no cut-over yet), its phase in-sync
    assert.deepEqual(await jobRow(jobId), { state: 'copying', phase: 'in-sync' });
    const phases = jsonLines(run).filter((e) => e.type === 'phase').map((e) => e.phase);
    assert.deepEqual(phases.slice(0, 3), ['snapshot', 'catching-up', 'in-sync']);
    const code = await interrupt(run);
    assert.equal(code, 4, text(run));
    assert.deepEqual(await jobRow(jobId), { state: 'cancelled', phase: 'in-sync' });
  });

  it('kill -9 mid catch-up, then resume: in sync again and equal; a source restart mid catch-up is reconnected', async () => {
    assert.ok(jobId, 'needs the first test');
    // A backlog of a few hundred thousand row events while the job is stopped.
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items SELECT 3000000 + seq, CONCAT('r', seq), seq % 10, seq / 4, REPEAT('x', 80), NOW(6) FROM \`${srcDb}\`.seq_1_to_60000`);
    await fx.primary.query(`UPDATE \`${srcDb}\`.items SET qty = qty + 1, note = REPEAT('y', 90) WHERE id > 3000000`);
    await fx.primary.query(`UPDATE \`${srcDb}\`.items SET id = id + 100000 WHERE id > 3040000`);
    const before = (await cdcRow(jobId))?.events ?? 0;
    const run = fx.cli(['resume', jobId, '--to', fx.url('target'), '--json']);
    await waitFor('the resumed job applying', async () => ((await cdcRow(jobId))?.events ?? 0) > before, 60_000);
    run.child.kill('SIGKILL');
    await run.exit;
    const mid = (await cdcRow(jobId))?.events ?? 0;
    assert.ok(mid > before, 'part of the backlog applied before the kill');
    assert.equal(inSyncLines(run).length, 0, 'killed before it was in sync');
    assert.equal((await jobRow(jobId)).phase, 'catching-up');

    // more backlog, resume, and restart the source while it catches up
    await fx.primary.query(`UPDATE \`${srcDb}\`.items SET qty = qty + 2, note = REPEAT('z', 95) WHERE id > 3000000`);
    const sandbox = (await import('../../scripts/sandbox/index.mjs')) as {
      stopServer(dir: string, name: string, opts?: { kill?: boolean }): Promise<unknown>;
      startServer(dir: string, name: string): Promise<unknown>;
    };
    const before2 = (await cdcRow(jobId))?.events ?? 0;
    const again = fx.cli(['resume', jobId, '--to', fx.url('target'), '--json']);
    await waitFor('the second resume applying', async () => ((await cdcRow(jobId))?.events ?? 0) > before2, 60_000);
    await sandbox.stopServer(fx.topo.dir, 'primary', { kill: true });
    await waitFor('the primary restarted', () => sandbox.startServer(fx.topo.dir, 'primary').then(() => true, () => false), 60_000);
    await fx.primary.end().catch(() => undefined);
    fx.primary = await adminConnect(fx.topo.servers.primary);
    await waitInSync(again);
    await waitCaughtUp(jobId);
    assert.match(text(again), /reconnecting from/);
    await assertEqual(srcDb, dstDb);
    assert.equal(await interrupt(again), 4, text(again));
  });

  it('kill -9 in the snapshot phase, then resume: the copy continues, then follows; equal', async () => {
    const db = `${srcDb}_s`;
    await freshSource(db, 30_000);
    const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', db), '--to', fx.url('target', `${dstDb}_s`), '--all', '--json', '--max-chunk-rows', '100', '--chunk-time', '0.01', '--writers', '1']);
    const id = await jobIdOf(run);
    await waitFor('a few chunks committed', async () => {
      const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [id]);
      return Number(r[0].n) >= 5;
    }, 60_000);
    // changes during the snapshot: the stream from the first snapshot's position must carry them
    await fx.primary.query(`UPDATE \`${db}\`.items SET qty = qty + 100 WHERE id % 7 = 0`);
    await fx.primary.query(`DELETE FROM \`${db}\`.pairs WHERE b % 11 = 0`);
    run.child.kill('SIGKILL');
    await run.exit;
    assert.equal((await jobRow(id)).phase, 'snapshot');
    const resumed = fx.cli(['resume', id, '--to', fx.url('target'), '--json']);
    await waitInSync(resumed);
    const planned = jsonLines(resumed).find((e) => e.type === 'planned');
    assert.equal(planned?.snapshotCount, 2, 'the copy resumed with a second snapshot');
    await fx.primary.query(`UPDATE \`${db}\`.items SET code = CONCAT(code, 'q') WHERE id % 13 = 0`);
    await waitCaughtUp(id);
    await assertEqual(db, `${dstDb}_s`);
    assert.equal(await interrupt(resumed), 4);
  });

  it('through startMigration (no CLI): the first tables are copied first, then the job follows', async () => {
    const db = `${srcDb}_f`;
    await freshSource(db, 500);
    const events: ProgressEvent[] = [];
    const spec = fx.spec({ sourceDatabase: db, targetDatabase: `${dstDb}_f`, mode: 'hybrid', first: ['pairs', 'corpus'] });
    const handle = startMigration(spec, { onEvent: (e) => events.push(e) });
    await waitFor('in-sync', async () => events.some((e) => e.type === 'phase' && e.phase === 'in-sync'), 60_000);
    const order = events.filter((e) => e.type === 'table-done').map((e) => (e as { table: string }).table);
    assert.deepEqual(order, ['pairs', 'corpus', 'items']);
    await fx.primary.query(`UPDATE \`${db}\`.items SET qty = 7 WHERE id < 50`);
    const id = await handle.jobId;
    await waitCaughtUp(id);
    await assertEqual(db, `${dstDb}_f`);
    handle.cancel();
    const r = await handle.done;
    assert.equal(r.state, 'cancelled');
    assert.deepEqual(await jobRow(id), { state: 'cancelled', phase: 'in-sync' });
  });

  it('a cut-over asked from another process under load: both exit 0, the job done, equal, writes refused on the source', async () => {
    const db = `${srcDb}_c`;
    const dst = `${dstDb}_c`;
    await freshSource(db, 1000);
    const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', db), '--to', fx.url('target', dst), '--all', '--json']);
    const id = await jobIdOf(run);
    let stop = false;
    const loadConn = await adminConnect(fx.topo.servers.primary);
    // The load ends when the block refuses its writes (or when told to).
    const load = runLoad(loadConn, db, { seed: 21, idBase: 1_000_000, seedRows: 1000, stop: () => stop }).then(
      () => null,
      (err: { errno?: number }) => err,
    );
    let lift: string[] = [];
    try {
      await waitInSync(run);
      // A first attempt fails (a transaction holds a moved table, so the lock times out): nothing is
      // blocked and the job follows on, in sync again.
      const holder = await adminConnect(fx.topo.servers.primary);
      await holder.query('START TRANSACTION');
      await holder.query(`SELECT COUNT(*) FROM \`${db}\`.pairs WHERE b = -1`);
      await waitCutoverReady(id);
      const first = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--block', 'lock', '--json']);
      assert.equal(await first.exit, 1, text(first));
      assert.match(text(first), /could not lock .*Nothing was changed/s);
      await holder.query('COMMIT');
      await holder.end();
      await waitInSync(run, 2);
      assert.equal(run.child.exitCode, null, 'the job runs on after a failed cut-over');
      await waitCutoverReady(id);
      const co = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--block', 'lock', '--json']);
      assert.equal(await co.exit, 0, text(co));
      const answer = jsonLines(co).find((e) => e.type === 'result') as { state: string; report?: { lift: string[] } } | undefined;
      assert.equal(answer?.state, 'done', text(co));
      lift = answer?.report?.lift ?? [];
      assert.equal(await run.exit, 0, text(run));
      const result = jsonLines(run).find((e) => e.type === 'result') as { state: string; cutover?: { tables: { match: boolean }[] } } | undefined;
      assert.equal(result?.state, 'done');
      assert.equal(result?.cutover?.tables.length, 3);
      assert.ok(result?.cutover?.tables.every((t) => t.match));
      const phases = jsonLines(run).filter((e) => e.type === 'phase').map((e) => e.phase);
      assert.deepEqual(phases.slice(-2), ['cutting-over', 'done']);
      assert.ok(phases.join(' ').includes('in-sync cutting-over catching-up'), `back to following after the failed attempt: ${phases.join(' ')}`);
      assert.deepEqual(await jobRow(id), { state: 'done', phase: 'done' });
      const loadErr = await load;
      assert.equal(loadErr?.errno, 1644, `the load was stopped by the block (${String(loadErr)})`);
      await assertEqual(db, dst);
      const refused = await fx.primary.query(`INSERT INTO \`${db}\`.items VALUES (99999999, 'after', 1, 1, NULL, NOW(6))`).then(() => null, (e: { errno?: number }) => e);
      assert.equal(refused?.errno, 1644, 'writes to a moved table are refused on the source');
    } finally {
      stop = true;
      await load;
      await loadConn.end().catch(() => undefined);
      if (run.child.exitCode === null) run.child.kill('SIGINT');
      for (const stmt of lift) await fx.primary.query(stmt);
      await fx.target.query(`DROP DATABASE IF EXISTS \`${dst}\``).catch(() => undefined);
    }
  });

  it('a cut-over whose verification finds the target different fails the job (block lifted)', async () => {
    const db = `${srcDb}_d`;
    const dst = `${dstDb}_d`;
    await freshSource(db, 300);
    const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', db), '--to', fx.url('target', dst), '--all', '--json']);
    try {
      const id = await jobIdOf(run);
      await waitInSync(run);
      await fx.target.query(`UPDATE \`${dst}\`.items SET note = 'changed on the target' WHERE id = 7`);
      await waitCutoverReady(id);
      const co = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--block', 'lock', '--json']);
      assert.equal(await co.exit, 1, text(co));
      assert.equal(await run.exit, 1, text(run));
      const result = jsonLines(run).find((e) => e.type === 'result');
      assert.equal(result?.state, 'failed');
      assert.match(String(result?.message), /different from the source.*items.*block was lifted/s);
      assert.equal((await jobRow(id)).state, 'failed');
      await fx.primary.query(`UPDATE \`${db}\`.items SET qty = qty + 1 WHERE id = 8`); // writes go through: the block was lifted
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGINT');
      await fx.target.query(`DROP DATABASE IF EXISTS \`${dst}\``).catch(() => undefined);
    }
  });

  it('a first table that is not among the job tables is refused with the fix', async () => {
    const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', srcDb), '--to', fx.url('target', `${dstDb}_x`), '--tables', 'items', '--first', 'pairs']);
    assert.equal(await run.exit, 2);
    assert.match(text(run), /--first names pairs, not among the job's tables \(items\)/);
  });

  it('a STATEMENT-format source is refused before the snapshot writes anything (exit 3)', async () => {
    await fx.primary.query("SET GLOBAL binlog_format = 'STATEMENT'");
    try {
      const run = fx.cli(['copy', '--mode', 'hybrid', '--from', fx.url('primary', srcDb), '--to', fx.url('target', `${dstDb}_st`), '--all', '--json']);
      assert.equal(await run.exit, 3, text(run));
      assert.match(text(run), /binlog_format=STATEMENT/);
      const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${dstDb}_st`]);
      assert.equal(Number(r[0].n), 0, 'nothing written on the target');
    } finally {
      await fx.primary.query("SET GLOBAL binlog_format = 'ROW'");
    }
  });
});
