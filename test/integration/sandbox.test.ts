// Integration tests of the MariaDB sandbox itself (scripts/sandbox.mjs): they run against the real servers.
//   node scripts/sandbox.mjs up --dir .sandbox-test
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test test/integration/sandbox.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, connectionOptions, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox.js';

type Plan = typeof import('../../scripts/sandbox/plan.mjs');
type SandboxApi = typeof import('../../scripts/sandbox/index.mjs');

let topo: Topology;
let plan: Plan;
let api: SandboxApi;
const conns = new Map<string, mysql.Connection>();

async function conn(server: SandboxServer): Promise<mysql.Connection> {
  let c = conns.get(server.name);
  if (!c) {
    c = await adminConnect(server);
    conns.set(server.name, c);
  }
  return c;
}

async function rows(server: SandboxServer, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [r] = await (await conn(server)).query<RowDataPacket[]>(sql, params);
  return r;
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const replicas = () => [topo.servers.replica1, topo.servers.replica2];
const quoteIdent = (s: string) => '`' + s.replace(/`/g, '``') + '`';

before(async () => {
  topo = loadSandbox();
  plan = await import('../../scripts/sandbox/plan.mjs');
  api = await import('../../scripts/sandbox/index.mjs');
});

after(async () => {
  for (const c of conns.values()) await c.end();
});

test('both replicas replicate from the primary with GTID, are read_only, and are listed by SHOW SLAVE HOSTS', async () => {
  for (const r of replicas()) {
    const [st] = await rows(r, 'SHOW SLAVE STATUS');
    assert.ok(st, `${r.name} has no replication configured`);
    assert.equal(st.Slave_IO_Running, 'Yes', `${r.name} IO thread: ${st.Last_IO_Error}`);
    assert.equal(st.Slave_SQL_Running, 'Yes', `${r.name} SQL thread: ${st.Last_SQL_Error}`);
    assert.equal(Number(st.Master_Port), topo.servers.primary.port);
    assert.equal(st.Using_Gtid, 'Slave_Pos');
    const [v] = await rows(r, 'SELECT @@read_only AS ro, @@server_id AS id, @@log_bin AS lb, @@log_slave_updates AS lsu');
    assert.equal(Number(v.ro), 1, `${r.name} must be read_only`);
    assert.equal(Number(v.id), r.serverId);
    assert.equal(Number(v.lb), 1);
    assert.equal(Number(v.lsu), 1);
  }
  const hosts = await rows(topo.servers.primary, 'SHOW SLAVE HOSTS');
  assert.deepEqual(hosts.map((h) => Number(h.Port)).sort(), replicas().map((r) => r.port).sort());
  const [p] = await rows(topo.servers.primary,
    'SELECT @@binlog_format AS f, @@binlog_row_image AS img, @@binlog_row_metadata AS md, @@gtid_strict_mode AS strict_mode, @@read_only AS ro');
  assert.deepEqual({ ...p, strict_mode: Number(p.strict_mode), ro: Number(p.ro) }, { f: 'ROW', img: 'FULL', md: 'FULL', strict_mode: 1, ro: 0 });
  const [t] = await rows(topo.servers.target, 'SELECT @@server_id AS id, @@log_bin AS lb, @@binlog_format AS f');
  assert.deepEqual({ id: Number(t.id), lb: Number(t.lb), f: t.f }, { id: 10, lb: 1, f: 'ROW' });
});

test('a row inserted on the primary appears on both replicas', async () => {
  const token = `probe-${process.pid}-${Date.now()}-東京😀`;
  await rows(topo.servers.primary, 'CREATE DATABASE IF NOT EXISTS sandbox_selftest');
  await rows(topo.servers.primary, 'CREATE TABLE IF NOT EXISTS sandbox_selftest.probe (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(100) NOT NULL)');
  await rows(topo.servers.primary, 'INSERT INTO sandbox_selftest.probe (token) VALUES (?)', [token]);
  try {
    for (const r of replicas()) {
      const found = await waitFor(`probe row on ${r.name}`, async () => {
        const res = await rows(r, 'SELECT HEX(token) AS h FROM sandbox_selftest.probe WHERE token = ?', [token]).catch(() => []);
        return res[0];
      });
      assert.equal(found.h, hex(token));
    }
  } finally {
    await rows(topo.servers.primary, 'DROP DATABASE sandbox_selftest');
  }
});

test('shop has every table with the row counts of the deterministic seed, identical on the replicas', async () => {
  const expected = plan.expectedShopRows();
  const tables = await rows(topo.servers.primary,
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA='shop' AND TABLE_TYPE='BASE TABLE'");
  assert.deepEqual(tables.map((r) => r.t).sort(), Object.keys(expected).sort());
  // order_items follows the seed rule (1 + order_id % 4 lines per order), checked against the data itself.
  const [items] = await rows(topo.servers.primary,
    'SELECT COUNT(*) AS bad FROM shop.orders o LEFT JOIN (SELECT order_id, COUNT(*) AS n FROM shop.order_items GROUP BY order_id) i ON i.order_id = o.id WHERE COALESCE(i.n, 0) <> 1 + o.id % 4');
  assert.equal(Number(items.bad), 0);
  for (const server of [topo.servers.primary, ...replicas()]) {
    for (const [table, n] of Object.entries(expected)) {
      const [c] = await rows(server, `SELECT COUNT(*) AS n FROM shop.${quoteIdent(table)}`);
      assert.equal(Number(c.n), n, `${server.name}: shop.${table}`);
    }
  }
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  assert.ok(total >= 90_000 && total <= 120_000, `about 100k rows in total, got ${total}`);
});

test('shop table shapes: keys, generated columns, charsets, reserved and odd names', async () => {
  const keys = await rows(topo.servers.primary,
    "SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='shop' GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE");
  const pk = (t: string) => keys.find((k) => k.t === t && k.i === 'PRIMARY')?.cols;
  assert.equal(pk('customers'), 'id');
  assert.equal(pk('products'), 'sku');
  assert.equal(pk('order_items'), 'order_id,line_no');
  assert.equal(pk('order notes'), 'note id');
  assert.equal(pk('odd`name'), 'id');
  assert.equal(keys.filter((k) => k.t === 'audit_log').length, 0, 'audit_log has no key at all');
  assert.equal(pk('users_by_email'), undefined);
  assert.deepEqual(keys.filter((k) => k.t === 'users_by_email').map((k) => [k.cols, Number(k.nu)]), [['email', 0]]);

  const cols = await rows(topo.servers.primary,
    "SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dt, EXTRA AS x, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='shop'");
  const col = (t: string, c: string) => cols.find((r) => r.t === t && r.c === c);
  assert.match(String(col('measurements', 'fahrenheit')?.x), /VIRTUAL GENERATED/);
  assert.match(String(col('measurements', 'taken_date')?.x), /STORED GENERATED/);
  assert.equal(col('orders', 'status')?.dt, 'enum');
  assert.equal(col('orders', 'total')?.dt, 'decimal');
  assert.equal(col('orders', 'paid_at')?.dt, 'timestamp');
  assert.equal(col('attachments', 'content')?.dt, 'blob');
  assert.equal(col('attachments', 'token')?.dt, 'varbinary');
  assert.equal(col('users_by_email', 'email')?.n, 'NO');
  for (const kw of ['order', 'group', 'key', 'select', 'desc']) assert.ok(col('keywords', kw), `keywords.${kw}`);
  assert.ok(col('odd`name', 'back`tick'));

  const fks = await rows(topo.servers.primary,
    "SELECT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS r FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA='shop'");
  assert.deepEqual(fks.map((f) => `${f.t}->${f.r}`).sort(),
    ['order notes->orders', 'order_items->orders', 'order_items->products', 'orders->customers']);

  const [latin] = await rows(topo.servers.primary,
    "SELECT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA='shop' AND TABLE_NAME='legacy_latin1'");
  assert.equal(latin.c, 'latin1_swedish_ci');
  const [l1] = await rows(topo.servers.primary, 'SELECT name, HEX(name) AS h FROM shop.legacy_latin1 WHERE id = 1');
  assert.equal(l1.name, plan.latin1Name(1));
  assert.equal(l1.h, Buffer.from(plan.latin1Name(1), 'latin1').toString('hex').toUpperCase());

  const [m] = await rows(topo.servers.primary, 'SELECT COUNT(*) AS bad FROM shop.measurements WHERE fahrenheit <> ROUND(celsius * 9 / 5 + 32, 2) OR taken_date <> DATE(taken_at)');
  assert.equal(Number(m.bad), 0);
});

test('zero dates, JSON, binary bytes, NULL vs empty string and trailing spaces survive as seeded', async () => {
  const zd = await rows(topo.servers.replica1, 'SELECT id, d, dt, partial_date FROM shop.zero_dates WHERE id IN (3, 4) ORDER BY id');
  assert.deepEqual(zd.map((r) => ({ ...r })), [
    { id: 3, d: '2024-01-04', dt: '2024-01-01 11:00:00', partial_date: '2024-00-15' },
    { id: 4, d: '0000-00-00', dt: '0000-00-00 00:00:00', partial_date: '2024-05-00' },
  ]);
  const [ev] = await rows(topo.servers.replica2, 'SELECT payload FROM shop.events WHERE id = 1');
  const payload = JSON.parse(String(ev.payload));
  assert.equal(payload.user.name, plan.EVENT_NAMES[1 % plan.EVENT_NAMES.length]);
  assert.deepEqual(payload.meta.deep, { a: { b: [1, { c: 1 }] } });
  assert.equal(payload.tags[2], false);
  const [att] = await rows(topo.servers.replica1, 'SELECT content, token, sha256 FROM shop.attachments WHERE id = 2');
  const content = att.content as Buffer;
  assert.ok(content.includes(0x00) && content.includes(0xff));
  assert.equal(content.subarray(0, 8).toString('hex'), '00ff00ff00000002');
  const { createHash } = await import('node:crypto');
  assert.deepEqual(att.sha256, createHash('sha256').update(content).digest());
  const cs = await rows(topo.servers.replica2, 'SELECT id, nickname, phone FROM shop.customers WHERE id BETWEEN 1 AND 12 ORDER BY id');
  for (const r of cs) {
    assert.equal(r.nickname, plan.customerNickname(r.id));
    assert.equal(r.phone, plan.customerPhone(r.id));
  }
  assert.ok(cs.some((r) => r.nickname === null) && cs.some((r) => r.nickname === '') && cs.some((r) => /\s$/.test(r.nickname ?? '')));
});

test('emoji and CJK names round-trip byte-exact on the primary and both replicas', async () => {
  const ids = [2, 3, 8, 9, 44]; // 東京, 😀, 李小龙, D'Arcy, 🚀 (see plan.customerName)
  for (const id of ids) {
    const name = plan.customerName(id);
    for (const server of [topo.servers.primary, ...replicas()]) {
      const [r] = await rows(server, 'SELECT name, HEX(name) AS h FROM shop.customers WHERE id = ?', [id]);
      assert.equal(r.h, hex(name), `${server.name} customers.${id}`);
      assert.equal(r.name, name);
    }
  }
  assert.ok(ids.map((id) => plan.customerName(id)).some((n) => n.includes('😀')));
  assert.ok(ids.map((id) => plan.customerName(id)).some((n) => n.includes('東京')));
});

test('rwadmin over TCP needs its password; rwreader has only its read privileges', async () => {
  const p = topo.servers.primary;
  await assert.rejects(mysql.createConnection({ ...connectionOptions(p, topo.users.admin), password: '' }), /Access denied/);
  await assert.rejects(mysql.createConnection({ ...connectionOptions(p, topo.users.admin), password: 'wrong' }), /Access denied/);
  await assert.rejects(mysql.createConnection({ ...connectionOptions(p, { user: 'root', password: '' }) }), /Access denied/);
  const reader = await mysql.createConnection(connectionOptions(p, topo.users.reader));
  try {
    const [g] = await reader.query<RowDataPacket[]>('SHOW GRANTS');
    const grants = g.map((r) => String(Object.values(r)[0])).join('\n');
    assert.match(grants, /GRANT SELECT, PROCESS, (REPLICATION CLIENT|BINLOG MONITOR)/);
    await assert.rejects(reader.query('CREATE DATABASE sandbox_should_fail'), /denied/);
  } finally {
    await reader.end();
  }
});

test('a replica killed with SIGKILL restarts on its data dir and port and catches up', async () => {
  const r = topo.servers.replica2;
  const old = conns.get(r.name);
  conns.delete(r.name);
  await old?.end().catch(() => undefined);
  const stopped = await api.stopServer(topo.dir, r.name, { kill: true });
  assert.equal(stopped.stopped, true);
  const status = await api.sandboxStatus({ dir: topo.dir });
  assert.equal(status.ok, false);
  assert.equal(status.servers[r.name].running, false);
  const token = `while-down-${process.pid}-${Date.now()}`;
  await rows(topo.servers.primary, 'CREATE DATABASE IF NOT EXISTS sandbox_selftest2');
  try {
    await rows(topo.servers.primary, 'CREATE TABLE IF NOT EXISTS sandbox_selftest2.t (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(100))');
    await rows(topo.servers.primary, 'INSERT INTO sandbox_selftest2.t (token) VALUES (?)', [token]);
    const restarted = await api.startServer(topo.dir, r.name);
    assert.equal(restarted.port, r.port);
    assert.notEqual(restarted.pid, stopped.pid);
    await waitFor('row written while the replica was down', async () =>
      (await rows(r, 'SELECT 1 AS ok FROM sandbox_selftest2.t WHERE token = ?', [token]).catch(() => []))[0]);
    assert.equal((await api.sandboxStatus({ dir: topo.dir })).ok, true);
  } finally {
    await rows(topo.servers.primary, 'DROP DATABASE IF EXISTS sandbox_selftest2');
  }
});
