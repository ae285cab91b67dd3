// Pre-flight of a sync, against the sandbox: refusals before anything is written, each with its fix.
// binlog_format is switched on the sandbox primary for one test and restored in `finally`.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob, RefusedError } from '../../src/engine/index.js';
import { binlogPreflight } from '../../src/engine/preflight/index.js';
import { connect } from '../../src/engine/db/index.js';
import { adminSpec } from '../support/sandbox.js';
import type { ServerSpec } from '../../src/engine/jobs/types.js';
import { text, useCliFixture } from '../support/cli.js';

const fx = useCliFixture('pf');
const { srcDb, dstDb, runId } = fx;
const limitedUser = `pf_${runId}`.slice(0, 32);
const noMonitorUser = `pfm_${runId}`.slice(0, 32);
fx.atClose(async () => {
  await fx.primary.query(`DROP USER IF EXISTS '${limitedUser}'@'%'`).catch(() => undefined);
  await fx.target.query(`DROP USER IF EXISTS '${noMonitorUser}'@'%'`).catch(() => undefined);
});

async function syncCli(jobId: string): Promise<{ code: number | null; out: string }> {
  const run = fx.cli(['sync', jobId, '--to', fx.url('target')]);
  const code = await run.exit;
  return { code, out: text(run) };
}

async function preflightAs(source: ServerSpec, tables: string[], targetSpec: ServerSpec = adminSpec(fx.topo, fx.topo.servers.target)) {
  const s = await connect(source);
  const t = await connect(targetSpec);
  try {
    return await binlogPreflight({ source: s, sourceSpec: source, target: t, targetSpec, database: srcDb, tables, jobId: 'pf-test' });
  } finally {
    await s.end();
    await t.end();
  }
}

before(async () => {
  await fx.open();
  await fx.primary.query(`CREATE DATABASE \`${srcDb}\``);
  await fx.primary.query(`CREATE TABLE \`${srcDb}\`.keyed (id INT PRIMARY KEY, v VARCHAR(10))`);
  await fx.primary.query(`CREATE TABLE \`${srcDb}\`.nokey (a INT NULL, v VARCHAR(10))`);
  await fx.primary.query(`INSERT INTO \`${srcDb}\`.keyed VALUES (1, 'a'), (2, 'b')`);
  await fx.primary.query(`CREATE USER '${limitedUser}'@'%' IDENTIFIED BY 'pf-secret'`);
  await fx.primary.query(`GRANT SELECT ON \`${srcDb}\`.* TO '${limitedUser}'@'%'`);
  // On the target: may write the job's tables and the checkpoint schema, but not read its replica status.
  await fx.target.query(`CREATE USER '${noMonitorUser}'@'%' IDENTIFIED BY 'pf-secret'`);
  await fx.target.query(`GRANT ALL ON \`${dstDb}\`.* TO '${noMonitorUser}'@'%'`);
  await fx.target.query(`GRANT ALL ON rw_migrate.* TO '${noMonitorUser}'@'%'`);
});

describe('sync pre-flight', () => {
  it('binlog_format MIXED or STATEMENT on the source: refused (exit 3) with the fix, nothing written', async () => {
    const r = await startJob(fx.spec({ tables: ['keyed'] })).done;
    assert.equal(r.state, 'done', r.message);
    for (const format of ['MIXED', 'STATEMENT']) {
      await fx.primary.query(`SET GLOBAL binlog_format = '${format}'`);
      try {
        const out = await syncCli(r.jobId);
        assert.equal(out.code, 3, out.out);
        assert.match(out.out, new RegExp(`binlog_format=${format}.*Fix: SET GLOBAL binlog_format = 'ROW'`));
      } finally {
        await fx.primary.query("SET GLOBAL binlog_format = 'ROW'");
      }
      const [rows] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.cdc_state WHERE job_id = ?', [r.jobId]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
      assert.equal(Number(rows[0].n), 0, 'a refused sync writes no position');
    }
  });

  it('an account without REPLICATION SLAVE / BINLOG MONITOR: refused, naming the grants', async () => {
    const spec: ServerSpec = { host: fx.topo.servers.primary.host, port: fx.topo.servers.primary.port, user: limitedUser, password: 'pf-secret', name: 'primary' };
    await assert.rejects(preflightAs(spec, ['keyed']), (err: unknown) => {
      assert.ok(err instanceof RefusedError);
      assert.match(err.message, /may not read the binlog: missing REPLICATION SLAVE ON \*\.\*, BINLOG MONITOR ON \*\.\*.*GRANT REPLICATION SLAVE and BINLOG MONITOR/);
      return true;
    });
  });

  it('a captured table without a key: refused, naming the table', async () => {
    await assert.rejects(preflightAs(adminSpec(fx.topo, fx.topo.servers.primary), ['keyed', 'nokey']), (err: unknown) => {
      assert.ok(err instanceof RefusedError);
      assert.equal(err.details.length, 1);
      assert.match(err.details[0], new RegExp(`${srcDb}\\.nokey has neither a primary key.*Fix: add a primary key`));
      return true;
    });
  });

  it('a replica as the target: refused', async () => {
    await assert.rejects(preflightAs(adminSpec(fx.topo, fx.topo.servers.primary), ['keyed'], adminSpec(fx.topo, fx.topo.servers.replica1)), /is a replica.*sync to its primary/);
  });

  it('a target account that may not read its replica status: refused, naming SLAVE MONITOR', async () => {
    const t: ServerSpec = { host: fx.topo.servers.target.host, port: fx.topo.servers.target.port, user: noMonitorUser, password: 'pf-secret', name: 'target' };
    await assert.rejects(preflightAs(adminSpec(fx.topo, fx.topo.servers.primary), ['keyed'], t), (err: unknown) => {
      assert.ok(err instanceof RefusedError);
      assert.equal(err.details.length, 1, err.details.join('\n'));
      assert.match(err.details[0], /cannot tell whether target .* replicates from another server: the account pfm_\S+ may not read its replica status .*Fix: GRANT SLAVE MONITOR ON \*\.\* TO the account on the target/);
      return true;
    });
    // with the grant the same account passes
    await fx.target.query(`GRANT SLAVE MONITOR ON *.* TO '${noMonitorUser}'@'%'`);
    const r = await preflightAs(adminSpec(fx.topo, fx.topo.servers.primary), ['keyed'], t);
    assert.ok(r.serverId > 0);
  });

  it('the checks pass on the sandbox primary, with a server id no replica uses', async () => {
    const r = await preflightAs(adminSpec(fx.topo, fx.topo.servers.primary), ['keyed']);
    const [hosts] = await fx.primary.query<RowDataPacket[]>('SHOW SLAVE HOSTS');
    const taken = new Set([1, ...hosts.map((h) => Number(h.Server_id))]);
    assert.ok(hosts.length >= 2, 'the sandbox replicas are listed');
    assert.ok(!taken.has(r.serverId));
    assert.deepEqual(r.notes, []);
  });
});
