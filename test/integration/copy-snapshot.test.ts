// The snapshot position is exact, and a resumed job keeps its FIRST snapshot's position.
// 1. Under a stream of one-row commits on the primary, the GTID recorded for a snapshot is exactly
//    the GTID of the last row the snapshot sees (BINLOG_GTID_POS of Binlog_snapshot_file/position);
//    @@GLOBAL.gtid_binlog_pos read after the START is measured against it.
// 2. kill -9 of the CLI mid-copy, writes on the source, resume: the job row still holds the first
//    snapshot's position, the snapshots table lists both, the resumed run says so, and the copy is
//    complete (CHECKSUM TABLE equal).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { adminConnect, waitFor } from '../support/sandbox.js';
import { useCliFixture } from '../support/cli.js';
import { snapshotPosition } from '../../src/engine/copy/reader.js';
import type { ProgressEvent, JobResult } from '../../src/engine/jobs/types.js';

const ROWS = 40_000;
const fx = useCliFixture('snap', { mergeStderr: true });
const { srcDb, dstDb } = fx;

function events(lines: string[]): (ProgressEvent | ({ type: 'result' } & JobResult))[] {
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ProgressEvent | ({ type: 'result' } & JobResult));
}

async function committed(jobId: string): Promise<number> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]);
  return Number(r[0].n);
}

async function checksum(conn: mysql.Connection, db: string): Promise<string> {
  const [c] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.big`);
  return String(c[0].Checksum);
}

before(async () => {
  await fx.open();
  await fx.primary.query(`CREATE DATABASE \`${srcDb}\``);
  await fx.primary.query(`CREATE TABLE \`${srcDb}\`.big (id INT PRIMARY KEY, v VARCHAR(100) NOT NULL) ENGINE=InnoDB`);
  await fx.primary.query(`INSERT INTO \`${srcDb}\`.big SELECT seq, REPEAT(CHAR(65 + seq % 26), 1 + seq % 90) FROM \`${srcDb}\`.seq_1_to_${ROWS}`);
  await fx.primary.query(`CREATE TABLE \`${srcDb}\`.ticks (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL) ENGINE=InnoDB`);
});

describe('snapshot position', () => {
  it('is the GTID of the last commit the snapshot sees, under concurrent commits', async () => {
    // One row per transaction; each row's GTID remembered (@@last_gtid right after its commit).
    const ticker = await adminConnect(fx.topo.servers.primary);
    const gtidOf = new Map<number, string>();
    let stop = false;
    const ticking = (async () => {
      while (!stop) {
        const [r] = await ticker.query<ResultSetHeader>(`INSERT INTO \`${srcDb}\`.ticks (at) VALUES (NOW(6))`);
        const [g] = await ticker.query<RowDataPacket[]>('SELECT @@last_gtid AS g');
        gtidOf.set(r.insertId, String(g[0].g));
      }
    })();
    const reader = await adminConnect(fx.topo.servers.primary);
    let later = 0;
    const ROUNDS = 25;
    try {
      await waitFor('ticks committing', async () => gtidOf.size > 20);
      for (let i = 0; i < ROUNDS; i++) {
        await reader.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        const pos = await snapshotPosition(reader);
        const [old] = await reader.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS g');
        const [m] = await reader.query<RowDataPacket[]>(`SELECT MAX(id) AS id FROM \`${srcDb}\`.ticks`);
        await reader.query('COMMIT');
        const lastSeen = Number(m[0].id);
        await waitFor('the last seen tick has its GTID', async () => gtidOf.has(lastSeen));
        assert.equal(pos.exact, true);
        assert.ok(pos.binlogFile && pos.binlogPosition, 'binlog coordinates recorded');
        assert.equal(pos.gtidBinlogPos, gtidOf.get(lastSeen), `round ${i}: the recorded GTID is the last commit inside the snapshot`);
        if (String(old[0].g) !== pos.gtidBinlogPos) later++;
      }
    } finally {
      stop = true;
      await ticking;
      await ticker.end();
      await reader.end();
    }
    // Measured, not asserted (timing-dependent): how often the old way read a later position.
    process.stdout.write(`# @@GLOBAL.gtid_binlog_pos read after the START was later than the snapshot in ${later} of ${ROUNDS} rounds\n`);
  });

  it('keeps the first snapshot position across kill -9 and resume, and says how many snapshots the copy took', async () => {
    const toUrl = fx.url('target');
    const first = fx.cli(['copy', '--from', fx.url('primary', srcDb), '--to', fx.url('target', dstDb), '--tables', 'big', '--json', '--max-chunk-rows', '500', '--writers', '2']);
    const planned1 = await waitFor('first run planned', async () => events(first.lines).find((e) => e.type === 'planned'), 30_000);
    assert.ok(planned1.type === 'planned');
    const jobId = planned1.jobId;
    assert.equal(planned1.snapshotCount, 1);
    assert.deepEqual(planned1.runSnapshot, planned1.snapshot);
    await waitFor('3 committed chunks', async () => (await committed(jobId)) >= 3, 60_000);
    first.child.kill('SIGKILL');
    await first.exit;

    // Commits on the source between the two runs move the binlog on.
    for (let i = 0; i < 5; i++) await fx.primary.query(`INSERT INTO \`${srcDb}\`.ticks (at) VALUES (NOW(6))`);
    const [[job1]] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos, gtid_pos FROM rw_migrate.jobs WHERE id = ?', [jobId]);

    const second = fx.cli(['resume', jobId, '--to', toUrl, '--json']);
    const code = await second.exit;
    assert.equal(code, 0, second.lines.join('\n'));
    const evs = events(second.lines);
    const planned2 = evs.find((e) => e.type === 'planned');
    assert.ok(planned2 && planned2.type === 'planned');
    assert.equal(planned2.snapshotCount, 2);
    assert.deepEqual(planned2.snapshot, planned1.snapshot, 'the resumed run names the first snapshot as the position to apply from');
    assert.ok(planned2.runSnapshot && planned2.runSnapshot.gtidBinlogPos !== planned1.snapshot.gtidBinlogPos, 'the resume read a later snapshot');
    const result = evs.find((e) => e.type === 'result');
    assert.ok(result && result.type === 'result');
    assert.equal(result.state, 'done');
    assert.equal(result.snapshotCount, 2);
    assert.deepEqual(result.applyFrom, planned1.snapshot);

    // The job row: the first snapshot, before and after the resume; the snapshots table: both.
    const [[job2]] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos, gtid_pos, state FROM rw_migrate.jobs WHERE id = ?', [jobId]);
    for (const j of [job1, job2]) {
      assert.equal(String(j.binlog_file), planned1.snapshot.binlogFile);
      assert.equal(Number(j.binlog_pos), planned1.snapshot.binlogPosition);
      assert.equal(String(j.gtid_pos), planned1.snapshot.gtidBinlogPos);
    }
    assert.equal(job2.state, 'done');
    const [snaps] = await fx.target.query<RowDataPacket[]>('SELECT n, gtid_pos, exact, rows_before FROM rw_migrate.snapshots WHERE job_id = ? ORDER BY n', [jobId]);
    assert.deepEqual(snaps.map((s) => Number(s.n)), [1, 2]);
    assert.equal(String(snaps[0].gtid_pos), planned1.snapshot.gtidBinlogPos);
    assert.equal(String(snaps[1].gtid_pos), planned2.runSnapshot.gtidBinlogPos);
    assert.equal(Number(snaps[0].rows_before), 0);
    assert.ok(Number(snaps[1].rows_before) > 0, 'the second snapshot was taken with rows already copied');
    assert.ok(snaps.every((s) => Number(s.exact) === 1));

    // status --json reports the same.
    const status = fx.cli(['status', '--to', toUrl, '--json']);
    assert.equal(await status.exit, 0);
    const listed = events(status.lines) as unknown as { type: string; id: string; snapshot: { gtidBinlogPos: string }; snapshots: unknown[] }[];
    const mine = listed.find((j) => j.id === jobId);
    assert.ok(mine);
    assert.equal(mine.snapshot.gtidBinlogPos, planned1.snapshot.gtidBinlogPos);
    assert.equal(mine.snapshots.length, 2);

    assert.equal(await checksum(fx.target, dstDb), await checksum(fx.primary, srcDb));
  });
});
