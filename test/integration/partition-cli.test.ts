// `rw-migrate partition` through the shipped bin (dist/cli.js) against the sandbox: plan, a split
// that needs confirmation, split --yes into two databases on the target, route by the saved map,
// merge back (CHECKSUM TABLE equal to the source), and the exit codes for bad input and refusal.
// A 20,000-row table: the engine's 100k case is test/integration/partition.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'rw-migrate.js');
const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `pcli_src_${runId}`;
const dbs = [SRC, `pcli_a_${runId}`, `pcli_b_${runId}`, `pcli_m_${runId}`];
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let dir: string;

const url = (s: SandboxServer, db: string) => `mysql://${topo.users.admin.user}@${s.host}:${s.port}/${db}`;

/** Runs the bin without a TTY (stdin closed), passwords from the environment. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password, RW_MIGRATE_TO_PASSWORD: topo.users.admin.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

before(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run node scripts/build.mjs first');
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-partition-'));
  await primary.query(`CREATE DATABASE ${q(SRC)}`);
  await primary.query(`CREATE TABLE ${q(SRC)}.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(40) NOT NULL, d DECIMAL(10,3) NULL)`);
  await primary.query(`INSERT INTO ${q(SRC)}.t SELECT seq * 2, CONCAT('v', seq, IF(seq % 3 = 0, ' ü', '')), IF(seq % 4 = 0, NULL, seq / 7) FROM ${q(SRC)}.seq_1_to_20000`);
});

after(async () => {
  for (const db of dbs) {
    await primary?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
    await target?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
  }
  await primary?.end();
  await target?.end();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('rw-migrate partition', () => {
  it('plan prints the ranges and writes nothing; split without a TTY asks for --yes (exit 2)', async () => {
    const file = path.join(dir, 'plan.json');
    const plan = await cli('partition', 'plan', '--from', url(topo.servers.primary, SRC), '--table', 't', '--to', url(topo.servers.target, dbs[1]), '--to', url(topo.servers.target, dbs[2]), '--map', file);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /into 2 ranges, 20000 rows/);
    assert.match(plan.stdout, /0: id in \[-∞, 20002\) -> .*pcli_a_.*: 10000 rows/);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).state, 'planned');
    const asks = await cli('partition', 'split', '--map', file);
    assert.equal(asks.status, 2);
    assert.match(asks.stderr, /--yes/);
    const [made] = await target.query<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)', [dbs[1], dbs[2]]);
    assert.equal(made.length, 0, 'nothing written before confirmation');
  });

  it('split --yes copies and verifies both ranges, route follows the saved map, merge restores the table', async () => {
    const file = path.join(dir, 'plan.json');
    const split = await cli('partition', 'split', '--map', file, '--yes');
    assert.equal(split.status, 0, split.stdout + split.stderr);
    assert.match(split.stdout, /range 0 .*: verified \(10000 rows source, 10000 target\)/);
    assert.match(split.stdout, /range 1 .*: verified/);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).state, 'split');
    const route = await cli('partition', 'route', '--map', file, 'SELECT * FROM t WHERE id = 30000; UPDATE t SET v = 1');
    assert.equal(route.status, 0, route.stderr);
    const lines = route.stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`${dbs[2]} id = 30000 is in range \\[20002, \\+∞\\)`));
    assert.match(lines[1], /^refused /);
    const [row] = await target.query<RowDataPacket[]>(`SELECT v FROM ${q(dbs[2])}.t WHERE id = 30000`);
    assert.equal(row[0].v, 'v15000 ü');
    const merge = await cli('partition', 'merge', '--map', file, '--to', url(topo.servers.target, dbs[3]), '--yes');
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    const [a] = await primary.query<RowDataPacket[]>(`CHECKSUM TABLE ${q(SRC)}.t`);
    const [b] = await target.query<RowDataPacket[]>(`CHECKSUM TABLE ${q(dbs[3])}.t`);
    assert.equal(String(b[0].Checksum), String(a[0].Checksum));
    const again = await cli('partition', 'merge', '--map', file, '--to', url(topo.servers.target, dbs[3]), '--yes');
    assert.equal(again.status, 3, 'refused: the merged table has rows');
  });

  it('a malformed map is bad input (exit 2) naming the problem', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, table: 't', keyColumn: 'id', source: { host: 'h' }, ranges: [{ from: '5', to: null, target: { host: 'h', port: 1, user: 'u', database: 'd' } }] }));
    const r = await cli('partition', 'route', '--map', file, 'SELECT 1');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /range 0 must start open/);
  });
});
