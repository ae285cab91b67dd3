// Verification engine against the real sandbox: a copy of `shop` on the target (as verify_shop,
// so other suites' use of the target is untouched) is changed row by row in several column
// shapes; verification must find exactly those rows, classify them, name the columns, and be
// clean again after repair.
//   node scripts/sandbox.mjs up --dir .sandbox-test
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test test/integration/verify.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminSpec, adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { verify } from '../../src/engine/verify/verifier.js';
import { repair } from '../../src/engine/verify/repair.js';
import type { ServerSpec } from '../../src/engine/jobs/types.js';
import type { TableVerdict, VerifyReport } from '../../src/engine/verify/types.js';
import { closeQuietly, connect } from '../../src/engine/db/connection.js';
import { hashShape } from '../../src/engine/verify/checksum.js';
import { inspectTable } from '../../src/engine/schema/inspector.js';
import { DiffCollector } from '../../src/engine/verify/rowDiff.js';

const COPY = 'verify_shop';
let topo: Topology;
let target: mysql.Connection;

const spec = (server: SandboxServer): ServerSpec => adminSpec(topo, server);

/** A byte-exact copy of shop on the target, through the sockets (independent of the copy engine). */
function copyShop(): void {
  const root = (s: SandboxServer): string[] => ['-S', s.socket, '-u', 'root'];
  execFileSync('mariadb', [...root(topo.servers.target), '-e', `DROP DATABASE IF EXISTS ${COPY}; CREATE DATABASE ${COPY}`]);
  const dump = execFileSync('mariadb-dump', [...root(topo.servers.primary), '--single-transaction', '--hex-blob', 'shop'], { maxBuffer: 1 << 30 });
  execFileSync('mariadb', [...root(topo.servers.target), COPY], { input: dump, maxBuffer: 1 << 30 });
}

async function check(tables?: string[], hash: 'crc32' | 'md5' = 'crc32'): Promise<VerifyReport> {
  return verify({ source: spec(topo.servers.primary), target: spec(topo.servers.target), database: 'shop', targetDatabase: COPY, tables, mode: 'rows', chunkRows: 3000, hash });
}

function byTable(r: VerifyReport, name: string): TableVerdict {
  const t = r.tables.find((v) => v.table === name);
  assert.ok(t, `no verdict for ${name}`);
  return t;
}

before(async () => {
  topo = loadSandbox();
  copyShop();
  target = await adminConnect(topo.servers.target, COPY);
  await target.query('SET SESSION foreign_key_checks = 0');
});

after(async () => {
  await target?.query(`DROP DATABASE IF EXISTS ${COPY}`);
  await target?.end();
});

test('an identical copy verifies clean, every table, with exact counts (both range hashes)', async () => {
  assert.equal((await check(undefined, 'md5')).clean, true);
  const r = await check();
  assert.equal(r.clean, true, JSON.stringify(r.tables.filter((t) => t.status !== 'match')));
  assert.equal(r.summary.match, r.tables.length);
  assert.ok(r.tables.length >= 14);
  assert.equal(byTable(r, 'customers').sourceRows, 10000);
  assert.equal(byTable(r, 'customers').targetRows, 10000);
  assert.ok(byTable(r, 'customers').chunks.length >= 4, 'customers is checked in several ranges');
  assert.equal(byTable(r, 'audit_log').wholeTable, true);
  assert.match(byTable(r, 'audit_log').message ?? '', /no key: whole-table check, rows not localised/);
  assert.match(byTable(r, 'measurements').message ?? '', /generated columns not compared: fahrenheit, taken_date/);
});

test('changed, deleted and added rows are found, classified, and repaired', async () => {
  const q = (sql: string): Promise<unknown> => target.query(sql);
  await q("UPDATE attachments SET content = CONCAT(LEFT(content, 4), 'X', SUBSTRING(content, 6)) WHERE id = 5");
  await q("UPDATE customers SET nickname = '' WHERE id = 4"); // NULL -> ''
  await q("UPDATE customers SET nickname = 'nick6' WHERE id = 6"); // 'nick6  ' -> trailing spaces gone
  await q("UPDATE customers SET email = 'CUSTOMER7@example.com' WHERE id = 7"); // equal under _ci
  await q("UPDATE events SET payload = JSON_SET(payload, '$.meta.unicode', 'x') WHERE id = 10");
  await q('DELETE FROM order_items WHERE order_id = 3 AND line_no = 1');
  await q("INSERT INTO order_items VALUES (3, 9, 'SKU-000001', 1, 1.00)");
  await q("DELETE FROM products WHERE sku = 'SKU-000010'");
  await q("INSERT INTO products SELECT 'SKU-999999', name, description, price, weight_kg, active, created_at FROM products WHERE sku = 'SKU-000011'");
  await q("UPDATE products SET price = price + 1 WHERE sku = 'SKU-000020'");
  await q("UPDATE customers SET id = 20001 WHERE id = 9999"); // missing 9999, extra 20001 beyond the last source key

  const tables = ['attachments', 'customers', 'events', 'order_items', 'products', 'orders'];
  const md5 = await check(tables, 'md5');
  assert.deepEqual(
    md5.tables.map((t) => [t.table, t.status]),
    tables.map((t) => [t, t === 'orders' ? 'match' : 'mismatch']),
    'the md5 range hash sees the same tables differ',
  );
  const r = await check(tables);
  assert.equal(r.clean, false);
  assert.equal(byTable(r, 'orders').status, 'match');

  const diff = (name: string): NonNullable<TableVerdict['diff']> => {
    const v = byTable(r, name);
    assert.equal(v.status, 'mismatch', name);
    assert.ok(v.diff, `${name} has a diff`);
    assert.equal(v.diff.truncated, false);
    return v.diff;
  };
  const changed = (name: string): Record<string, string[]> => Object.fromEntries(diff(name).different.map((d) => [JSON.stringify(d.key), d.columns]));

  assert.deepEqual(changed('attachments'), { '["5"]': ['content'] });
  assert.deepEqual(diff('attachments').missing, []);
  assert.deepEqual(diff('attachments').extra, []);
  const att = diff('attachments').different[0];
  assert.ok(typeof att.source.content === 'object' && att.source.content !== null && 'hex' in att.source.content, 'a BLOB travels as hex');

  assert.deepEqual(changed('customers'), { '["4"]': ['nickname'], '["6"]': ['nickname'], '["7"]': ['email'] });
  const c4 = diff('customers').different.find((d) => d.key[0] === '4');
  assert.deepEqual([c4?.source.nickname, c4?.target.nickname], [null, '']);
  const c6 = diff('customers').different.find((d) => d.key[0] === '6');
  assert.deepEqual([c6?.source.nickname, c6?.target.nickname], ['nick6  ', 'nick6']);
  assert.deepEqual(diff('customers').missing, [['9999']]);
  assert.deepEqual(diff('customers').extra, [['20001']]);

  assert.deepEqual(changed('events'), { '["10"]': ['payload'] });

  assert.deepEqual(diff('order_items').missing, [['3', '1']]);
  assert.deepEqual(diff('order_items').extra, [['3', '9']]);
  assert.deepEqual(diff('order_items').different, []);

  assert.deepEqual(diff('products').missing, [['SKU-000010']]);
  assert.deepEqual(diff('products').extra, [['SKU-999999']]);
  assert.deepEqual(changed('products'), { '["SKU-000020"]': ['price'] });

  const toRepair = r.tables.filter((t) => t.diff).map((t) => ({ table: t.table, diff: t.diff as NonNullable<TableVerdict['diff']> }));
  const base = { source: spec(topo.servers.primary), target: spec(topo.servers.target), database: 'shop', targetDatabase: COPY, tables: toRepair };
  await assert.rejects(repair({ ...base, confirm: false }), /confirm/);
  const fixed = await repair({ ...base, confirm: true });
  assert.deepEqual(fixed.tables.filter((t) => t.error), []);
  const sum = (k: 'upserted' | 'deleted'): number => fixed.tables.reduce((n, t) => n + t[k], 0);
  assert.equal(sum('upserted'), 9); // 6 different + 3 missing
  assert.equal(sum('deleted'), 3);

  const again = await check(tables);
  assert.equal(again.clean, true, JSON.stringify(again.tables.filter((t) => t.status !== 'match')));
});

test('a keyless table is checked whole: a changed row makes it a mismatch without localising it', async () => {
  const [rows] = await target.query<RowDataPacket[]>('SELECT action FROM audit_log ORDER BY logged_at, action, entity, entity_id LIMIT 1');
  const action = String(rows[0].action);
  await target.query('UPDATE audit_log SET action = ? WHERE action = ? ORDER BY logged_at, action, entity, entity_id LIMIT 1', ['rw-test', action]);
  try {
    const v = byTable(await check(['audit_log']), 'audit_log');
    assert.equal(v.status, 'mismatch');
    assert.equal(v.wholeTable, true);
    assert.equal(v.diff, undefined);
    assert.equal(v.sourceRows, v.targetRows);
  } finally {
    await target.query("UPDATE audit_log SET action = ? WHERE action = 'rw-test'", [action]);
  }
  assert.equal(byTable(await check(['audit_log']), 'audit_log').status, 'match');
});

test('count mode compares exact row counts', async () => {
  await target.query('DELETE FROM keywords LIMIT 1');
  const r = await verify({ source: spec(topo.servers.primary), target: spec(topo.servers.target), database: 'shop', targetDatabase: COPY, tables: ['keywords', 'products'], mode: 'count' });
  assert.equal(byTable(r, 'keywords').status, 'mismatch');
  assert.equal(byTable(r, 'keywords').rowsExact, true);
  assert.equal((byTable(r, 'keywords').sourceRows ?? 0) - (byTable(r, 'keywords').targetRows ?? 0), 1);
  assert.equal(byTable(r, 'products').status, 'match');
  copyShop(); // restore
});

test('a primary compares clean against each of its replicas', async () => {
  for (const replica of [topo.servers.replica1, topo.servers.replica2]) {
    const r = await verify({ source: spec(topo.servers.primary), target: spec(replica), database: 'shop', mode: 'rows', targetIsReplica: true, replicas: [spec(replica)] });
    assert.equal(r.clean, true, `${replica.name}: ${JSON.stringify(r.tables.filter((t) => t.status !== 'match'))}`);
  }
});

test('a large mismatched range is bisected down to the row; composed vs decomposed é is a difference', async () => {
  // Two copies of customers on the target that differ only in how one é is encoded.
  await target.query('DROP DATABASE IF EXISTS verify_shop2');
  await target.query('CREATE DATABASE verify_shop2');
  await target.query(`CREATE TABLE verify_shop2.customers LIKE ${COPY}.customers`);
  await target.query(`INSERT INTO verify_shop2.customers SELECT * FROM ${COPY}.customers`);
  await target.query(`UPDATE ${COPY}.customers SET name = ? WHERE id = 7777`, ['Ren\u00e9']);
  await target.query('UPDATE verify_shop2.customers SET name = ? WHERE id = 7777', ['Rene\u0301']);
  const [eq] = await target.query<RowDataPacket[]>('SELECT ? = ? COLLATE utf8mb4_unicode_ci AS same', ['Ren\u00e9', 'Rene\u0301']);
  assert.equal(Number(eq[0].same), 1, 'the collation calls them equal; the bytes differ');
  const a = await connect(spec(topo.servers.target));
  const b = await connect(spec(topo.servers.target));
  try {
    const info = await inspectTable(a, COPY, 'customers');
    const shape = hashShape(info);
    await a.query('SET SESSION character_set_results = binary');
    await b.query('SET SESSION character_set_results = binary');
    const codecs = new Map(info.columns.map((c) => [c.name, c.codec]));
    const collector = new DiffCollector({ source: a, target: b, sourceDb: COPY, targetDb: 'verify_shop2', table: 'customers', shape, codecs, leafRows: 100, limit: 1000 });
    await collector.narrow({ after: null, upTo: null }, 10000);
    assert.deepEqual(
      collector.diff.different.map((d) => [d.key[0], d.columns, d.source.name, d.target.name]),
      [['7777', ['name'], 'Ren\u00e9', 'Rene\u0301']],
    );
    assert.deepEqual([collector.diff.missing, collector.diff.extra], [[], []]);
  } finally {
    await closeQuietly(a);
    await closeQuietly(b);
    await target.query('DROP DATABASE IF EXISTS verify_shop2');
    copyShop(); // restore
  }
  assert.equal(byTable(await check(['customers']), 'customers').status, 'match');
});
