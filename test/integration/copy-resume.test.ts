// kill -9 of the copy process at several points, then resume: identical content, nothing doubled.
// The copy runs as a child process (the real CLI through tsx) with small chunks; kills happen after
// the target's checkpoint table shows N committed chunks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '../support/sandbox.js';
import { useCliFixture, type CliRun } from '../support/cli.js';

const fx = useCliFixture('kill', { mergeStderr: true, seed: seedBig });
const { srcDb, dstDb } = fx;

const ROWS = 120_000;

async function committed(jobId: string): Promise<number> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
  return Number(r[0].n);
}

async function content(conn: mysql.Connection, db: string): Promise<string> {
  const [r] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT k1, k2) AS d, BIT_XOR(CRC32(CONCAT_WS('|', HEX(k1), k2, HEX(payload), IFNULL(HEX(doc), 'null'), HEX(bin)))) AS x FROM \`${db}\`.big`,
  );
  const [c] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.big`);
  return `${r[0].n}/${r[0].d}/${r[0].x}/${c[0].Checksum}`;
}

async function killAfter(run: CliRun, jobId: () => string | null, chunks: number): Promise<void> {
  await waitFor(`${chunks} committed chunks`, async () => {
    const id = jobId();
    return id !== null && (await committed(id)) >= chunks;
  }, 60_000);
  run.child.kill('SIGKILL');
  await run.exit;
}

/** A composite, non-integer key (utf8mb4 varchar + int), JSON and binary payloads. */
async function seedBig(primary: mysql.Connection, srcDb: string): Promise<void> {
  await primary.query(`CREATE TABLE \`${srcDb}\`.big (
      k1 VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
      k2 INT NOT NULL,
      payload VARCHAR(200) NOT NULL,
      doc JSON NULL,
      bin VARBINARY(32) NOT NULL,
      PRIMARY KEY (k1, k2), KEY idx_payload (payload(20), k2)) ENGINE=InnoDB`);
  await primary.query(`INSERT INTO \`${srcDb}\`.big
      SELECT CONCAT(ELT(1 + seq % 5, 'ä', 'b', 'Ç', '😀', '漢'), LPAD(seq % 113, 3, '0')), seq,
             REPEAT(CONCAT('x', seq, ' 😀 '), 5),
             IF(seq % 7 = 0, NULL, JSON_OBJECT('n', seq, 's', 'ünï')),
             UNHEX(MD5(seq))
        FROM \`${srcDb}\`.seq_1_to_${ROWS}`);
}

describe('copy: kill -9 and resume', () => {
  it('resumes after kills at several points with identical content and no duplicates', async () => {
    const toUrl = fx.url('target');
    let jobId: string | null = null;
    const findId = (lines: string[]) => () => {
      if (jobId) return jobId;
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        const e = JSON.parse(l) as { jobId?: string };
        if (e.jobId) return (jobId = e.jobId);
      }
      return null;
    };

    const first = fx.cli([
      'copy', '--from', fx.url('primary', srcDb), '--to', fx.url('target', dstDb),
      '--tables', 'big', '--json', '--max-chunk-rows', '1000', '--writers', '2',
    ]);
    await killAfter(first, findId(first.lines), 3);
    const id = jobId as string | null;
    assert.ok(id, 'job id seen');
    const afterFirst = await committed(id);

    const second = fx.cli(['resume', id, '--to', toUrl, '--json']);
    await killAfter(second, findId(second.lines), afterFirst + 30);
    const afterSecond = await committed(id);
    assert.ok(afterSecond > afterFirst);
    const [mid] = await fx.target.query<RowDataPacket[]>('SELECT state FROM rw_migrate.jobs WHERE id = ?', [id]);
    assert.equal(mid[0].state, 'copying', 'the kill left the job unfinished (state as it was when killed)');
    assert.ok(afterSecond < ROWS / 1000, 'killed before the last chunk');
    const [midKeys] = await fx.target.query<RowDataPacket[]>(
      "SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'big'",
      [dstDb],
    );
    assert.deepEqual(midKeys.map((r) => String(r.n)), ['PRIMARY'], 'idx_payload is deferred while the table is being copied');

    // Kill the third run as soon as it has planned (mid-setup or first chunks).
    const third = fx.cli(['resume', id, '--json']); // target from the local job list
    await waitFor('third run planned', async () => third.lines.some((l) => l.includes('"planned"')), 30_000);
    third.child.kill('SIGKILL');
    await third.exit;

    const last = fx.cli(['resume', id, '--to', toUrl, '--json']);
    const code = await last.exit;
    assert.equal(code, 0, last.lines.join('\n'));

    assert.equal(await content(fx.target, dstDb), await content(fx.primary, srcDb));
    // The secondary key deferred by the first run (which was killed) was added by the last one.
    const [keys] = await fx.target.query<RowDataPacket[]>(
      "SELECT GROUP_CONCAT(COLUMN_NAME, '/', IFNULL(SUB_PART, '-') ORDER BY SEQ_IN_INDEX) AS k FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'big' AND INDEX_NAME = 'idx_payload'",
      [dstDb],
    );
    assert.equal(keys[0].k, 'payload/20,k2/-');
    const [rows] = await fx.target.query<RowDataPacket[]>(
      "SELECT seq, lo_key, hi_key, row_count FROM rw_migrate.chunks WHERE job_id = ? AND table_name = 'big' ORDER BY seq",
      [id],
    );
    let prevHi: string | null = null;
    let sum = 0;
    for (const r of rows) {
      assert.equal(r.lo_key === null ? null : String(r.lo_key), prevHi, `chunk ${r.seq} starts where the previous ended`);
      prevHi = String(r.hi_key);
      sum += Number(r.row_count);
    }
    assert.equal(sum, ROWS, 'checkpoint rows add up to the table, each row once');
    const [job] = await fx.target.query<RowDataPacket[]>('SELECT state FROM rw_migrate.jobs WHERE id = ?', [id]);
    assert.equal(job[0].state, 'done');
  });
});
