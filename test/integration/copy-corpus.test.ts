// The differential type corpus (test/support/typeCorpus.ts: one table per column type and per key
// shape) copied by the shipped CLI (LOAD DATA) and by the worker process (multi-row INSERT), each with
// tiny chunks, then every table compared with the source by CHECKSUM TABLE and by a SHA-256 over
// every stored value that this test computes itself (test/support/tableHash.ts).
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test test/integration/copy-corpus.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { JobFinishedNotification, StartJobRequest, type JobResult } from '../../src/protocol/index.js';
import { waitFor } from '../support/sandbox.js';
import { tableFingerprint } from '../support/tableHash.js';
import { CORPUS, createCorpus } from '../support/typeCorpus.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';
import { text, useCliFixture } from '../support/cli.js';

// The shipped entry point (bin/rw-migrate.js, dist/cli.js): this file covers what users run.
const fx = useCliFixture('corpus', { entry: 'bundle' });
const SRC = fx.srcDb;
const CLI_DB = fx.dropAfter('target', `corpus_cli_${fx.runId}`);
const WORKER_DB = fx.dropAfter('target', `corpus_wrk_${fx.runId}`);
const RESUME_DB = fx.dropAfter('target', `corpus_res_${fx.runId}`);
let worker: WorkerProcess;
const finished: JobResult[] = [];

/** Every corpus table (or those named) equal on the target: row count, the test's own byte hash, CHECKSUM TABLE. */
async function assertCorpusEqual(db: string, names?: string[]): Promise<void> {
  const differences: string[] = [];
  for (const t of CORPUS.filter((c) => !names || names.includes(c.name))) {
    const a = await tableFingerprint(fx.primary, SRC, t.name);
    const b = await tableFingerprint(fx.target, db, t.name);
    assert.ok(a.rows > 0, `${t.name} has rows`);
    if (a.rows !== b.rows || a.sha256 !== b.sha256) differences.push(`${t.name} (${t.covers}): ${a.rows} rows / ${b.rows} copied, hash ${a.sha256 === b.sha256 ? 'equal' : 'differs'}`);
    if (!t.virtual && a.checksum !== b.checksum) differences.push(`${t.name}: CHECKSUM TABLE ${a.checksum} vs ${b.checksum}`);
    if (t.virtual) assert.equal(a.checksum, null, 'VIRTUAL tables are compared by hash only');
  }
  assert.deepEqual(differences, []);
}

/** Chunks committed per table: the corpus must really have been copied in many small pieces. */
async function chunksPerTable(jobId: string): Promise<Map<string, number>> {
  const [rows] = await fx.target.query<RowDataPacket[]>('SELECT table_name AS t, COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ? GROUP BY table_name', [jobId]);
  return new Map(rows.map((r) => [String(r.t), Number(r.n)]));
}

before(async () => {
  await fx.open();
  await createCorpus(fx.primary, SRC);
  worker = await startWorker((rpc) => rpc.onNotification(JobFinishedNotification, (r) => finished.push(r)));
});

after(() => worker?.stop());

describe('type corpus: every column type and key shape copied exactly', () => {
  it('through the CLI with LOAD DATA and 50-row chunks', async () => {
    const run = fx.cli(['copy', '--from', fx.url('primary', SRC), '--to', fx.url('target', CLI_DB), '--all', '--max-chunk-rows', '50', '--json']);
    assert.equal(await run.exit, 0, text(run).slice(-2000));
    const jobId = /"jobId":"([^"]+)"/.exec(text(run))?.[1];
    assert.ok(jobId, 'job id in the JSON lines');
    await assertCorpusEqual(CLI_DB);
    const chunks = await chunksPerTable(jobId);
    assert.ok((chunks.get('k_enum') ?? 0) >= 30, `k_enum in 30+ chunks, got ${chunks.get('k_enum')}`);
    assert.ok((chunks.get('k_nullable_unique') ?? 0) >= 5, `k_nullable_unique in several chunks, got ${chunks.get('k_nullable_unique')}`);
  });

  it('through the worker with multi-row INSERT and 60-row chunks', async () => {
    const { jobId } = await worker.rpc.sendRequest(StartJobRequest, {
      spec: fx.spec({ sourceDatabase: SRC, targetDatabase: WORKER_DB, method: 'insert', maxChunkRows: 60 }),
    });
    const result = await waitFor('worker job finished', async () => finished.find((r) => r.jobId === jobId), 120_000);
    assert.equal(result.state, 'done', result.message);
    await assertCorpusEqual(WORKER_DB);
    assert.ok(((await chunksPerTable(jobId)).get('k_set_wide') ?? 0) >= 30, 'k_set_wide in 30+ chunks');
  });

  it('through the CLI killed with -9 mid-copy and resumed: key shapes whose bounds are ordinals, NULLs, doubles, binary forms', async () => {
    // Copied in this order: the kill lands inside k_nullable_composite, so resume starts after a bound over a nullable key.
    const tables = ['k_nullable_composite', 'k_enum', 'k_float', 'k_inet6', 'k_set_wide', 'k_padspace'];
    const first = fx.cli([
      'copy', '--from', fx.url('primary', SRC), '--to', fx.url('target', RESUME_DB),
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
    const jobId = /"jobId":"([^"]+)"/.exec(out)?.[1] ?? /"jobId":"([^"]+)"/.exec(text(first))?.[1];
    assert.ok(jobId, 'the job id was printed before the first progress line');
    await first.exit;
    const [states] = await fx.target.query<RowDataPacket[]>("SELECT table_name AS t FROM rw_migrate.job_tables WHERE job_id = ? AND state = 'done'", [jobId]);
    assert.deepEqual(states.map((r) => String(r.t)), [], 'killed inside the first table');
    const [resumeAt] = await fx.target.query<RowDataPacket[]>('SELECT hi_key FROM rw_migrate.chunks WHERE job_id = ? ORDER BY seq DESC LIMIT 1', [jobId]);
    assert.ok(resumeAt.length === 1, 'a checkpoint to resume from');
    const resumed = fx.cli(['resume', jobId, '--to', fx.url('target')]);
    assert.equal(await resumed.exit, 0, text(resumed).slice(-2000));
    await assertCorpusEqual(RESUME_DB, tables);
  });
});
