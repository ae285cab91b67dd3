// Full copies of every sample table shape, primary.shop -> target (a fresh database per run),
// verified by CHECKSUM TABLE and row counts on both sides.
//   RW_SANDBOX_DIR=$PWD/.sandbox-copy node --import tsx --test test/integration/copy-full.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminSpec, adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startJob } from '../../src/engine/index.js';
import type { JobSpec, ProgressEvent, ServerSpec } from '../../src/engine/jobs/types.js';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
const runId = `${Date.now().toString(36)}${process.pid}`;

const spec = (server: SandboxServer): ServerSpec => adminSpec(topo, server);

async function tablesOf(conn: mysql.Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [db],
  );
  return rows.map((r) => String(r.t));
}

/**
 * CHECKSUM TABLE plus a content hash. MariaDB 10.11's CHECKSUM TABLE is not deterministic for tables
 * with VIRTUAL generated columns (two INSERT ... SELECT copies of the same rows differ), so for
 * those it is replaced by the content hash over the stored columns, hex-encoded, NULL distinct from ''.
 */
async function fingerprint(conn: mysql.Connection, db: string, table: string): Promise<{ checksum: string; content: string; rows: number }> {
  const [cols] = await conn.query<RowDataPacket[]>(
    "SELECT COLUMN_NAME AS c, EXTRA AS e FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    [db, table],
  );
  const hasVirtual = cols.some((c) => /VIRTUAL/i.test(String(c.e)));
  const expr = cols.map((c) => `IFNULL(HEX(${q(String(c.c))}), 'null')`).join(', ');
  const [h] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('|', ${expr}))) AS x, SUM(CRC32(CONCAT_WS('|', ${expr}))) AS s FROM ${q(db)}.${q(table)}`,
  );
  const [c] = hasVirtual ? [[{ Checksum: 'n/a (virtual columns)' }]] : await conn.query<RowDataPacket[]>(`CHECKSUM TABLE ${q(db)}.${q(table)}`);
  return { checksum: String(c[0].Checksum), content: `${h[0].x}/${h[0].s}`, rows: Number(h[0].n) };
}

/** Every index of a table, as SHOW INDEX would list it, for comparing source and target. */
async function indexesOf(conn: mysql.Connection, db: string, table: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS n, NON_UNIQUE AS u, SEQ_IN_INDEX AS s, COLUMN_NAME AS c, SUB_PART AS p, COLLATION AS o, INDEX_TYPE AS t
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db, table],
  );
  return rows.map((r) => `${r.n} ${r.u} ${r.s} ${r.c} ${r.p ?? '-'} ${r.o} ${r.t}`);
}

async function run(s: Partial<JobSpec> & { targetDatabase: string }) {
  const events: ProgressEvent[] = [];
  const handle = startJob(
    { source: spec(topo.servers.primary), target: spec(topo.servers.target), sourceDatabase: 'shop', tables: 'all', mode: 'full', ...s },
    { onEvent: (e) => events.push(e) },
  );
  return { result: await handle.done, events };
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
});

after(async () => {
  await primary?.end();
  await target?.end();
});

describe('copy: every sample table shape', () => {
  it('refuses the keyless audit_log by name, with the options, and writes nothing', async () => {
    const db = `copy_refuse_${runId}`;
    const { result } = await run({ targetDatabase: db });
    assert.equal(result.state, 'refused');
    assert.equal(result.details?.length, 1);
    assert.match(result.details?.[0] ?? '', /shop\.audit_log/);
    assert.match(result.details?.[0] ?? '', /primary key/);
    assert.match(result.details?.[0] ?? '', /allowNoKey|--allow-no-key/);
    const [dbs] = await target.query<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
    assert.equal(dbs.length, 0, 'a refused job must not create the target database');
  });

  for (const method of ['load', 'insert'] as const) {
    it(`copies all ${method === 'load' ? 'with LOAD DATA' : 'with multi-row INSERT'} byte for byte (allowNoKey for audit_log)`, async () => {
      const db = `copy_full_${method}_${runId}`;
      const { result, events } = await run({ targetDatabase: db, allowNoKey: true, method, writers: 2 });
      assert.equal(result.state, 'done', result.message);
      const source = await tablesOf(primary, 'shop');
      assert.ok(source.length >= 14, `sample has all shapes: ${source.join(',')}`);
      assert.deepEqual(await tablesOf(target, db), source);
      let total = 0;
      for (const t of source) {
        const a = await fingerprint(primary, 'shop', t);
        const b = await fingerprint(target, db, t);
        assert.ok(a.rows > 0, `${t} has rows`);
        assert.deepEqual(b, a, `${t}: checksum and count`);
        // Deferred secondary keys are back once the table is done: the same indexes as the source.
        assert.deepEqual(await indexesOf(target, db, t), await indexesOf(primary, 'shop', t), `${t}: indexes`);
        total += a.rows;
      }
      assert.equal(result.rows, total);
      const planned = events.find((e) => e.type === 'planned');
      assert.ok(planned && planned.type === 'planned');
      const byEmail = planned.tables.find((t) => t.table === 'users_by_email');
      assert.ok(byEmail && byEmail.keyName !== 'PRIMARY' && byEmail.keyColumns.length > 0, 'users_by_email chunks on its unique key');
      assert.equal(planned.tables.find((t) => t.table === 'audit_log')?.noKey, true);
      assert.ok(planned.snapshot.binlogFile && planned.snapshot.gtidBinlogPos, 'snapshot position recorded');
      const added = events.flatMap((e) => (e.type === 'log' && /added secondary keys/.test(e.message) ? [e.message] : []));
      // orders keeps idx_customer (its foreign key needs it) and defers idx_ordered_at; order_items keeps
      // idx_sku (fk_items_product); measurements defers both of its keys.
      assert.ok(added.some((m) => /^orders: .*`idx_ordered_at`/.test(m) && !/idx_customer/.test(m)), added.join('\n'));
      assert.ok(added.some((m) => /^measurements: .*`idx_taken_date`, `idx_fahrenheit`/.test(m)), added.join('\n'));
      assert.ok(!added.some((m) => /^order_items:/.test(m)), added.join('\n'));
      const doneTables = events.filter((e) => e.type === 'table-done').map((e) => (e.type === 'table-done' ? e.table : ''));
      assert.deepEqual([...doneTables].sort(), [...source].sort());
      const [job] = await target.query<RowDataPacket[]>('SELECT state, spec, binlog_file FROM rw_migrate.jobs WHERE id = ?', [result.jobId]);
      assert.equal(job[0].state, 'done');
      assert.ok(!String(job[0].spec).includes(topo.users.admin.password), 'no password in the checkpoint');
    });
  }

  it('keeps the tricky values exact (emoji, latin1, zero dates, JSON, BLOB)', async () => {
    const db = `copy_full_load_${runId}`;
    const probes: [string, string][] = [
      ['customers', 'SELECT MD5(GROUP_CONCAT(HEX(name), HEX(IFNULL(nickname, "N")) ORDER BY id)) AS v FROM %s'],
      ['legacy_latin1', 'SELECT HEX(GROUP_CONCAT(name, city ORDER BY id)) AS v FROM %s'],
      ['zero_dates', 'SELECT GROUP_CONCAT(d, dt, IFNULL(partial_date, "null") ORDER BY id) AS v FROM %s'],
      ['attachments', 'SELECT MD5(GROUP_CONCAT(HEX(IFNULL(content, "N")), HEX(sha256), HEX(token) ORDER BY id)) AS v FROM %s'],
    ];
    for (const [t, sql] of probes) {
      const [a] = await primary.query<RowDataPacket[]>(sql.replace('%s', `shop.${q(t)}`));
      const [b] = await target.query<RowDataPacket[]>(sql.replace('%s', `${q(db)}.${q(t)}`));
      assert.equal(String(b[0].v), String(a[0].v), t);
    }
  });
});
