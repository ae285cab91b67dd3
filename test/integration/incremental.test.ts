// `copy --mode incremental --watermark COLUMN`: the real CLI (through tsx) against the sandbox. Each run
// copies the rows above the stored (column, key) mark; `sync JOB` and the same copy command again run
// the next increment. Compared with the source by CHECKSUM TABLE and by the test's own row hash.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture } from '../support/cli.js';
import { tableFingerprint } from '../support/tableHash.js';

const fx = useCliFixture('inc', { mergeStderr: true });
const { srcDb, dstDb } = fx;

const BLIND = 'sees neither deletes nor updates that leave that column alone';

interface Outcome {
  code: number | null;
  lines: string[];
  result: { jobId: string; state: string; rows: number; message?: string; details?: string[]; watermarks?: { table: string; mark: string | null; rows: number }[] } | null;
  text: string;
}

async function run(args: string[]): Promise<Outcome> {
  const r = fx.cli(args);
  const code = await r.exit;
  const result = (jsonLines(r).find((e) => e.type === 'result') ?? null) as Outcome['result'];
  return { code, lines: r.lines, result, text: text(r) };
}

function urls(table: string, extra: string[] = [], db = dstDb): string[] {
  return ['copy', '--from', fx.url('primary', srcDb), '--to', fx.url('target', db), '--tables', table, '--json', ...extra];
}

async function same(table: string): Promise<void> {
  const s = await tableFingerprint(fx.primary, srcDb, table);
  const t = await tableFingerprint(fx.target, dstDb, table);
  assert.equal(t.rows, s.rows, `${table}: row count`);
  assert.equal(t.sha256, s.sha256, `${table}: row hash`);
  assert.equal(t.checksum, s.checksum, `${table}: CHECKSUM TABLE`);
}

async function storedMark(jobId: string, table: string): Promise<{ value: string | null; key: string }> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT mark_value, mark_key FROM rw_migrate.watermarks WHERE job_id = ? AND table_name = ?', [jobId, table]);
  assert.equal(r.length, 1, `a stored mark for ${table}`);
  return { value: r[0].mark_value === null ? null : String(r[0].mark_value), key: String(r[0].mark_key) };
}

async function jobRows(): Promise<number> {
  const [db] = await fx.target.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'rw_migrate'");
  if (Number(db[0].n) === 0) return 0;
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.jobs WHERE spec LIKE ?', [`%${srcDb}%`]);
  return Number(r[0].n);
}

before(async () => {
  await fx.open();
  await fx.primary.query(`CREATE DATABASE \`${srcDb}\` CHARACTER SET utf8mb4`);
});

describe('copy --mode incremental', () => {
  it('by an auto-increment id: sync JOB and the same copy command again each copy exactly the new rows', async () => {
    await fx.primary.query(`CREATE TABLE \`${srcDb}\`.items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)`);
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items (name, qty) SELECT CONCAT('item ', seq, ' ü'), seq % 17 FROM \`${srcDb}\`.seq_1_to_500`);
    // INSERT ... SELECT may leave gaps in the ids (auto-increment lock mode 2): the mark is the source's MAX(id).
    const maxId = async () => {
      const [r] = await fx.primary.query<RowDataPacket[]>(`SELECT MAX(id) AS m FROM \`${srcDb}\`.items`);
      return String(r[0].m);
    };
    const args = urls('items', ['--mode', 'incremental', '--watermark', 'id', '--max-chunk-rows', '37']);
    const first = await run(args);
    assert.equal(first.code, 0, first.text);
    const jobId = first.result?.jobId as string;
    assert.ok(first.result?.message?.includes(BLIND), 'the result says what the mode does not see');
    assert.ok(first.lines.some((l) => l.includes('"warn"') && l.includes(BLIND)), 'and so does the start');
    assert.deepEqual(first.result?.watermarks, [{ table: 'items', mark: await maxId(), rows: 500 }]);
    await same('items');

    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items (name, qty) SELECT CONCAT('later ', seq), seq FROM \`${srcDb}\`.seq_1_to_120`);
    const second = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(second.code, 0, second.text);
    assert.equal(second.result?.jobId, jobId);
    assert.deepEqual(second.result?.watermarks, [{ table: 'items', mark: await maxId(), rows: 120 }], 'only the new rows were read');
    await same('items');

    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items (name, qty) SELECT CONCAT('third ', seq), seq FROM \`${srcDb}\`.seq_1_to_30`);
    const third = await run(args);
    assert.equal(third.code, 0, third.text);
    assert.equal(third.result?.jobId, jobId, 'the same copy command continues the job');
    assert.ok(third.text.includes(`continuing job ${jobId} from its stored mark`), third.text);
    const m = await maxId();
    assert.deepEqual(third.result?.watermarks, [{ table: 'items', mark: m, rows: 30 }]);
    await same('items');
    assert.equal(await jobRows(), 1, 'one job, continued twice');
    assert.equal((await storedMark(jobId, 'items')).value, m);

    // Nothing new: a run reads nothing and keeps the mark.
    const idle = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(idle.code, 0, idle.text);
    assert.deepEqual(idle.result?.watermarks, [{ table: 'items', mark: m, rows: 0 }]);

    // The target table dropped behind the job's back: its mark no longer says what the target holds.
    await fx.target.query(`DROP TABLE \`${dstDb}\`.items`);
    const again = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(again.code, 0, again.text);
    assert.ok(again.text.includes('the target table is missing although the job'), again.text);
    assert.deepEqual(again.result?.watermarks, [{ table: 'items', mark: m, rows: 650 }]);
    await same('items');
  });

  it('by updated_at DATETIME(6): equal timestamps across chunk boundaries; updates that leave it alone and deletes are not seen', async () => {
    await fx.primary.query(`CREATE TABLE \`${srcDb}\`.ev (id INT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, v VARCHAR(30) NOT NULL, KEY (updated_at))`);
    // 400 rows on 12 distinct timestamps, spread over the ids: every chunk of 7 ends inside a group.
    await fx.primary.query(
      `INSERT INTO \`${srcDb}\`.ev SELECT seq, TIMESTAMP'2026-01-01 00:00:00.250001' + INTERVAL ((seq * 7) % 12) SECOND, CONCAT('v', seq) FROM \`${srcDb}\`.seq_1_to_400`,
    );
    // The INSERT ... ON DUPLICATE KEY UPDATE path (the other tests upsert through LOAD DATA ... REPLACE).
    const first = await run(urls('ev', ['--mode', 'incremental', '--watermark', 'updated_at', '--max-chunk-rows', '7', '--method', 'insert']));
    assert.equal(first.code, 0, first.text);
    const jobId = first.result?.jobId as string;
    await same('ev');
    const mark = await storedMark(jobId, 'ev');
    assert.equal(mark.value, '2026-01-01 00:00:11.250001', 'the mark is the value as the server prints it, fractional seconds included');
    const [maxId] = await fx.primary.query<RowDataPacket[]>(`SELECT MAX(id) AS id FROM \`${srcDb}\`.ev WHERE updated_at = '2026-01-01 00:00:11.250001'`);
    assert.equal(mark.key, JSON.stringify([String(maxId[0].id)]), 'with the key of the last row at that value');

    // New rows (sharing one timestamp, some equal to the mark's), and updates that move updated_at.
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.ev SELECT 1000 + seq, TIMESTAMP'2026-01-01 00:00:11.250001' + INTERVAL (seq % 2) SECOND, CONCAT('new', seq) FROM \`${srcDb}\`.seq_1_to_50`);
    await fx.primary.query(`UPDATE \`${srcDb}\`.ev SET v = CONCAT('upd', id), updated_at = TIMESTAMP'2026-01-01 00:00:30.000007' WHERE id % 9 = 0 AND id < 1000`);
    const second = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(second.code, 0, second.text);
    await same('ev');

    // The documented blind spots: an update that leaves updated_at alone, and a delete.
    await fx.primary.query(`UPDATE \`${srcDb}\`.ev SET v = 'changed quietly' WHERE id = 5`);
    await fx.primary.query(`DELETE FROM \`${srcDb}\`.ev WHERE id = 6`);
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.ev VALUES (2000, TIMESTAMP'2026-01-01 00:00:40', 'after')`);
    const third = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(third.code, 0, third.text);
    assert.ok(third.result?.message?.includes(BLIND));
    assert.deepEqual(third.result?.watermarks, [{ table: 'ev', mark: '2026-01-01 00:00:40.000000', rows: 1 }]);
    const [t5] = await fx.target.query<RowDataPacket[]>(`SELECT v FROM \`${dstDb}\`.ev WHERE id IN (5, 6, 2000) ORDER BY id`);
    assert.deepEqual(t5.map((r) => String(r.v)), ['v5', 'v6', 'after'], 'the quiet update and the delete are not reflected; the new row is');
    // Apart from those two rows the tables are equal.
    const [sRest] = await fx.primary.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('|', id, updated_at, v))) AS x FROM \`${srcDb}\`.ev WHERE id NOT IN (5, 6)`);
    const [tRest] = await fx.target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('|', id, updated_at, v))) AS x FROM \`${dstDb}\`.ev WHERE id NOT IN (5, 6)`);
    assert.deepEqual([String(tRest[0].n), String(tRest[0].x)], [String(sRest[0].n), String(sRest[0].x)]);
  });

  it('safety window: a late row older than the copied rows but inside the window is read on the next run', async () => {
    // Nullable without NULL rows: accepted (chunks then end on probed bounds, as for a repeating key).
    await fx.primary.query(`CREATE TABLE \`${srcDb}\`.sw (id INT PRIMARY KEY, updated_at DATETIME(6) NULL, v INT NOT NULL)`);
    // DATETIME is compared in the source's @@global.time_zone: the rows are written in it too.
    await fx.primary.query('SET time_zone = @@global.time_zone');
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.sw SELECT seq, NOW(6) - INTERVAL 2 HOUR + INTERVAL seq MICROSECOND, seq FROM \`${srcDb}\`.seq_1_to_50`);
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.sw SELECT 100 + seq, NOW(6) - INTERVAL 10 MINUTE + INTERVAL seq MICROSECOND, seq FROM \`${srcDb}\`.seq_1_to_20`);
    const first = await run(urls('sw', ['--mode', 'incremental', '--watermark', 'updated_at', '--watermark-safety', '3600', '--max-chunk-rows', '9']));
    assert.equal(first.code, 0, first.text);
    assert.ok(first.text.includes('no index starts with updated_at'), 'warned: each run scans the table');
    const jobId = first.result?.jobId as string;
    await same('sw');
    const [settled] = await fx.primary.query<RowDataPacket[]>(`SELECT DATE_FORMAT(MAX(updated_at), '%Y-%m-%d %H:%i:%s.%f') AS m FROM \`${srcDb}\`.sw WHERE id <= 50`);
    assert.equal((await storedMark(jobId, 'sw')).value, String(settled[0].m), 'the mark stops below the rows inside the window');
    assert.deepEqual(first.result?.watermarks, [{ table: 'sw', mark: String(settled[0].m), rows: 70 }]);

    // A late commit: older than every recent row copied, still inside the window.
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.sw VALUES (999, NOW(6) - INTERVAL 30 MINUTE, 999)`);
    await fx.primary.query("SET time_zone = '+00:00'");
    const second = await run(['sync', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(second.code, 0, second.text);
    await same('sw');
    const [late] = await fx.target.query<RowDataPacket[]>(`SELECT v FROM \`${dstDb}\`.sw WHERE id = 999`);
    assert.equal(late.length, 1, 'the late row was picked up');
    assert.equal(second.result?.watermarks?.[0].rows, 21, 'the rows inside the window were read again with it');
  });

  it('kill -9 mid-run, then resume: exact, and the stored mark matches the rows committed', async () => {
    const ROWS = 60_000;
    await fx.primary.query(`CREATE TABLE \`${srcDb}\`.big (id BIGINT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, payload VARCHAR(200) NOT NULL, KEY (updated_at))`);
    await fx.primary.query(
      `INSERT INTO \`${srcDb}\`.big SELECT seq, TIMESTAMP'2026-02-01 00:00:00' + INTERVAL (seq DIV 3) SECOND, REPEAT(CONCAT('p', seq, ' 😀 '), 8) FROM \`${srcDb}\`.seq_1_to_${ROWS}`,
    );
    const first = fx.cli(urls('big', ['--mode', 'incremental', '--watermark', 'updated_at', '--max-chunk-rows', '200']));
    const jobId = await waitFor('job id', async () => {
      for (const l of first.lines) if (l.startsWith('{')) return (JSON.parse(l) as { jobId?: string }).jobId || null;
      return null;
    }, 60_000);
    await waitFor('10 committed chunks', async () => {
      const [r] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [jobId]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
      return Number(r[0].n) >= 10;
    }, 60_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const mark = await storedMark(jobId, 'big');
    const [onTarget] = await fx.target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${dstDb}\`.big`);
    const [upTo] = await fx.primary.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${srcDb}\`.big WHERE (updated_at, id) <= (?, ?)`,
      [mark.value, Number((JSON.parse(mark.key) as string[])[0])],
    );
    assert.equal(Number(onTarget[0].n), Number(upTo[0].n), 'the target holds exactly the rows up to the stored mark');
    assert.ok(Number(onTarget[0].n) < ROWS, 'killed before the end');

    const resumed = await run(['resume', jobId, '--to', fx.url('target'), '--json']);
    assert.equal(resumed.code, 0, resumed.text);
    assert.equal(resumed.result?.rows, ROWS - Number(onTarget[0].n), 'the resume read only the rows after the mark');
    await same('big');
  });

  describe('refusals: exit 3 with the fix, nothing written', () => {
    before(async () => {
      await fx.primary.query(`CREATE TABLE \`${srcDb}\`.nocol (id INT PRIMARY KEY, v INT)`);
      await fx.primary.query(`CREATE TABLE \`${srcDb}\`.nul (id INT PRIMARY KEY, ts DATETIME NULL)`);
      await fx.primary.query(`INSERT INTO \`${srcDb}\`.nul VALUES (1, NOW()), (2, NULL), (3, NULL), (4, NULL)`);
      await fx.primary.query(`CREATE TABLE \`${srcDb}\`.nokey (ts DATETIME NOT NULL, v INT)`);
      await fx.primary.query(`CREATE TABLE \`${srcDb}\`.flt (id INT PRIMARY KEY, f FLOAT NOT NULL)`);
    });

    const cases: { table: string; column: string; says: RegExp }[] = [
      { table: 'nocol', column: 'updated_at', says: /no column updated_at to use as the watermark \(name a column this table has/ },
      { table: 'nul', column: 'ts', says: /ts is NULL in 3 rows, which an incremental copy would never read .*fill them .* or choose a NOT NULL column/ },
      { table: 'nokey', column: 'ts', says: /no primary key or unique key .*add a PRIMARY KEY/ },
      { table: 'flt', column: 'f', says: /f is FLOAT, which cannot carry a watermark .*choose an integer, DECIMAL, DATE, DATETIME or TIMESTAMP column/ },
    ];
    for (const c of cases) {
      it(`${c.table}.${c.column}`, async () => {
        const before = await jobRows();
        const r = await run(urls(c.table, ['--mode', 'incremental', '--watermark', c.column], `${dstDb}_refused`));
        assert.equal(r.code, 3, r.text);
        assert.equal(r.result?.state, 'refused');
        assert.match((r.result?.details ?? []).join('\n'), c.says);
        const [t] = await fx.target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${dstDb}_refused`]);
        assert.equal(Number(t[0].n), 0, 'no database or table created on the target');
        assert.equal(await jobRows(), before, 'no job row');
      });
    }

    it('usage errors: --watermark without --mode incremental, and the reverse (exit 2)', async () => {
      const a = await run(urls('items', ['--watermark', 'id']));
      assert.equal(a.code, 2);
      assert.match(a.text, /--watermark is for --mode incremental/);
      const b = await run(urls('items', ['--mode', 'incremental']));
      assert.equal(b.code, 2);
      assert.match(b.text, /--mode incremental needs --watermark COLUMN/);
    });
  });
});
