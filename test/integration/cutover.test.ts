// The cut-over of a hybrid job, against the real sandbox. The hybrid job itself is not used: a full
// copy of the change-stream load tables is taken, a write load runs on the source, and
// performCutover's waitApplied runs the existing sync once after the block (it applies up to the
// source's position at its start, which is the position after the block). Every test lifts what it
// blocked, so other tests on the sandbox are not affected.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob, type JobSpec, type ServerSpec } from '../../src/engine/index.js';
import { comparePositions, syncJob } from '../../src/engine/cdc/index.js';
import {
  CutoverFailedError,
  finishCutover,
  performCutover,
  requestCutover,
  runCutover,
  watchCutover,
  type CutoverDeps,
  type CutoverStep,
} from '../../src/engine/cutover/index.js';
import { connect, closeQuietly } from '../../src/engine/db/index.js';
import { RefusedError } from '../../src/engine/db/index.js';
import type { CutoverBlock, CutoverReport, StreamPosition } from '../../src/engine/jobs/index.js';
import { adminConnect, adminSpec, waitFor } from '../support/sandbox.js';
import { useCliFixture } from '../support/cli.js';
import { startWorker } from '../support/worker.js';
import { CutoverJobRequest } from '../../src/protocol/index.js';
import { allFacts, LOAD_TABLES, loadTablesWith, runLoad } from '../support/cdcLoad.js';
import mysql2 from 'mysql2/promise';

const SEED = 2000;
const fx = useCliFixture('co', { seed: loadTablesWith(SEED) });
const { srcDb, dstDb, runId } = fx;
// The application's account: plain DML rights, so read_only applies to it (the admin bypasses it).
const app = { user: `rwm_app_${runId}`.slice(0, 32), password: 'app-pw' };
const weak = { user: `rwm_weak_${runId}`.slice(0, 32), password: 'weak-pw' };
fx.atClose(async () => {
  await fx.primary.query('SET GLOBAL read_only = OFF').catch(() => undefined);
  for (const u of [app, weak]) await fx.primary.query('DROP USER IF EXISTS ?@?', [u.user, '%']).catch(() => undefined);
  await fx.target.query('DELETE FROM rw_migrate.cutover WHERE job_id LIKE ?', [`%${runId}%`]).catch(() => undefined);
});
let jobId = '';
let idBase = 1_000_000;

function sourceSpec(): ServerSpec {
  return adminSpec(fx.topo, fx.topo.servers.primary);
}
function targetSpec(): ServerSpec {
  return adminSpec(fx.topo, fx.topo.servers.target);
}

async function appConnect(): Promise<mysql.Connection> {
  const s = fx.topo.servers.primary;
  return mysql2.createConnection({ host: s.host, port: s.port, user: app.user, password: app.password, database: srcDb });
}

/** waitApplied by one sync run: it applies up to the source's position when it starts. */
async function syncUpTo(position: StreamPosition): Promise<void> {
  const pw = { source: fx.topo.users.admin.password, target: fx.topo.users.admin.password };
  const r = await syncJob(targetSpec(), jobId, pw).done;
  if (r.state !== 'done') throw new Error(`sync ${r.state}: ${r.message ?? ''}`);
  if (!r.stopAt || comparePositions(r.stopAt, position) < 0) throw new Error(`sync stopped at ${JSON.stringify(r.stopAt)}, before ${JSON.stringify(position)}`);
}

function deps(block: CutoverBlock, over: Partial<CutoverDeps> = {}): CutoverDeps & { steps: { step: CutoverStep; message: string }[] } {
  const steps: { step: CutoverStep; message: string }[] = [];
  return {
    source: sourceSpec(),
    target: targetSpec(),
    sourceDatabase: srcDb,
    targetDatabase: dstDb,
    tables: LOAD_TABLES,
    jobId,
    block,
    waitApplied: (p) => syncUpTo(p),
    onStep: (step, message) => steps.push({ step, message }),
    steps,
    ...over,
  };
}

/** A write load as the application; resolves with the error that stopped it (null: stopped by the flag). */
function startAppLoad(seed: number): { stop(): void; ended: Promise<Error | null>; conn: Promise<mysql.Connection> } {
  let stop = false;
  const conn = appConnect();
  idBase += 1_000_000;
  const base = idBase;
  const ended = conn.then((c) =>
    runLoad(c, srcDb, { seed, idBase: base, seedRows: SEED, stop: () => stop }).then(
      () => null,
      (e: Error) => e,
    ),
  );
  return { stop: () => (stop = true), ended, conn };
}

async function maxItemId(): Promise<number> {
  const [r] = await fx.primary.query<RowDataPacket[]>(`SELECT MAX(id) AS m FROM \`${srcDb}\`.items WHERE id < 10000000`);
  return Number(r[0].m);
}

async function ourTriggers(): Promise<number> {
  const [r] = await fx.primary.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME LIKE 'rwm\\_cutover\\_%'", [srcDb]);
  return Number(r[0].n);
}

async function readOnly(): Promise<boolean> {
  const [r] = await fx.primary.query<RowDataPacket[]>('SELECT @@GLOBAL.read_only AS r');
  return Number(r[0].r) === 1;
}

/** One write as the application: null when it succeeded, else the error. */
async function appWrite(): Promise<(Error & { errno?: number }) | null> {
  const c = await appConnect();
  try {
    await c.query('UPDATE items SET qty = qty + 1 WHERE id = 1');
    return null;
  } catch (err) {
    return err as Error & { errno?: number };
  } finally {
    await c.end();
  }
}

async function runLift(lift: string[]): Promise<void> {
  for (const s of lift) await fx.primary.query(s);
}

async function assertEqual(): Promise<void> {
  assert.deepEqual(await allFacts(fx.target, dstDb), await allFacts(fx.primary, srcDb));
}

async function assertReport(r: CutoverReport, block: CutoverBlock): Promise<void> {
  assert.equal(r.block, block);
  assert.ok(r.blockedToCaughtUpMs > 0 && r.blockedToCaughtUpMs < 60_000, `blockedToCaughtUpMs ${r.blockedToCaughtUpMs}`);
  assert.ok(r.verifyMs >= 0);
  assert.match(r.finalPosition.file, /\S/);
  assert.ok(r.finalPosition.position > 0);
  assert.match(r.finalGtid ?? '', /^\d+-\d+-\d+/);
  const [ms] = await fx.primary.query<RowDataPacket[]>('SHOW MASTER STATUS');
  assert.ok(comparePositions(r.finalPosition, { file: String(ms[0].File), position: Number(ms[0].Position) }) <= 0);
  assert.deepEqual(r.tables.map((t) => t.table).sort(), [...LOAD_TABLES].sort());
  for (const t of r.tables) {
    const [c] = await fx.primary.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${srcDb}\`.\`${t.table}\``);
    assert.equal(t.rows, Number(c[0].n), t.table);
    assert.equal(t.match, true);
  }
}

before(async () => {
  await fx.open();
  for (const [u, grants] of [
    [app, 'SELECT, INSERT, UPDATE, DELETE'],
    [weak, 'SELECT'],
  ] as const) {
    await fx.primary.query('CREATE USER ?@? IDENTIFIED BY ?', [u.user, '%', u.password]);
    await fx.primary.query(`GRANT ${grants} ON \`${srcDb}\`.* TO ?@?`, [u.user, '%']);
  }
  const spec: JobSpec = { source: sourceSpec(), target: targetSpec(), sourceDatabase: srcDb, targetDatabase: dstDb, tables: LOAD_TABLES, mode: 'full' };
  const r = await startJob(spec).done;
  assert.equal(r.state, 'done', r.message);
  jobId = r.jobId;
});

afterEach(async () => {
  // Whatever a test left: no read_only, none of our triggers.
  await fx.primary.query('SET GLOBAL read_only = OFF');
  const [t] = await fx.primary.query<RowDataPacket[]>("SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME LIKE 'rwm\\_cutover\\_%'", [srcDb]);
  for (const r of t) await fx.primary.query(`DROP TRIGGER \`${srcDb}\`.\`${String(r.n)}\``);
});

describe('cut-over (performCutover, waitApplied = one sync run)', () => {
  for (const block of ['lock', 'read-only'] as const) {
    it(`${block}: the load's writes are refused after the block, the target equals the source, the lift lets writes through`, async () => {
      const load = startAppLoad(block === 'lock' ? 5 : 9);
      const before = await maxItemId();
      await waitFor('the load writing', async () => (await maxItemId()) > before + 5, 30_000);
      const d = deps(block);
      const report = await performCutover(d);
      const err = (await load.ended) as (Error & { errno?: number }) | null;
      load.stop();
      await (await load.conn).end();
      assert.ok(err, 'the load was stopped by the block');
      if (block === 'lock') {
        assert.equal(err.errno, 1644, err.message);
        assert.match(err.message, new RegExp(`rw-migrate cutover ${jobId}: ${srcDb}\\.\\w+ moved to`));
      } else {
        assert.equal(err.errno, 1290, err.message);
      }
      await assertEqual();
      await assertReport(report, block);
      assert.deepEqual(
        d.steps.map((s) => s.step),
        ['blocked', 'caught-up', 'verified', 'done'],
      );
      if (block === 'lock') {
        assert.equal(report.lift.length, LOAD_TABLES.length * 3);
        assert.ok(report.lift.every((s) => s.startsWith('DROP TRIGGER IF EXISTS')));
        assert.equal(await ourTriggers(), LOAD_TABLES.length * 3);
      } else {
        assert.deepEqual(report.lift, ['SET GLOBAL read_only = OFF']);
        assert.equal(await readOnly(), true);
        // The warning names the connected account whose privilege bypasses read_only (the test's admin).
        assert.match(report.warnings?.join(' ') ?? '', new RegExp(`READ_ONLY ADMIN.*connected now and NOT blocked: .*${fx.topo.users.admin.user}`));
      }
      // Still blocked after performCutover returned (the block outlives the cut-over's sessions).
      const still = await appWrite();
      assert.equal(still?.errno, block === 'lock' ? 1644 : 1290);
      await runLift(report.lift);
      assert.equal(await appWrite(), null);
      assert.equal(await readOnly(), false);
      assert.equal(await ourTriggers(), 0);
    });
  }

  it('a waitApplied that rejects: the block is lifted, the error says nothing was changed', async () => {
    const d = deps('lock', { waitApplied: () => Promise.reject(new Error('stream lost')) });
    const err = await performCutover(d).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CutoverFailedError, String(err));
    assert.equal(err.blockLifted, true);
    assert.match(err.message, /stream lost/);
    assert.match(err.message, /Nothing was changed: the block was lifted and writes to the source are unblocked/);
    assert.equal(await ourTriggers(), 0);
    assert.equal(await appWrite(), null);
    assert.deepEqual(
      d.steps.map((s) => s.step),
      ['blocked', 'failed'],
    );
  });

  it('a target row corrupted while catching up: verification fails naming the table, nothing claimed, block lifted', async () => {
    let id = 0;
    const d = deps('read-only', {
      waitApplied: async (p) => {
        await syncUpTo(p);
        const [r] = await fx.target.query<RowDataPacket[]>(`SELECT id FROM \`${dstDb}\`.items ORDER BY id LIMIT 1`);
        id = Number(r[0].id);
        await fx.target.query(`UPDATE \`${dstDb}\`.items SET qty = qty + 1 WHERE id = ?`, [id]);
      },
    });
    const outcome = await runCutover(d);
    try {
      assert.equal(outcome.state, 'failed');
      assert.equal(outcome.report, undefined);
      assert.match(outcome.message, /verification found the target different from the source/);
      assert.match(outcome.message, /items \(mismatch: source \d+ rows, target \d+ rows, 1 with different values \(qty\)\)/);
      assert.doesNotMatch(outcome.message, /pairs \(|corpus \(/);
      assert.match(outcome.message, /block was lifted and writes to the source are unblocked/);
      assert.equal(await readOnly(), false);
      assert.equal(await appWrite(), null);
    } finally {
      await fx.target.query(`UPDATE \`${dstDb}\`.items SET qty = qty - 1 WHERE id = ?`, [id]);
    }
  });

  it('lock: a transaction holding a moved table makes the lock time out: nothing blocked, the holder named', async () => {
    const holder = await adminConnect(fx.topo.servers.primary);
    try {
      await holder.query('START TRANSACTION');
      await holder.query(`UPDATE \`${srcDb}\`.items SET qty = qty WHERE id = 2`);
      const [me] = await holder.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      const d = deps('lock', { lockWaitSeconds: 1 });
      const err = await performCutover(d).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CutoverFailedError, String(err));
      assert.match(err.message, /could not lock 3 table\(s\) within 1 s/);
      assert.match(err.message, new RegExp(`thread ${me[0].id} \\(${fx.topo.users.admin.user}@`));
      assert.match(err.message, /Nothing was changed: writes to the source were not blocked/);
      assert.equal(await ourTriggers(), 0);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.equal(await appWrite(), null);
  });

  it('lock: a moved table that a table left behind cascades into is named in the warnings', async () => {
    await fx.primary.query(`CREATE TABLE \`${srcDb}\`.fk_parent (id INT PRIMARY KEY) ENGINE=InnoDB`);
    const child = 'CREATE TABLE fk_child (id INT PRIMARY KEY, p INT NOT NULL, KEY (p)) ENGINE=InnoDB';
    await fx.primary.query(`${child.replace('fk_child', `\`${srcDb}\`.fk_child`).replace('KEY (p))', 'KEY (p), CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES fk_parent (id) ON DELETE CASCADE)')}`);
    await fx.target.query(child.replace('fk_child', `\`${dstDb}\`.fk_child`));
    try {
      const report = await performCutover(deps('lock', { tables: ['fk_child'], waitApplied: () => Promise.resolve() }));
      assert.match(report.warnings?.join(' ') ?? '', new RegExp(`${srcDb}\\.fk_child still changes through foreign key fk_p \\(ON UPDATE RESTRICT, ON DELETE CASCADE\\) when ${srcDb}\\.fk_parent, which was not moved`));
      assert.equal(report.lift.length, 3);
      await runLift(report.lift);
    } finally {
      await fx.primary.query(`DROP TABLE \`${srcDb}\`.fk_child, \`${srcDb}\`.fk_parent`);
      await fx.target.query(`DROP TABLE \`${dstDb}\`.fk_child`);
    }
  });

  it('lock: CREATE TRIGGER refused on the second table: the triggers made on the first are dropped, nothing blocked', async () => {
    const part = { user: `rwm_part_${runId}`.slice(0, 32), password: 'part-pw' };
    const role = `rwm_role_${runId}`.slice(0, 32);
    await fx.primary.query('CREATE USER ?@? IDENTIFIED BY ?', [part.user, '%', part.password]);
    await fx.primary.query(`CREATE ROLE \`${role}\``);
    try {
      // TRIGGER on items only; a granted role makes the pre-flight leave the verdict to the server.
      await fx.primary.query(`GRANT SELECT, LOCK TABLES ON \`${srcDb}\`.* TO ?@?`, [part.user, '%']);
      await fx.primary.query(`GRANT TRIGGER ON \`${srcDb}\`.items TO ?@?`, [part.user, '%']);
      // SUPER: CREATE TRIGGER with the binlog on needs it (log_bin_trust_function_creators is OFF).
      await fx.primary.query('GRANT SLAVE MONITOR, SUPER ON *.* TO ?@?', [part.user, '%']);
      await fx.primary.query(`GRANT \`${role}\` TO ?@?`, [part.user, '%']);
      const s = fx.topo.servers.primary;
      const d = deps('lock', { source: { host: s.host, port: s.port, user: part.user, password: part.password }, tables: ['items', 'pairs'] });
      const err = await performCutover(d).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CutoverFailedError, String(err));
      assert.equal(err.blockLifted, true);
      assert.match(err.message, /CREATE TRIGGER failed \(.*TRIGGER command denied.*\); the triggers made so far were dropped\. Nothing was changed/);
      assert.equal(await ourTriggers(), 0);
      assert.equal(await appWrite(), null);
    } finally {
      await fx.primary.query('DROP USER IF EXISTS ?@?', [part.user, '%']);
      await fx.primary.query(`DROP ROLE IF EXISTS \`${role}\``);
    }
  });

  it('refuses a replica source and an account without the privileges, before blocking anything', async () => {
    const onReplica = await performCutover(deps('lock', { source: adminSpec(fx.topo, fx.topo.servers.replica1) })).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(onReplica instanceof RefusedError, String(onReplica));
    assert.match(onReplica.message, /is a replica, and the cut-over never writes to one/);
    const s = fx.topo.servers.primary;
    const weakSource: ServerSpec = { host: s.host, port: s.port, user: weak.user, password: weak.password };
    // Replication status needs SLAVE MONITOR: without it the source's role cannot be told, also a refusal.
    await fx.primary.query('GRANT SLAVE MONITOR ON *.* TO ?@?', [weak.user, '%']);
    for (const block of ['lock', 'read-only'] as const) {
      const err = await performCutover(deps(block, { source: weakSource })).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof RefusedError, String(err));
      if (block === 'lock') {
        assert.match(err.message, new RegExp(`lacks LOCK TABLES ON \`${srcDb}\`\\.\\*, TRIGGER ON .*, SUPER ON \\*\\.\\* \\(CREATE TRIGGER with the binary log on.*Fix: GRANT LOCK TABLES ON`));
      }
      else assert.match(err.message, /lacks READ_ONLY ADMIN ON \*\.\* .*Fix: GRANT READ_ONLY ADMIN ON \*\.\* TO/);
    }
    assert.equal(await ourTriggers(), 0);
    assert.equal(await readOnly(), false);
  });
});

describe('cut-over requests (requestCutover, watchCutover, finishCutover)', () => {
  const hybridId = `hyb-${runId}`;

  /** The job's side, as the hybrid job runs it: watch at its own pace (300 ms here), cut over when asked. */
  async function standInJob(conn: Awaited<ReturnType<typeof connect>>, stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      const block = await watchCutover(conn, hybridId, 'in-sync', 0);
      if (block) await finishCutover(conn, hybridId, await runCutover({ ...deps(block), jobId: hybridId }));
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  before(async () => {
    const spec = { source: { ...sourceSpec(), password: undefined }, target: { ...targetSpec(), password: undefined }, sourceDatabase: srcDb, targetDatabase: dstDb, tables: LOAD_TABLES, mode: 'hybrid' };
    await fx.target.query("INSERT INTO rw_migrate.jobs (id, spec, state, created_at, updated_at) VALUES (?, ?, 'copying', NOW(3), NOW(3))", [hybridId, JSON.stringify(spec)]);
  });
  after(async () => {
    await fx.target.query('DELETE FROM rw_migrate.jobs WHERE id = ?', [hybridId]);
  });

  it('refuses an unknown job, a job that is not hybrid, a job that is not running, a job that is not in sync', async () => {
    const unknown = await requestCutover(targetSpec(), `nope-${runId}`, 'lock', { timeoutMs: 2000 });
    assert.equal(unknown.state, 'refused');
    assert.match(unknown.message, /No job nope-/);
    const full = await requestCutover(targetSpec(), jobId, 'lock', { timeoutMs: 2000 });
    assert.equal(full.state, 'refused');
    assert.match(full.message, /is not a hybrid job \(its mode is full\): only a hybrid job/);
    const idle = await requestCutover(targetSpec(), hybridId, 'lock', { timeoutMs: 2000 });
    assert.equal(idle.state, 'refused');
    assert.match(idle.message, new RegExp(`is not running.*rw-migrate resume ${hybridId} first`));
    const conn = await connect(targetSpec());
    try {
      assert.equal(await watchCutover(conn, hybridId, 'catching-up', 12.5), null);
      const lagging = await requestCutover(targetSpec(), hybridId, 'lock', { timeoutMs: 2000 });
      assert.equal(lagging.state, 'refused');
      assert.match(lagging.message, /is catching-up, not in sync \(12\.5 s behind the source\)/);
    } finally {
      await closeQuietly(conn);
    }
    assert.equal(await ourTriggers(), 0);
  });

  it('round trip: a job loop picks up the request, cuts over, and the asker gets the report; a second request is refused', async () => {
    const conn = await connect(targetSpec());
    let stop = false;
    const jobLoop = standInJob(conn, () => stop);
    try {
      await waitFor('the job loop alive', async () => {
        const [r] = await fx.target.query<RowDataPacket[]>('SELECT job_phase FROM rw_migrate.cutover WHERE job_id = ?', [hybridId]);
        return r[0]?.job_phase === 'in-sync';
      });
      const steps: string[] = [];
      const outcome = await requestCutover(targetSpec(), hybridId, 'lock', { timeoutMs: 60_000, onStep: (s) => steps.push(s) });
      assert.equal(outcome.state, 'done', outcome.message);
      assert.ok(outcome.report);
      await assertReport(outcome.report, 'lock');
      await assertEqual();
      assert.equal(steps[0], 'requested');
      assert.equal(steps.at(-1), 'done');
      assert.equal((await appWrite())?.errno, 1644);
      const again = await requestCutover(targetSpec(), hybridId, 'lock', { timeoutMs: 2000 });
      assert.equal(again.state, 'refused');
      assert.match(again.message, /has already cut over/);
      await runLift(outcome.report.lift);
      assert.equal(await appWrite(), null);
    } finally {
      stop = true;
      await jobLoop;
      await closeQuietly(conn);
    }
  });

  it('a request nobody picks up is withdrawn on timeout', async () => {
    const conn = await connect(targetSpec());
    try {
      // Alive and in sync, but never claims the request (as a job stuck elsewhere would). The
      // round trip left the row done: start from no request.
      await fx.target.query('UPDATE rw_migrate.cutover SET state = NULL WHERE job_id = ?', [hybridId]);
      assert.equal(await watchCutover(conn, hybridId, 'in-sync', 0), null);
      const outcome = await requestCutover(targetSpec(), hybridId, 'read-only', { timeoutMs: 1000 });
      assert.equal(outcome.state, 'failed');
      assert.match(outcome.message, /No answer within 1 s: job hyb-\S+ had not picked up the cut-over request; the request was withdrawn and nothing was changed/);
      const [r] = await fx.target.query<RowDataPacket[]>('SELECT state FROM rw_migrate.cutover WHERE job_id = ?', [hybridId]);
      assert.equal(r[0].state, null);
      assert.equal(await readOnly(), false);
    } finally {
      await closeQuietly(conn);
    }
  });

  it('a cut-over claimed by a job process that died is failed by the next process of the job, saying the block may be in place', async () => {
    await fx.target.query(
      "UPDATE rw_migrate.cutover SET state = 'running', block = 'lock', claimed_by = 'gone:1:x', message = 'writes to 3 table(s) are refused' WHERE job_id = ?",
      [hybridId],
    );
    const conn = await connect(targetSpec());
    try {
      assert.equal(await watchCutover(conn, hybridId, 'in-sync', 0), null);
    } finally {
      await closeQuietly(conn);
    }
    const [r] = await fx.target.query<RowDataPacket[]>('SELECT state, message FROM rw_migrate.cutover WHERE job_id = ?', [hybridId]);
    assert.equal(r[0].state, 'failed');
    assert.match(String(r[0].message), /process that was running this cut-over stopped before it finished \(block: lock\)\. Writes to the moved tables may still be blocked.*Its last step: writes to 3 table/);
  });

  it('the worker answers CutoverJobRequest through the same request row (refusals here: not running, not hybrid)', async () => {
    const worker = await startWorker();
    try {
      await fx.target.query('UPDATE rw_migrate.cutover SET job_seen_at = NOW(3) - INTERVAL 1 MINUTE WHERE job_id = ?', [hybridId]);
      const idle = await worker.rpc.sendRequest(CutoverJobRequest, { jobId: hybridId, target: targetSpec(), block: 'lock' });
      assert.equal(idle.state, 'refused');
      assert.match(idle.message, /is not running \(last seen 6\d s ago\)/);
      const full = await worker.rpc.sendRequest(CutoverJobRequest, { jobId, target: targetSpec(), block: 'read-only' });
      assert.equal(full.state, 'refused');
      assert.match(full.message, /its mode is full/);
    } finally {
      worker.stop();
    }
    assert.equal(await ourTriggers(), 0);
    assert.equal(await readOnly(), false);
  });

  it('CLI: cutover --yes against a running job exits 0 and prints the lift; asked again it is refused with exit 3', async () => {
    const url = fx.url('target');
    await fx.target.query('UPDATE rw_migrate.cutover SET state = NULL WHERE job_id = ?', [hybridId]);
    const conn = await connect(targetSpec());
    let stop = false;
    const jobLoop = standInJob(conn, () => stop);
    try {
      const run = fx.cli(['cutover', hybridId, '--to', url, '--yes', '--block', 'read-only']);
      const code = await run.exit;
      const text = run.lines.join('\n');
      assert.equal(code, 0, text + run.stderr.join(''));
      assert.match(text, /^done: cut over with block read-only/m);
      for (const t of LOAD_TABLES) assert.match(text, new RegExp(`^  ${t}: \\d+ rows, match$`, 'm'));
      assert.match(text, /to lift the block on the source, run:\n {2}SET GLOBAL read_only = OFF;/);
      assert.match(text, /warning: read_only does not block accounts with READ_ONLY ADMIN/);
      assert.match(run.stderr.join(''), /^requested: /m);
      assert.equal(await readOnly(), true);
      await assertEqual();
      await fx.primary.query('SET GLOBAL read_only = OFF');
      const again = fx.cli(['cutover', hybridId, '--to', url, '--yes', '--json']);
      assert.equal(await again.exit, 3);
      const result = again.lines.map((l) => JSON.parse(l) as { type: string; state?: string; message?: string }).find((l) => l.type === 'result');
      assert.equal(result?.state, 'refused');
      assert.match(result?.message ?? '', /has already cut over/);
    } finally {
      stop = true;
      await jobLoop;
      await closeQuietly(conn);
    }
  });

  it('CLI: cutover without --yes is refused (exit 2) and says what it would block where', async () => {
    const url = fx.url('target');
    const run = fx.cli(['cutover', hybridId, '--to', url]);
    assert.equal(await run.exit, 2);
    const text = run.stderr.join('');
    assert.match(text, /refusing to cut over without --yes/);
    assert.match(text, new RegExp(`on ${fx.topo.servers.primary.host}:${fx.topo.servers.primary.port}`));
    for (const t of LOAD_TABLES) assert.match(text, new RegExp(`${srcDb}\\.${t}`));
    assert.match(text, /blocker triggers/);
    assert.match(text, /DROP TRIGGER/);
    const ro = fx.cli(['cutover', hybridId, '--to', url, '--block', 'read-only']);
    assert.equal(await ro.exit, 2);
    assert.match(ro.stderr.join(''), /the WHOLE server .* becomes read-only .*SET GLOBAL read_only = OFF/);
    // A target that cannot be reached: bad input (exit 2) naming it, as for the other commands.
    const down = fx.cli(['cutover', hybridId, '--to', 'mysql://nobody@127.0.0.1:1', '--yes'], { env: { RW_MIGRATE_TO_PASSWORD: 'x' } });
    assert.equal(await down.exit, 2);
    assert.match(down.stderr.join(''), /127\.0\.0\.1:1/);
    assert.equal(await ourTriggers(), 0);
    assert.equal(await readOnly(), false);
  });
});
