// Retries with real faults on the target, primary -> target:
// - the writer's connection is KILLed (found in PROCESSLIST while its LOAD DATA waits on a row lock the
//   test holds): the chunk is retried on a new connection, reported (CLI output), and the copy is exact;
// - a lock wait timeout (innodb_lock_wait_timeout 1 for the job's sessions, the row lock held by the
//   test): retried until the lock goes, reported as progress events;
// - when retries run out the job fails, resumable, and a resume completes it.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, adminSpec, waitFor } from '../support/sandbox.js';
import { resumeJob, startJob } from '../../src/engine/index.js';
import type { JobSpec, ProgressEvent } from '../../src/engine/jobs/types.js';
import { text, useCliFixture } from '../support/cli.js';

const fx = useCliFixture('retry');
const { srcDb, runId } = fx;
fx.atClose(() => fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 50'));
const ROWS = 20_000;
const LOCKED_ID = 15_000;

async function checksum(conn: mysql.Connection, db: string): Promise<string> {
  const [c] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.t`);
  return String(c[0].Checksum);
}

/** An empty target table like the source's, and a connection holding a row lock inside the range a chunk will write. */
async function lockedTarget(dstDb: string): Promise<mysql.Connection> {
  fx.dropAfter('target', dstDb);
  const [[create]] = await fx.primary.query<RowDataPacket[]>(`SHOW CREATE TABLE \`${srcDb}\`.t`);
  await fx.target.query(`CREATE DATABASE \`${dstDb}\``);
  await fx.target.query(`USE \`${dstDb}\``);
  await fx.target.query(String(create['Create Table']));
  const locker = await adminConnect(fx.topo.servers.target);
  await locker.query('START TRANSACTION');
  await locker.query(`INSERT INTO \`${dstDb}\`.t (id, v) VALUES (?, 'held by the test')`, [LOCKED_ID]);
  return locker;
}

/** The thread id of the job's writer waiting on the test's lock, checked in PROCESSLIST by user, command and statement. */
async function waitingWriter(): Promise<number> {
  return waitFor('a writer waiting on the row lock', async () => {
    const [rows] = await fx.target.query<RowDataPacket[]>(
      `SELECT p.ID AS id FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
        WHERE x.trx_state = 'LOCK WAIT' AND p.USER = ? AND p.COMMAND = 'Query' AND p.INFO LIKE 'LOAD DATA LOCAL INFILE%'`,
      [fx.topo.users.admin.user],
    );
    return rows.length ? Number(rows[0].id) : null;
  }, 30_000);
}

function spec(dstDb: string, extra: Partial<JobSpec> = {}): JobSpec {
  return fx.spec({ targetDatabase: dstDb, tables: ['t'], maxChunkRows: 1000, writers: 2, ...extra });
}

before(async () => {
  await fx.open();
  await fx.primary.query(`CREATE DATABASE \`${srcDb}\``);
  await fx.primary.query(`CREATE TABLE \`${srcDb}\`.t (id INT PRIMARY KEY, v VARCHAR(60) NOT NULL) ENGINE=InnoDB`);
  await fx.primary.query(`INSERT INTO \`${srcDb}\`.t SELECT seq, CONCAT('row ', seq, REPEAT('-', seq % 40)) FROM \`${srcDb}\`.seq_1_to_${ROWS}`);
});

describe('copy: retries of transient faults', () => {
  it('retries a chunk whose writer connection was killed, says so in the CLI output, and copies exactly', async () => {
    const dstDb = `retry_kill_${runId}`;
    const locker = await lockedTarget(dstDb);
    const run = fx.cli(['copy', '--from', fx.url('primary', srcDb), '--to', fx.url('target', dstDb), '--tables', 't', '--max-chunk-rows', '1000']);
    try {
      const victim = await waitingWriter();
      await fx.target.query(`KILL CONNECTION ${victim}`);
      await waitFor('the retry reported', async () => /retrying t chunk \d+ after connection lost/.test(text(run)), 30_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const code = await run.exit;
    const out = text(run);
    assert.equal(code, 0, out);
    assert.match(out, /retrying t chunk \d+ after connection lost \(attempt 1 failed, \d+ retries left\)/);
    assert.match(out, /done: job .*, 20,000 rows, .*, \d+ retr(y|ies) after transient faults/);
    assert.equal(await checksum(fx.target, dstDb), await checksum(fx.primary, srcDb));
  });

  it('retries a lock wait timeout until the lock is gone, with a progress event per retry', async () => {
    const dstDb = `retry_lock_${runId}`;
    const locker = await lockedTarget(dstDb);
    // New sessions (the job's writers) wait 1 s for a row lock instead of 50.
    await fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 1');
    const events: ProgressEvent[] = [];
    let handle: ReturnType<typeof startJob>;
    try {
      handle = startJob(spec(dstDb), { onEvent: (e) => events.push(e) });
      await waitFor('two lock wait timeout retries', async () => events.filter((e) => e.type === 'retry' && e.cause === 'lock wait timeout').length >= 2, 30_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 50');
    }
    const result = await handle.done;
    assert.equal(result.state, 'done', result.message);
    const retries = events.filter((e) => e.type === 'retry');
    assert.ok(retries.length >= 2);
    assert.equal(result.retries, retries.length);
    for (const r of retries) assert.ok(r.type === 'retry' && /^t chunk \d+$/.test(r.what) && /Lock wait timeout/i.test(r.error), JSON.stringify(r));
    assert.equal(result.rows, ROWS);
    assert.equal(await checksum(fx.target, dstDb), await checksum(fx.primary, srcDb));
  });

  it('fails, resumable, when the retries run out; a resume then completes the copy', async () => {
    const dstDb = `retry_out_${runId}`;
    const locker = await lockedTarget(dstDb);
    await fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 1');
    const events: ProgressEvent[] = [];
    try {
      const r = await startJob(spec(dstDb, { retries: 1 }), { onEvent: (e) => events.push(e) }).done;
      assert.equal(r.state, 'failed');
      assert.match(r.message ?? '', /Lock wait timeout/i);
      const retries = events.filter((e) => e.type === 'retry');
      assert.ok(retries.length >= 1, 'retried before failing');
      // --retries 1: each chunk is tried at most twice.
      for (const e of retries) assert.ok(e.type === 'retry' && e.attempt === 1 && e.retriesLeft === 1, JSON.stringify(retries));
      const [[job]] = await fx.target.query<RowDataPacket[]>('SELECT state FROM rw_migrate.jobs WHERE id = ?', [r.jobId]);
      assert.equal(job.state, 'failed');
      await locker.query('ROLLBACK');
      await fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 50');
      const resumed = await (await resumeJob(adminSpec(fx.topo, fx.topo.servers.target), r.jobId, { source: fx.topo.users.admin.password, target: fx.topo.users.admin.password })).done;
      assert.equal(resumed.state, 'done', resumed.message);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await fx.target.query('SET GLOBAL innodb_lock_wait_timeout = 50');
    }
    assert.equal(await checksum(fx.target, dstDb), await checksum(fx.primary, srcDb));
  });
});
