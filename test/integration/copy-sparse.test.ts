// The sparse-row table of issue 9: a BIGINT key and 40 nullable, mostly NULL columns, 200,000 rows.
// Its rows encode to far more LOAD DATA bytes than their packets (a NULL is 1 byte in, 3 out), which
// once ran past the 256 KB block edge and merged two rows ("Incorrect integer value: 'N101454'").
// Copied whole by the CLI, and again killed with -9 and resumed; compared by CHECKSUM TABLE and by
// the test's own hash.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { REPO_ROOT, adminConnect, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { tableFingerprint } from '../support/tableHash.js';

const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `sparse_src_${runId}`;
const DST = `sparse_dst_${runId}`;
const DST2 = `sparse_res_${runId}`;
const ROWS = 200_000;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-sparse-'));
let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;

function cli(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'rw-migrate.js'), ...args], {
    env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password, RW_MIGRATE_TO_PASSWORD: topo.users.admin.password, RW_MIGRATE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function committedChunks(jobId: string): Promise<number> {
  const [r] = await target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]);
  return Number(r[0].n);
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE \`${SRC}\``);
  const cols = Array.from({ length: 40 }, (_, i) => `c${i} INT NULL`).join(', ');
  await primary.query(`CREATE TABLE \`${SRC}\`.sparse (id BIGINT NOT NULL PRIMARY KEY, ${cols}) ENGINE=InnoDB`);
  // About one cell in 40 has a value: rows of ~50 packet bytes that encode to ~130.
  const values = Array.from({ length: 40 }, (_, i) => `IF(seq % 40 = ${i}, seq * ${i + 1}, NULL)`).join(', ');
  await primary.query(`INSERT INTO \`${SRC}\`.sparse SELECT seq + 100000, ${values} FROM \`${SRC}\`.seq_1_to_${ROWS}`);
});

after(async () => {
  await primary?.query(`DROP DATABASE IF EXISTS \`${SRC}\``).catch(() => undefined);
  for (const db of [DST, DST2]) await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await primary?.end();
  await target?.end();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('sparse rows (BIGINT key + 40 mostly-NULL columns, 200,000 rows)', () => {
  const url = (db: string, server: 'primary' | 'target') => `mysql://${topo.users.admin.user}@${topo.servers[server].host}:${topo.servers[server].port}/${db}`;

  it('copy in one run: every row exact', async () => {
    const run = cli(['copy', '--from', url(SRC, 'primary'), '--to', url(DST, 'target'), '--tables', 'sparse']);
    assert.equal(await run.exit, 0, run.out().slice(-2000));
    assert.deepEqual(await tableFingerprint(target, DST, 'sparse'), await tableFingerprint(primary, SRC, 'sparse'));
  });

  it('copy killed with -9 after a few chunks, then resumed: every row exact, once', async () => {
    const first = cli(['copy', '--from', url(SRC, 'primary'), '--to', url(DST2, 'target'), '--tables', 'sparse', '--max-chunk-rows', '5000', '--json']);
    const jobId = await waitFor('job id', async () => /"jobId":"([^"]+)"/.exec(first.out())?.[1], 30_000);
    await waitFor('3 committed chunks', async () => (await committedChunks(jobId)) >= 3, 60_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const before = await committedChunks(jobId);
    assert.ok(before < ROWS / 5000, 'killed before the end');
    const resumed = cli(['resume', jobId, '--to', `mysql://${topo.users.admin.user}@${topo.servers.target.host}:${topo.servers.target.port}`]);
    assert.equal(await resumed.exit, 0, resumed.out().slice(-2000));
    assert.deepEqual(await tableFingerprint(target, DST2, 'sparse'), await tableFingerprint(primary, SRC, 'sparse'));
    const [sum] = await target.query<RowDataPacket[]>('SELECT SUM(row_count) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]);
    assert.equal(Number(sum[0].n), ROWS, 'checkpoint rows add up to the table, each row once');
  });
});
