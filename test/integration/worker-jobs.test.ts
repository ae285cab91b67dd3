// The copy and verification paths end to end through the real worker process, as the extension
// drives them: start a job, watch its events, list it, verify the copy, damage the target, find
// exactly the damage, repair it (only with confirmation) and verify clean.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type mysql from 'mysql2/promise';
import { ListJobsRequest, RepairRequest, StartJobRequest, VerifyRequest, type VerifySpec } from '../../src/protocol/index.js';
import { adminConnect } from '../support/sandbox.js';
import { useWorkerFixture } from '../support/worker.js';

// Copies the sandbox's seeded shop database: the fixture's own source database is not used.
const fx = useWorkerFixture('wjobs');
const DB = fx.dstDb;

test('a copy job started through the worker finishes, reports progress and is listed', async () => {
  const { jobId } = await fx.rpc.sendRequest(StartJobRequest, {
    spec: { source: fx.source, target: fx.dst, sourceDatabase: 'shop', targetDatabase: DB, tables: ['customers', 'products'], mode: 'full' },
  });
  const result = await fx.jobFinished(jobId);
  assert.equal(result.state, 'done', result.message);
  const primary = await adminConnect(fx.topo.servers.primary, 'shop');
  const [[source]] = await primary.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM customers').finally(() => primary.end());
  const [[copied]] = await fx.target.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${DB}\`.customers`);
  assert.equal(Number(copied.n), Number(source.n));
  assert.ok(fx.jobEvents.some((e) => e.jobId === jobId && e.type === 'planned'), 'a planned event');
  assert.ok(fx.jobEvents.some((e) => e.jobId === jobId && e.type === 'table-done' && e.table === 'products'), 'a table-done event for products');

  const jobs = await fx.rpc.sendRequest(ListJobsRequest, { targets: [fx.dst, { host: '127.0.0.1', port: 1, user: 'nobody' }] });
  const listed = jobs.find((j) => j.id === jobId);
  assert.equal(listed?.state, 'done');
  assert.equal(JSON.stringify(listed?.spec).includes(fx.topo.users.admin.password), false, 'no password in the listed spec');
});

test('verification through the worker: clean copy, then exactly the damage, then clean after repair', async () => {
  const base: VerifySpec = { source: fx.source, target: fx.dst, database: 'shop', targetDatabase: DB, tables: ['customers', 'products'], mode: 'checksum' };
  const clean = await fx.rpc.sendRequest(VerifyRequest, { verifyId: 'v1', spec: base });
  assert.equal(clean.clean, true, JSON.stringify(clean.summary));
  assert.equal(clean.summary.match, 2);
  assert.ok(fx.verifyEvents.some((v) => v.verifyId === 'v1' && v.event.type === 'table-done'), 'progress notifications carry the verifyId');

  await fx.target.query(`UPDATE \`${DB}\`.customers SET name = CONCAT(name, '!') WHERE id = 5`);
  await fx.target.query(`DELETE FROM \`${DB}\`.customers WHERE id = 7`);
  await fx.target.query(`INSERT INTO \`${DB}\`.products (sku, name, price, created_at) VALUES ('ZZZ-EXTRA', 'extra', 1.00, '2026-01-01 00:00:00')`);

  const damaged = await fx.rpc.sendRequest(VerifyRequest, { verifyId: 'v2', spec: { ...base, mode: 'rows' } });
  assert.equal(damaged.clean, false);
  const customers = damaged.tables.find((t) => t.table === 'customers');
  const products = damaged.tables.find((t) => t.table === 'products');
  assert.deepEqual(customers?.diff?.missing, [['7']]);
  assert.deepEqual(customers?.diff?.different.map((d) => [d.key, d.columns]), [[['5'], ['name']]]);
  assert.deepEqual(products?.diff?.extra, [['ZZZ-EXTRA']]);

  const tables = damaged.tables.filter((t) => t.diff).map((t) => ({ table: t.table, diff: t.diff! }));
  const repairSpec = { source: base.source, target: base.target, database: 'shop', targetDatabase: DB, tables };
  await assert.rejects(fx.rpc.sendRequest(RepairRequest, { spec: { ...repairSpec, confirm: false } }), /confirm/);
  const [[stillExtra]] = await fx.target.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${DB}\`.products WHERE sku = 'ZZZ-EXTRA'`);
  assert.equal(Number(stillExtra.n), 1, 'nothing written without confirmation');

  const repaired = await fx.rpc.sendRequest(RepairRequest, { spec: { ...repairSpec, confirm: true } });
  assert.deepEqual(repaired.tables.map((t) => [t.table, t.upserted, t.deleted]).sort(), [['customers', 2, 0], ['products', 0, 1]]);
  const after = await fx.rpc.sendRequest(VerifyRequest, { verifyId: 'v3', spec: { ...base, mode: 'rows' } });
  assert.equal(after.clean, true, JSON.stringify(after.summary));
});

test('a repair request aimed at a replica is refused by the worker, and the replica gets no transaction', async () => {
  const replica = fx.topo.servers.replica1;
  const gtid = async (): Promise<string> => {
    const conn = await adminConnect(replica);
    try {
      const [[row]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS b, @@GLOBAL.gtid_current_pos AS c');
      return JSON.stringify(row);
    } finally {
      await conn.end();
    }
  };
  const before = await gtid();
  const report = await fx.rpc.sendRequest(VerifyRequest, {
    verifyId: 'v4',
    spec: { source: fx.source, target: fx.spec(replica), database: 'shop', tables: ['customers'], mode: 'checksum', targetIsReplica: true },
  });
  assert.match(report.repairRefusal ?? '', /is a replica or read-only \(it replicates from/);
  const diff = { keyColumns: ['id'], missing: [['5']], extra: [], different: [], truncated: false };
  await assert.rejects(
    fx.rpc.sendRequest(RepairRequest, { spec: { source: fx.source, target: fx.spec(replica), database: 'shop', tables: [{ table: 'customers', diff }], confirm: true } }),
    /Repair refused: .*replicates from/,
  );
  assert.equal(await gtid(), before);
});
