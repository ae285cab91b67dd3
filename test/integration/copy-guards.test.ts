// Guards that act before anything is written, through the real CLI:
// - a target that replicates from another server (sandbox replica1) is refused with exit 3, and
//   nothing reaches it (no database, no rw_migrate schema, gtid_current_pos unchanged);
// - a target with read_only set is refused too, and written only with --allow-replica-target --yes;
// - a wrong password (source, target, replica) or an unreachable port names the server, its role and
//   the fix, with exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as os from 'node:os';
import * as fs from 'node:fs';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { REPO_ROOT, adminConnect, loadSandbox, type Topology } from '../support/sandbox.js';

let topo: Topology;
let replica1: mysql.Connection;
let target: mysql.Connection;
const runId = `${Date.now().toString(36)}${process.pid}`;
const dstDb = `guard_dst_${runId}`;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-guard-'));

interface Run {
  code: number | null;
  out: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password,
      RW_MIGRATE_TO_PASSWORD: topo.users.admin.password,
      RW_MIGRATE_REPLICA_PASSWORD: topo.users.admin.password,
      RW_MIGRATE_HOME: home,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, out })));
}

const url = (name: 'primary' | 'replica1' | 'replica2' | 'target', db = '') =>
  `mysql://${topo.users.admin.user}@${topo.servers[name].host}:${topo.servers[name].port}${db ? `/${db}` : ''}`;

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
  topo = loadSandbox();
  replica1 = await adminConnect(topo.servers.replica1);
  target = await adminConnect(topo.servers.target);
});

after(async () => {
  await target?.query('SET GLOBAL read_only = 0').catch(() => undefined);
  await target?.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
  await replica1?.end();
  await target?.end();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('copy guards (CLI)', () => {
  it('refuses a replica as the target, exit 3, and writes nothing to it', async () => {
    const [[before]] = await replica1.query<RowDataPacket[]>('SELECT @@gtid_current_pos AS g');
    const stateBefore = await replicaState(replica1);
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('replica1', dstDb), '--tables', 'customers']);
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
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('replica1', dstDb), '--tables', 'customers', '--allow-replica-target']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /Add --yes to confirm/);
    assert.equal(await replicaState(replica1), stateBefore);
  });

  it('refuses a read_only target, and writes to it only with --allow-replica-target --yes', async () => {
    await target.query('SET GLOBAL read_only = 1');
    try {
      const refused = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('target', dstDb), '--tables', 'customers']);
      assert.equal(refused.code, 3, refused.out);
      assert.match(refused.out, /has read_only set/);
      assert.ok(!(await schemas(target)).includes(dstDb), 'nothing created on the read_only target');
      const allowed = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('target', dstDb), '--tables', 'customers', '--allow-replica-target', '--yes']);
      assert.equal(allowed.code, 0, allowed.out);
      assert.match(allowed.out, /writing anyway \(--allow-replica-target confirmed\): the target .* has read_only set/);
      const [[n]] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${dstDb}\`.customers`);
      assert.ok(Number(n.n) > 0);
    } finally {
      await target.query('SET GLOBAL read_only = 0');
    }
  });

  it('a wrong source password names the source, its server and RW_MIGRATE_FROM_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('target', `${dstDb}_x`), '--tables', 'customers'], { RW_MIGRATE_FROM_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the source 127\\.0\\.0\\.1:${topo.servers.primary.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_FROM_PASSWORD/);
    assert.doesNotMatch(r.out, /failed: job :/);
  });

  it('a wrong target password names the target and RW_MIGRATE_TO_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('target', `${dstDb}_x`), '--tables', 'customers'], { RW_MIGRATE_TO_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the target 127\\.0\\.0\\.1:${topo.servers.target.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_TO_PASSWORD/);
  });

  it('a wrong replica password names the replica and RW_MIGRATE_REPLICA_PASSWORD (exit 2)', async () => {
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', url('target', `${dstDb}_x`), '--tables', 'customers', '--replica', url('replica2')], { RW_MIGRATE_REPLICA_PASSWORD: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the replica 127\\.0\\.0\\.1:${topo.servers.replica2.port}: Access denied`));
    assert.match(r.out, /fix: set RW_MIGRATE_REPLICA_PASSWORD/);
    assert.ok(!(await schemas(target)).includes(`${dstDb}_x`), 'nothing written before the replica was checked');
  });

  it('an unreachable port names the server and says to check --to (exit 2), for copy and status', async () => {
    const port = await freePort();
    const r = await cli(['copy', '--from', url('primary', 'shop'), '--to', `mysql://rwadmin@127.0.0.1:${port}/x`, '--tables', 'customers']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot connect to the target 127\\.0\\.0\\.1:${port}: Cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
    assert.match(r.out, /fix: check the host and port in --to/);
    const s = await cli(['status', '--to', `mysql://rwadmin@127.0.0.1:${port}`]);
    assert.equal(s.code, 2, s.out);
    assert.match(s.out, /cannot connect to the target/);
  });
});
