// The sparse-row table of issue 9: a BIGINT key and 40 nullable, mostly NULL columns, 200,000 rows.
// Its rows encode to far more LOAD DATA bytes than their packets (a NULL is 1 byte in, 3 out), which
// once ran past the 256 KB block edge and merged two rows ("Incorrect integer value: 'N101454'").
// Copied whole by the CLI, and again killed with -9 and resumed; compared by CHECKSUM TABLE and by
// the test's own hash.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '../support/sandbox.js';
import { tableFingerprint } from '../support/tableHash.js';
import { text, useCliFixture } from '../support/cli.js';

const ROWS = 200_000;
// The shipped entry point (bin/rw-migrate.js, dist/cli.js), as users run it.
const fx = useCliFixture('sparse', { entry: 'bundle' });
const SRC = fx.srcDb;
const DST = fx.dstDb;
const DST2 = fx.dropAfter('target', `sparse_res_${fx.runId}`);

async function committedChunks(jobId: string): Promise<number> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]);
  return Number(r[0].n);
}

before(async () => {
  await fx.open();
  await fx.primary.query(`CREATE DATABASE \`${SRC}\``);
  const cols = Array.from({ length: 40 }, (_, i) => `c${i} INT NULL`).join(', ');
  await fx.primary.query(`CREATE TABLE \`${SRC}\`.sparse (id BIGINT NOT NULL PRIMARY KEY, ${cols}) ENGINE=InnoDB`);
  // About one cell in 40 has a value: rows of ~50 packet bytes that encode to ~130.
  const values = Array.from({ length: 40 }, (_, i) => `IF(seq % 40 = ${i}, seq * ${i + 1}, NULL)`).join(', ');
  await fx.primary.query(`INSERT INTO \`${SRC}\`.sparse SELECT seq + 100000, ${values} FROM \`${SRC}\`.seq_1_to_${ROWS}`);
});

describe('sparse rows (BIGINT key + 40 mostly-NULL columns, 200,000 rows)', () => {
  it('copy in one run: every row exact', async () => {
    const run = fx.cli(['copy', '--from', fx.url('primary', SRC), '--to', fx.url('target', DST), '--tables', 'sparse']);
    assert.equal(await run.exit, 0, text(run).slice(-2000));
    assert.deepEqual(await tableFingerprint(fx.target, DST, 'sparse'), await tableFingerprint(fx.primary, SRC, 'sparse'));
  });

  it('copy killed with -9 after a few chunks, then resumed: every row exact, once', async () => {
    const first = fx.cli(['copy', '--from', fx.url('primary', SRC), '--to', fx.url('target', DST2), '--tables', 'sparse', '--max-chunk-rows', '5000', '--json']);
    const jobId = await waitFor('job id', async () => /"jobId":"([^"]+)"/.exec(text(first))?.[1], 30_000);
    await waitFor('3 committed chunks', async () => (await committedChunks(jobId)) >= 3, 60_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const before = await committedChunks(jobId);
    assert.ok(before < ROWS / 5000, 'killed before the end');
    const resumed = fx.cli(['resume', jobId, '--to', fx.url('target')]);
    assert.equal(await resumed.exit, 0, text(resumed).slice(-2000));
    assert.deepEqual(await tableFingerprint(fx.target, DST2, 'sparse'), await tableFingerprint(fx.primary, SRC, 'sparse'));
    const [sum] = await fx.target.query<RowDataPacket[]>('SELECT SUM(row_count) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]);
    assert.equal(Number(sum[0].n), ROWS, 'checkpoint rows add up to the table, each row once');
  });
});
