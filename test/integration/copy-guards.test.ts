// Guards that act before anything is written, through the real CLI:
// - a target that replicates from another server (sandbox replica1) is refused with exit 3, and
//   nothing reaches it (no database, no rw_migrate schema, gtid_current_pos unchanged);
// - a target with read_only set is refused too, and written only with --allow-replica-target --yes;
// - a wrong password (source, target, replica) or an unreachable port names the server, its role and
//   the fix, with exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect } from '../support/sandbox.js';
import { text, useCliFixture } from '../support/cli.js';

const fx = useCliFixture('guard');
const { dstDb } = fx;
fx.atClose(() => fx.target.query('SET GLOBAL read_only = 0'));
let replica1: mysql.Connection;

interface Run {
  code: number | null;
  out: string;
}

/** The CLI to its exit, the replica password set too (`env` overrides any of them). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const run = fx.cli(args, { env: { RW_MIGRATE_REPLICA_PASSWORD: fx.topo.users.admin.password, ...env } });
  const code = await run.exit;
  return { code, out: text(run) };
}

async function schemas(conn: mysql.Connection): Promise<string[]> {
  const [r] = await conn.query<RowDataPacket[]>("SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, 'rw_migrate')", [dstDb]);
  return r.map((x) => String(x.s));
}

/**
 * What a write to the replica would change: its schemas, its own rw_migrate rows (the schema may be
 * there already, replicated from copies into the primary by other tests), its GTID position.
 */
async function replicaState(conn: mysql.Connection): Promise<string> {
  const [s] = await conn.query<RowDataPacket[]>('SELECT GROUP_CONCAT(SCHEMA_NAME ORDER BY SCHEMA_NAME) AS s FROM information_schema.SCHEMATA');
  const [[g]] = await conn.query<RowDataPacket[]>('SELECT @@gtid_current_pos AS g');
  let jobs = 'no rw_migrate';
  if ((await schemas(conn)).includes('rw_migrate')) {
    const [j] = await conn.query<RowDataPacket[]>("SELECT COUNT(*) AS n, IFNULL(MAX(updated_at), '-') AS u FROM rw_migrate.jobs");
    jobs = `${j[0].n} jobs, last ${j[0].u}`;
  }
  return `${s[0].s} | ${g.g} | ${jobs}`;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  await fx.open();
  replica1 = await adminConnect(fx.topo.servers.replica1);
});

after(() => replica1?.end());

describe('copy guards (CLI)', () => {
  it('refuses a replica as the target, exit 3, and writes nothing to it', async () => {
    const [[before]] = await replica1.query<RowDataPacket[]>('SELECT @@gtid_current_pos AS g');
    const stateBefore = await replicaState(replica1);
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('replica1', dstDb), '--tables', 'customers']);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /replica1|127\.0\.0\.1:\d+/);
    assert.match(r.out, /is a replica: it replicates from 127\.0\.0\.1:\d+/);
    assert.match(r.out, /Changes reach replicas through their primary/);
    assert.match(r.out, /--allow-replica-target --yes/);
    const [[afterwards]] = await replica1.query<RowDataPacket[]>('SELECT @@gtid_current_pos AS g');
    assert.equal(String(afterwards.g), String(before.g), 'gtid_current_pos unchanged');
    assert.equal(await replicaState(replica1), stateBefore, 'no database, no rw_migrate schema or job row written on the replica');
    assert.ok(!(await schemas(replica1)).includes(dstDb));
  });

  it('--allow-replica-target needs --yes (exit 2)', async () => {
    const stateBefore = await replicaState(replica1);
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('replica1', dstDb), '--tables', 'customers', '--allow-replica-target']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /Add --yes to confirm/);
    assert.equal(await replicaState(replica1), stateBefore);
  });

  it('refuses a read_only target, and writes to it only with --allow-replica-target --yes', async () => {
    await fx.target.query('SET GLOBAL read_only = 1');
    try {
      const refused = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('target', dstDb), '--tables', 'customers']);
      assert.equal(refused.code, 3, refused.out);
      assert.match(refused.out, /has read_only set/);
      assert.ok(!(await schemas(fx.target)).includes(dstDb), 'nothing created on the read_only target');
      const allowed = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('target', dstDb), '--tables', 'customers', '--allow-replica-target', '--yes']);
      assert.equal(allowed.code, 0, allowed.out);
      assert.match(allowed.out, /writing anyway \(--allow-replica-target confirmed\): the target .* has read_only set/);
      const [[n]] = await fx.target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${dstDb}\`.customers`);
      assert.ok(Number(n.n) > 0);
    } finally {
      await fx.target.query('SET GLOBAL read_only = 0');
    }
  });

  it('a wrong source password names the source, its server and RW_MIGRATE_FROM_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('target', `${dstDb}_x`), '--tables', 'customers'], { RW_MIGRATE_FROM_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the source 127\\.0\\.0\\.1:${fx.topo.servers.primary.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_FROM_PASSWORD/);
    assert.doesNotMatch(r.out, /failed: job :/);
  });

  it('a wrong target password names the target and RW_MIGRATE_TO_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('target', `${dstDb}_x`), '--tables', 'customers'], { RW_MIGRATE_TO_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the target 127\\.0\\.0\\.1:${fx.topo.servers.target.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_TO_PASSWORD/);
  });

  it('a wrong replica password names the replica and RW_MIGRATE_REPLICA_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', fx.url('target', `${dstDb}_x`), '--tables', 'customers', '--replica', fx.url('replica2')], { RW_MIGRATE_REPLICA_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the replica 127\\.0\\.0\\.1:${fx.topo.servers.replica2.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_REPLICA_PASSWORD/);
    assert.ok(!(await schemas(fx.target)).includes(`${dstDb}_x`), 'nothing written before the replica was checked');
  });

  it('an unreachable port names the server and says to check --to (exit 2), for copy and status', async () => {
    const port = await freePort();
    const r = await cli(['copy', '--from', fx.url('primary', 'shop'), '--to', `mysql://rwadmin@127.0.0.1:${port}/x`, '--tables', 'customers']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the target 127\\.0\\.0\\.1:${port}: Cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
    assert.match(r.out, /fix: check the host and port in --to/);
    const s = await cli(['status', '--to', `mysql://rwadmin@127.0.0.1:${port}`]);
    assert.equal(s.code, 2, s.out);
    assert.match(s.out, /cannot connect to the target/);
  });
});
