// Cancel stops now: with one chunk stuck on a row lock and the next loaded and waiting for its commit
// turn, a cancel rolls both back (nothing more commits), and resume then copies every row exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { resumeJob, startJob, type ServerSpec } from '../../src/engine/index.js';
import { adminConnect, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';

const DB = `cancel_dst_${process.pid}`;
const TABLE = 'order_items';
let topo: Topology;
let target: mysql.Connection;
let source: mysql.Connection;

const spec = (name: 'primary' | 'target'): ServerSpec => {
  const s = topo.servers[name];
  return { host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password, name };
};
const rows = async (conn: mysql.Connection, sql: string): Promise<number> => Number((await conn.query<RowDataPacket[]>(sql))[0][0].n);

before(async () => {
  topo = loadSandbox();
  target = await adminConnect(topo.servers.target);
  source = await adminConnect(topo.servers.primary, 'shop');
});

after(async () => {
  await target.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await target.end();
  await source.end();
});

test('a cancel with chunks in flight commits nothing more; resume completes with every row once', async () => {
  const [[create]] = await source.query<RowDataPacket[]>(`SHOW CREATE TABLE ${TABLE}`);
  await target.query('SET SESSION foreign_key_checks = 0');
  await target.query(`CREATE DATABASE \`${DB}\``);
  await target.query(`USE \`${DB}\``);
  await target.query(String(create['Create Table']));
  const [[mid]] = await source.query<RowDataPacket[]>(`SELECT * FROM ${TABLE} ORDER BY order_id, line_no LIMIT 1 OFFSET 30000`);
  const total = await rows(source, `SELECT COUNT(*) AS n FROM ${TABLE}`);

  const locker = await adminConnect(topo.servers.target);
  let result;
  let handle;
  try {
    await locker.query('SET SESSION foreign_key_checks = 0');
    await locker.query('START TRANSACTION');
    await locker.query(`INSERT INTO \`${DB}\`.${TABLE} SET ?`, [mid]);
    handle = startJob({
      source: spec('primary'), target: spec('target'), sourceDatabase: 'shop', targetDatabase: DB, tables: [TABLE], mode: 'full',
      initialChunkRows: 2000, maxChunkRows: 5000,
    });
    await waitFor('chunks committed before the held row', async () => (await rows(target, `SELECT COUNT(*) AS n FROM \`${DB}\`.${TABLE}`)) > 1000, 60_000);
    // Let the writers reach the lock and the next chunk load, then cancel while both are in flight.
    await new Promise((r) => setTimeout(r, 1500));
    handle.cancel();
    await locker.query('ROLLBACK');
    result = await handle.done;
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
  assert.equal(result.state, 'cancelled');
  const partial = await rows(target, `SELECT COUNT(*) AS n FROM \`${DB}\`.${TABLE}`);
  assert.ok(partial <= 30000, `rows past the held key were committed after the cancel: ${partial} of ${total}`);

  const resumed = await resumeJob(spec('target'), await handle.jobId, { source: topo.users.admin.password, target: topo.users.admin.password });
  const done = await resumed.done;
  assert.equal(done.state, 'done', done.message);
  assert.equal(await rows(target, `SELECT COUNT(*) AS n FROM \`${DB}\`.${TABLE}`), total);
  assert.equal(await rows(target, `SELECT COUNT(DISTINCT order_id, line_no) AS n FROM \`${DB}\`.${TABLE}`), total);
});
