// The differential type corpus (test/support/typeCorpus.ts: one table per column type and per key
// shape) copied by the shipped CLI (LOAD DATA) and by the worker process (multi-row INSERT), each with
// tiny chunks, then every table compared with the source by CHECKSUM TABLE and by a SHA-256 over
// every stored value that this test computes itself (test/support/tableHash.ts).
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test test/integration/copy-corpus.test.ts
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { JobFinishedNotification, StartJobRequest, type JobResult } from '../../src/protocol/index.js';
import { REPO_ROOT, adminConnect, adminSpec, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { tableFingerprint } from '../support/tableHash.js';
import { CORPUS, createCorpus } from '../support/typeCorpus.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `corpus_src_${runId}`;
const CLI_DB = `corpus_cli_${runId}`;
const WORKER_DB = `corpus_wrk_${runId}`;
const RESUME_DB = `corpus_res_${runId}`;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-corpus-'));
let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let worker: WorkerProcess;
const finished: JobResult[] = [];

function cli(args: string[]): Promise<{ code: number | null; out: string }> & { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'rw-migrate.js'), ...args], {
    env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password, RW_MIGRATE_TO_PASSWORD: topo.users.admin.password, RW_MIGRATE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return Object.assign(done, { child, output: () => out });
}

/** Every corpus table (or those named) equal on the target: row count, the test's own byte hash, CHECKSUM TABLE. */
async function assertCorpusEqual(db: string, names?: string[]): Promise<void> {
  const differences: string[] = [];
  for (const t of CORPUS.filter((c) => !names || names.includes(c.name))) {
    const a = await tableFingerprint(primary, SRC, t.name);
    const b = await tableFingerprint(target, db, t.name);
    assert.ok(a.rows > 0, `${t.name} has rows`);
    if (a.rows !== b.rows || a.sha256 !== b.sha256) differences.push(`${t.name} (${t.covers}): ${a.rows} rows / ${b.rows} copied, hash ${a.sha256 === b.sha256 ? 'equal' : 'differs'}`);
    if (!t.virtual && a.checksum !== b.checksum) differences.push(`${t.name}: CHECKSUM TABLE ${a.checksum} vs ${b.checksum}`);
    if (t.virtual) assert.equal(a.checksum, null, 'VIRTUAL tables are compared by hash only');
  }
  assert.deepEqual(differences, []);
}

/** Chunks committed per table: the corpus must really have been copied in many small pieces. */
async function chunksPerTable(jobId: string): Promise<Map<string, number>> {
  const [rows] = await target.query<RowDataPacket[]>('SELECT table_name AS t, COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ? GROUP BY table_name', [jobId]);
  return new Map(rows.map((r) => [String(r.t), Number(r.n)]));
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await createCorpus(primary, SRC);
  worker = await startWorker((rpc) => rpc.onNotification(JobFinishedNotification, (r) => finished.push(r)));
});

after(async () => {
  worker?.stop();
  await primary?.query(`DROP DATABASE IF EXISTS \`${SRC}\``).catch(() => undefined);
  for (const db of [CLI_DB, WORKER_DB, RESUME_DB]) await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await primary?.end();
  await target?.end();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('type corpus: every column type and key shape copied exactly', () => {
  it('through the CLI with LOAD DATA and 50-row chunks', async () => {
    const P = topo.servers.primary;
    const T = topo.servers.target;
    const user = topo.users.admin.user;
    const run = await cli([
      'copy', '--from', `mysql://${user}@${P.host}:${P.port}/${SRC}`, '--to', `mysql://${user}@${T.host}:${T.port}/${CLI_DB}`,
      '--all', '--max-chunk-rows', '50', '--json',
    ]);
    assert.equal(run.code, 0, run.out.slice(-2000));
    const jobId = /"jobId":"([^"]+)"/.exec(run.out)?.[1];
    assert.ok(jobId, 'job id in the JSON lines');
    await assertCorpusEqual(CLI_DB);
    const chunks = await chunksPerTable(jobId);
    assert.ok((chunks.get('k_enum') ?? 0) >= 30, `k_enum in 30+ chunks, got ${chunks.get('k_enum')}`);
    assert.ok((chunks.get('k_nullable_unique') ?? 0) >= 5, `k_nullable_unique in several chunks, got ${chunks.get('k_nullable_unique')}`);
  });

  it('through the worker with multi-row INSERT and 60-row chunks', async () => {
    const { jobId } = await worker.rpc.sendRequest(StartJobRequest, {
      spec: {
        source: adminSpec(topo, topo.servers.primary),
        target: adminSpec(topo, topo.servers.target),
        sourceDatabase: SRC,
        targetDatabase: WORKER_DB,
        tables: 'all',
        mode: 'full',
        method: 'insert',
        maxChunkRows: 60,
      },
    });
    const result = await waitFor('worker job finished', async () => finished.find((r) => r.jobId === jobId), 120_000);
    assert.equal(result.state, 'done', result.message);
    await assertCorpusEqual(WORKER_DB);
    assert.ok(((await chunksPerTable(jobId)).get('k_set_wide') ?? 0) >= 30, 'k_set_wide in 30+ chunks');
  });

  it('through the CLI killed with -9 mid-copy and resumed: key shapes whose bounds are ordinals, NULLs, doubles, binary forms', async () => {
    // Copied in this order: the kill lands inside k_nullable_composite, so resume starts after a bound over a nullable key.
    const tables = ['k_nullable_composite', 'k_enum', 'k_float', 'k_inet6', 'k_set_wide', 'k_padspace'];
    const P = topo.servers.primary;
    const T = topo.servers.target;
    const user = topo.users.admin.user;
    const first = cli([
      'copy', '--from', `mysql://${user}@${P.host}:${P.port}/${SRC}`, '--to', `mysql://${user}@${T.host}:${T.port}/${RESUME_DB}`,
      '--tables', tables.join(','), '--max-chunk-rows', '20', '--writers', '1', '--json',
    ]);
    // Killed at the CLI's first progress line, i.e. right after its first committed chunk (900 rows in
    // 20-row chunks: far from the table's end). A poll of the chunks table every 100 ms was outrun by
    // a fast machine that finished the table in between.
    let out = '';
    const killedAfterFirstChunk = new Promise<void>((resolve) => {
      first.child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (/"type":"progress"[^\n]*"rows":[1-9]/.test(out)) {
          first.child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await killedAfterFirstChunk;
    const jobId = /"jobId":"([^"]+)"/.exec(out)?.[1] ?? /"jobId":"([^"]+)"/.exec(first.output())?.[1];
    assert.ok(jobId, 'the job id was printed before the first progress line');
    await first;
    const [states] = await target.query<RowDataPacket[]>("SELECT table_name AS t FROM rw_migrate.job_tables WHERE job_id = ? AND state = 'done'", [jobId]);
    assert.deepEqual(states.map((r) => String(r.t)), [], 'killed inside the first table');
    const [resumeAt] = await target.query<RowDataPacket[]>('SELECT hi_key FROM rw_migrate.chunks WHERE job_id = ? ORDER BY seq DESC LIMIT 1', [jobId]);
    assert.ok(resumeAt.length === 1, 'a checkpoint to resume from');
    const resumed = await cli(['resume', jobId, '--to', `mysql://${user}@${T.host}:${T.port}`]);
    assert.equal(resumed.code, 0, resumed.out.slice(-2000));
    await assertCorpusEqual(RESUME_DB, tables);
  });
});
