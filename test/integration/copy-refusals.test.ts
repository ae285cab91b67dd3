// Refusals and existing targets: a schema mismatch is refused with each difference listed; a
// non-empty target is refused by default; truncate (confirmed) and upsert converge to the source.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminSpec, adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startJob } from '../../src/engine/index.js';
import type { JobSpec, ServerSpec } from '../../src/engine/jobs/types.js';

let topo: Topology;
let primary: mysql.Connection;
let target: mysql.Connection;
const runId = `${Date.now().toString(36)}${process.pid}`;
const db = `copy_exist_${runId}`;

const spec = (server: SandboxServer): ServerSpec => adminSpec(topo, server);

function copy(tables: string[], extra: Partial<JobSpec> = {}) {
  return startJob({
    source: spec(topo.servers.primary),
    target: spec(topo.servers.target),
    sourceDatabase: 'shop',
    targetDatabase: db,
    tables,
    mode: 'full',
    ...extra,
  }).done;
}

async function checksum(conn: mysql.Connection, database: string, table: string): Promise<string> {
  const [r] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${database}\`.\`${table}\``);
  return String(r[0].Checksum);
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
});

after(async () => {
  await target?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await primary?.end();
  await target?.end();
});

describe('copy: existing targets', () => {
  it('refuses a schema mismatch listing each difference, and copies nothing', async () => {
    await target.query(`CREATE DATABASE \`${db}\``);
    const [create] = await primary.query<RowDataPacket[]>('SHOW CREATE TABLE shop.products');
    await target.query(`USE \`${db}\``);
    await target.query(String(create[0]['Create Table']));
    await target.query(`ALTER TABLE \`${db}\`.products MODIFY name VARCHAR(10) NOT NULL, ADD COLUMN extra INT NULL, DROP PRIMARY KEY, ADD PRIMARY KEY (sku, name)`);
    const r = await copy(['products']);
    assert.equal(r.state, 'refused');
    const d = r.details ?? [];
    assert.ok(d.some((x) => /products\.name: type varchar\(\d+\) on source, varchar\(10\) on target/.test(x)), d.join('\n'));
    assert.ok(d.some((x) => /extra column extra/.test(x)), d.join('\n'));
    assert.ok(d.some((x) => /PRIMARY KEY \(sku\) missing on target/.test(x)), d.join('\n'));
    const [n] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db}\`.products`);
    assert.equal(Number(n[0].n), 0);
    await target.query(`DROP TABLE \`${db}\`.products`);
  });

  it('refuses a non-empty target by default, and truncate without confirmation', async () => {
    const first = await copy(['customers']);
    assert.equal(first.state, 'done', first.message);
    const again = await copy(['customers']);
    assert.equal(again.state, 'refused');
    assert.match(again.details?.join('\n') ?? '', /customers on the target is not empty/);
    const unconfirmed = await copy(['customers'], { ifExists: 'truncate' });
    assert.equal(unconfirmed.state, 'refused');
    assert.match(unconfirmed.details?.join('\n') ?? '', /confirm/);
  });

  it('truncate (confirmed) replaces the target rows with the source rows', async () => {
    await target.query(`DELETE FROM \`${db}\`.customers WHERE id % 3 = 0`);
    await target.query(`UPDATE \`${db}\`.customers SET name = 'changed' WHERE id % 5 = 0`);
    assert.notEqual(await checksum(target, db, 'customers'), await checksum(primary, 'shop', 'customers'));
    const r = await copy(['customers'], { ifExists: 'truncate', confirmTruncate: true });
    assert.equal(r.state, 'done', r.message);
    assert.equal(await checksum(target, db, 'customers'), await checksum(primary, 'shop', 'customers'));
  });

  for (const method of ['load', 'insert'] as const) {
    it(`upsert (${method}) overwrites changed rows, adds missing ones, keeps no duplicates`, async () => {
      await target.query(`DELETE FROM \`${db}\`.customers WHERE id % 4 = 0`);
      await target.query(`UPDATE \`${db}\`.customers SET name = 'changed', nickname = NULL WHERE id % 7 = 0`);
      const r = await copy(['customers'], { ifExists: 'upsert', method });
      assert.equal(r.state, 'done', r.message);
      assert.equal(await checksum(target, db, 'customers'), await checksum(primary, 'shop', 'customers'));
    });
  }
});
