// Deferred secondary keys: a key that another table's foreign key references is created up front,
// a plain one is added after the copy, and a table that already existed on the target is never altered.
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
const runId = `${Date.now().toString(36)}${process.pid}`;
const src = `defer_src_${runId}`;

const spec = (server: SandboxServer): ServerSpec => adminSpec(topo, server);

async function copy(targetDatabase: string, extra: Partial<JobSpec> = {}) {
  const events: ProgressEvent[] = [];
  const result = await startJob(
    { source: spec(topo.servers.primary), target: spec(topo.servers.target), sourceDatabase: src, targetDatabase, tables: 'all', mode: 'full', ...extra },
    { onEvent: (e) => events.push(e) },
  ).done;
  const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  return { result, logs };
}

async function keys(conn: mysql.Connection, db: string, table: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS n, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? GROUP BY INDEX_NAME ORDER BY INDEX_NAME`,
    [db, table],
  );
  return rows.map((r) => `${r.n}(${r.c})`);
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE \`${src}\``);
  // The child's foreign key points at a NON-unique key of the parent (InnoDB allows it): that key must
  // exist when the child is created, so it is not deferred; idx_note is.
  await primary.query(`CREATE TABLE \`${src}\`.parent (
      id INT NOT NULL PRIMARY KEY, code INT NOT NULL, note VARCHAR(20) NOT NULL,
      KEY idx_code (code), KEY idx_note (note)) ENGINE=InnoDB`);
  await primary.query(`CREATE TABLE \`${src}\`.child (
      id INT NOT NULL PRIMARY KEY, parent_code INT NOT NULL, KEY idx_parent_code (parent_code),
      CONSTRAINT fk_child_parent FOREIGN KEY (parent_code) REFERENCES parent (code)) ENGINE=InnoDB`);
  await primary.query(`INSERT INTO \`${src}\`.parent SELECT seq, seq % 50, CONCAT('n', seq) FROM \`${src}\`.seq_1_to_3000`);
  await primary.query(`INSERT INTO \`${src}\`.child SELECT seq, seq % 50 FROM \`${src}\`.seq_1_to_2000`);
});

after(async () => {
  await primary?.query(`DROP DATABASE IF EXISTS \`${src}\``).catch(() => undefined);
  await primary?.end();
  await target?.end();
});

describe('copy: deferred secondary keys', () => {
  it('keeps referenced and foreign-key keys up front, adds the plain one after the copy, ends with the source keys', async () => {
    const db = `defer_dst_${runId}`;
    const { result, logs } = await copy(db);
    assert.equal(result.state, 'done', result.message);
    assert.deepEqual(logs.filter((l) => /secondary keys/.test(l)), [
      'parent: all rows copied; adding secondary keys `idx_note`',
      logs.find((l) => /^parent: added secondary keys `idx_note` after the copy \(\d+\.\d s\)$/.test(l)),
    ]);
    for (const t of ['parent', 'child']) assert.deepEqual(await keys(target, db, t), await keys(primary, src, t), t);
    const [fk] = await target.query<RowDataPacket[]>(
      'SELECT REFERENCED_TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_NAME = ?',
      [db, 'fk_child_parent'],
    );
    assert.equal(fk[0]?.t, 'parent', 'the foreign key made it to the target');
  });

  it('never alters a table that existed on the target before the job', async () => {
    const db = `defer_exist_${runId}`;
    await target.query(`CREATE DATABASE \`${db}\``);
    // The user's own table: same columns and unique keys, fewer secondary keys. Upsert into it.
    await target.query(`CREATE TABLE \`${db}\`.parent (id INT NOT NULL PRIMARY KEY, code INT NOT NULL, note VARCHAR(20) NOT NULL) ENGINE=InnoDB`);
    const { result, logs } = await copy(db, { tables: ['parent'], ifExists: 'upsert' });
    assert.equal(result.state, 'done', result.message);
    assert.deepEqual(await keys(target, db, 'parent'), ['PRIMARY(id)']);
    assert.deepEqual(logs.filter((l) => /secondary keys/.test(l)), []);
    const [n] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db}\`.parent`);
    assert.equal(Number(n[0].n), 3000);
  });
});
