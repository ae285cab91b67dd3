// Range partitioning against the sandbox: a 100,000-row table on the primary (a smaller stand-in for
// the 1,000,000-row table, to keep CI time; `npm run bench` does not run this yet) is split by
// key range into three databases on the `target` server, each range verified by counts and hashes
// this test computes itself; a key lookup is routed by the map to the database that holds the row;
// a wrong-range write is refused; the ranges are merged back into one table whose CHECKSUM TABLE
// equals the source's. A range copy is cancelled and resumed by its job id and still holds exactly
// its range. Replicas are never written to (a split onto a replica is refused before any write).
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test --test-force-exit test/integration/partition.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, adminSpec, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { resumeJob, startJob } from '../../src/engine/index.js';
import {
  keyRangeOf, partitionFor, planSplit, routeStatementByMap, runMerge, runSplit, type PartitionMap, type PartitionTarget,
} from '../../src/engine/partition/index.js';

const ROWS = 100_000;
const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `part_src_${runId}`;
const shardDb = (i: number) => `part_s${i}_${runId}`;
const MERGED = `part_merged_${runId}`;
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
let map: PartitionMap;

const targetOf = (server: SandboxServer, database: string): PartitionTarget => ({ name: server.name, host: server.host, port: server.port, user: topo.users.admin.user, database });
const passwords = () => ({ forServer: () => topo.users.admin.password });

/**
 * The test's own fingerprint of a key range: COUNT, and two order-independent hashes (BIT_XOR of 64
 * bits of MD5 and SUM of CRC32) of every column rendered as HEX (bytes for strings and blobs), with
 * NULL spelled out. Not the product's expression (it hashes CONCAT_WS of raw bytes with length flags).
 */
async function fingerprint(conn: mysql.Connection, db: string, where = '', values: unknown[] = []): Promise<string> {
  const row = `CONCAT_WS('|', id, a, amount, HEX(name), ts, IFNULL(HEX(note), 'null'), IFNULL(HEX(bin), 'null'), HEX(CAST(f AS DOUBLE)))`;
  const [r] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, BIT_XOR(CAST(CONV(LEFT(MD5(${row}), 16), 16, 10) AS UNSIGNED)) AS x, SUM(CRC32(${row})) AS s FROM ${q(db)}.items ${where}`,
    values,
  );
  return `${r[0].n}/${r[0].x}/${r[0].s}`;
}

async function checksum(conn: mysql.Connection, db: string): Promise<string> {
  const [r] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE ${q(db)}.items`);
  return String(r[0].Checksum);
}

function rangeWhere(from: string | null, to: string | null): { where: string; values: string[] } {
  const parts: string[] = [];
  const values: string[] = [];
  if (from !== null) {
    parts.push('id >= ?');
    values.push(from);
  }
  if (to !== null) {
    parts.push('id < ?');
    values.push(to);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE ${q(SRC)} CHARACTER SET utf8mb4`);
  await primary.query(`CREATE TABLE ${q(SRC)}.items (
    id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    a INT NOT NULL,
    amount DECIMAL(12,2) NOT NULL,
    name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL,
    ts DATETIME(3) NOT NULL,
    note TEXT NULL,
    bin VARBINARY(16) NULL,
    f DOUBLE NOT NULL,
    KEY idx_a (a)
  ) ENGINE=InnoDB`);
  // Keys with gaps (3, 6, 9, ...) and a cluster near the top, so equal-count ranges are not equal-width.
  await primary.query(`INSERT INTO ${q(SRC)}.items
    SELECT IF(seq <= 90000, seq * 3, 10000000 + seq), seq % 977, (seq * 7919 % 1000000) / 100,
      CONCAT(ELT(1 + seq % 4, 'plain', 'émoji 🎉', '東京', 'tab\tnew\nline'), ' ', seq),
      TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 1234000 MICROSECOND,
      IF(seq % 7 = 0, NULL, REPEAT('n', seq % 50)), IF(seq % 5 = 0, NULL, UNHEX(MD5(seq))), seq / 3
    FROM ${q(SRC)}.seq_1_to_${ROWS}`);
});

after(async () => {
  for (const db of [SRC, MERGED, shardDb(0), shardDb(1), shardDb(2), `part_resume_${runId}`]) {
    await primary?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
    await target?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
  }
  await primary?.end();
  await target?.end();
});

describe('range partitioning: split into 3 targets, route, merge', () => {
  it('plans three ranges of equal row counts from the key quantiles, contiguous and open at both ends', async () => {
    map = await planSplit({
      source: adminSpec(topo, topo.servers.primary),
      database: SRC,
      table: 'items',
      targets: [0, 1, 2].map((i) => targetOf(topo.servers.target, shardDb(i))),
    });
    assert.equal(map.keyColumn, 'id');
    assert.equal(map.state, 'planned');
    assert.equal(map.ranges.length, 3);
    assert.equal(map.ranges[0].from, null);
    assert.equal(map.ranges[2].to, null);
    assert.equal(map.ranges[0].to, map.ranges[1].from);
    assert.equal(map.ranges[1].to, map.ranges[2].from);
    assert.deepEqual(map.ranges.map((r) => r.rows), [33333, 33334, 33333]);
    // Equal counts, checked by the server: each range's real COUNT is its planned rows.
    for (const r of map.ranges) {
      const w = rangeWhere(r.from, r.to);
      const [c] = await primary.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(SRC)}.items ${w.where}`, w.values);
      assert.equal(Number(c[0].n), r.rows);
      assert.ok(r.bytes > 0, 'bytes estimated');
    }
    // Nothing was written by planning.
    const [dbs] = await target.query<RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`part_s%_${runId}`]);
    assert.equal(dbs.length, 0);
  });

  it('refuses a split onto a replica before writing anything', async () => {
    const onReplica: PartitionMap = { ...map, ranges: map.ranges.map((r, i) => (i === 1 ? { ...r, target: targetOf(topo.servers.replica1, shardDb(1)) } : r)) };
    const res = await runSplit(onReplica, { passwords: passwords() });
    assert.equal(res.state, 'refused', res.message);
    assert.match(res.message ?? '', /replica/);
    assert.equal(res.jobs.length, 0);
    const [dbs] = await target.query<RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`part_s%_${runId}`]);
    assert.equal(dbs.length, 0, 'no shard database was created');
  });

  it('copies each range to its own database and verifies it; the test re-checks every range itself', async () => {
    const seen: string[] = [];
    const res = await runSplit(map, { passwords: passwords(), onRange: (e) => seen.push(`${e.range}:${e.phase}`) });
    assert.equal(res.state, 'done', res.message);
    assert.deepEqual(seen, ['0:copying', '0:verified', '1:copying', '1:verified', '2:copying', '2:verified']);
    assert.equal(res.map.state, 'split');
    assert.ok(res.verdicts.every((v) => v.match));
    map = res.map;
    for (let i = 0; i < 3; i++) {
      const r = map.ranges[i];
      const w = rangeWhere(r.from, r.to);
      const source = await fingerprint(primary, SRC, w.where, w.values);
      const shard = await fingerprint(target, shardDb(i)); // the whole shard: nothing outside its range
      assert.equal(shard, source, `range ${i} ${r.from}..${r.to}`);
      assert.equal(Number(shard.split('/')[0]), r.rows);
    }
    // The three shards together are the table.
    const counts = await Promise.all([0, 1, 2].map(async (i) => (await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(shardDb(i))}.items`))[0][0].n));
    assert.equal(counts.reduce((s, n) => s + Number(n), 0), ROWS);
  });

  it('routes a key lookup to the database that holds the row, and refuses a write into the wrong range', async () => {
    for (const id of ['3', '150000', '269997', '10090001', '10100000']) {
      const hit = partitionFor(map, 'items', id);
      assert.ok(hit, `id ${id} has a range`);
      const [route] = routeStatementByMap(map, `SELECT * FROM items WHERE id = ${id}`);
      assert.equal(route.kind, 'routed');
      assert.ok(route.kind === 'routed');
      assert.equal(route.target.database, hit.range.target.database);
      const [there] = await target.query<RowDataPacket[]>(`SELECT id, name FROM ${q(route.target.database)}.items WHERE id = ?`, [id]);
      const [src] = await primary.query<RowDataPacket[]>(`SELECT id, name FROM ${q(SRC)}.items WHERE id = ?`, [id]);
      assert.equal(there.length, 1, `id ${id} is on ${route.target.database}`);
      assert.deepEqual(there[0], src[0]);
      for (let i = 0; i < 3; i++) {
        if (shardDb(i) === route.target.database) continue;
        const [elsewhere] = await target.query<RowDataPacket[]>(`SELECT id FROM ${q(shardDb(i))}.items WHERE id = ?`, [id]);
        assert.equal(elsewhere.length, 0, `id ${id} is only in one shard`);
      }
    }
    const lastKey = '10100000';
    const [refused] = routeStatementByMap(map, `INSERT INTO items (id, a, amount, name, ts, f) VALUES (${lastKey} + 1, 1, 1, 'x', NOW(), 1)`, map.ranges[0].target);
    assert.equal(refused.kind, 'refused', 'an expression key cannot be placed: refused');
    const [wrong] = routeStatementByMap(map, `INSERT INTO items (id, a, amount, name, ts, f) VALUES (10100001, 1, 1, 'x', NOW(), 1)`, map.ranges[0].target);
    assert.equal(wrong.kind, 'refused');
    assert.ok(wrong.kind === 'refused');
    assert.match(wrong.message, /not on/);
  });

  it('merges the ranges back into one table: CHECKSUM TABLE equals the source', async () => {
    const into = targetOf(topo.servers.target, MERGED);
    const res = await runMerge(map, into, { passwords: passwords() });
    assert.equal(res.state, 'done', res.message);
    assert.equal(res.map.state, 'merged');
    assert.equal(res.verdicts.length, 3);
    assert.equal(await checksum(target, MERGED), await checksum(primary, SRC));
    assert.equal(await fingerprint(target, MERGED), await fingerprint(primary, SRC));
    // Merging again into the now non-empty table is refused before writing.
    const again = await runMerge(map, into, { passwords: passwords() });
    assert.equal(again.state, 'refused');
    assert.match(again.message ?? '', /already has rows/);
  });

  it('a range copy cancelled mid-way resumes by its job id and holds exactly its range', async () => {
    const db = `part_resume_${runId}`;
    const r = map.ranges[1];
    const spec = {
      source: adminSpec(topo, topo.servers.primary),
      target: adminSpec(topo, topo.servers.target),
      sourceDatabase: SRC,
      targetDatabase: db,
      tables: ['items'],
      mode: 'full' as const,
      ranges: { items: keyRangeOf(r) },
      initialChunkRows: 200,
      maxChunkRows: 200,
      chunkTimeSeconds: 0.01,
    };
    // Cancelled at the job's first progress event, at its first commit (a poll, or a later event, can be
    // outrun by a fast copy): the chunks in flight commit, the rest of the range is left for the resume.
    let first: ReturnType<typeof startJob> | null = null;
    let asked = false;
    first = startJob(spec, {
      onEvent: (e) => {
        if (e.type === 'progress' && e.chunk >= 1 && !asked) {
          asked = true;
          first?.cancel();
        }
      },
    });
    const cancelled = await first.done;
    assert.equal(cancelled.state, 'cancelled');
    const [partial] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(db)}.items`);
    assert.ok(Number(partial[0].n) > 0 && Number(partial[0].n) < r.rows, `partial copy: ${partial[0].n}`);
    const resumed = await resumeJob(adminSpec(topo, topo.servers.target), cancelled.jobId, { source: topo.users.admin.password, target: topo.users.admin.password });
    const done = await resumed.done;
    assert.equal(done.state, 'done', done.message);
    const w = rangeWhere(r.from, r.to);
    assert.equal(await fingerprint(target, db), await fingerprint(primary, SRC, w.where, w.values));
  });
});
