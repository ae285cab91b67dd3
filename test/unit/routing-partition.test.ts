// Run SQL's partition decision (engine/routing/partitionRoute.ts): which map, range, server and SQL a
// statement gets before the primary/replica routing, and what is refused before anything runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PartitionMap } from '../../src/engine/partition/index.js';
import { ordersMap, partitionTarget } from './partitionFixture.js';
import { decideByMaps, requalify, type MapDecision, type PartitionRouting } from '../../src/engine/routing/index.js';
import type { ServerRef } from '../../src/engine/topology/types.js';

const t = (database: string, port = 3307) => partitionTarget(`s${port}`, database, port);
const map: PartitionMap = ordersMap((_database, port) => `s${port}`, () => 1);
const server = (port: number, password?: string): ServerRef => ({ name: `srv${port}`, host: '10.0.0.1', port, user: 'app', password });
const routing: PartitionRouting = { maps: [map], servers: [server(3307, 'pw7'), server(3308, 'pw8')] };

function routed(d: MapDecision) {
  assert.equal(d.kind, 'routed', JSON.stringify(d));
  if (d.kind !== 'routed') throw new Error('not routed');
  return d;
}
function refused(d: MapDecision): string {
  assert.equal(d.kind, 'refused', JSON.stringify(d));
  return d.kind === 'refused' ? d.message : '';
}

describe('decideByMaps', () => {
  test('a key lookup runs on its range: server with credentials, database, and the reason', () => {
    const d = routed(decideByMaps(routing, 'SELECT * FROM orders WHERE id = 1500'));
    assert.equal(d.range, 1);
    assert.equal(d.target.database, 'shard1');
    assert.deepEqual([d.server.port, d.server.password], [3307, 'pw7']);
    assert.equal(d.reason, 'partition map shop.orders: key range [1000, 2000) lives on s3307/shard1');
    assert.equal(d.sql, 'SELECT * FROM orders WHERE id = 1500');
    const last = routed(decideByMaps(routing, 'SELECT * FROM orders WHERE id IN (2000, 99999)'));
    assert.deepEqual([last.target.database, last.server.password], ['shard2', 'pw8']);
  });

  test('a qualified name is pointed at the range database on the target', () => {
    assert.equal(routed(decideByMaps(routing, 'SELECT * FROM shop.orders o WHERE o.id = 5')).sql, 'SELECT * FROM `shard0`.orders o WHERE o.id = 5');
    assert.equal(routed(decideByMaps(routing, 'SELECT * FROM `shop`.`orders` WHERE id = 1500')).sql, 'SELECT * FROM `shard1`.`orders` WHERE id = 1500');
    assert.equal(requalify('SELECT 1 FROM other.orders, shop.customers', map, 'shard0'), 'SELECT 1 FROM other.orders, shop.customers', 'other names stay');
  });

  test('writes: its own range routes, another range or several ranges are refused', () => {
    assert.equal(routed(decideByMaps(routing, "INSERT INTO orders (id, note) VALUES (2500, 'x')")).target.database, 'shard2');
    assert.match(refused(decideByMaps(routing, "INSERT INTO shard0.orders VALUES (1500, 'x')")), /^partition map shop\.orders: id = 1500 belongs to range \[1000, 2000\) on s3307\/shard1, not on s3307\/shard0/);
    assert.match(refused(decideByMaps(routing, "INSERT INTO orders VALUES (5, 'a'), (2500, 'b')")), /spans 2 ranges/);
    assert.match(refused(decideByMaps(routing, 'DELETE FROM orders')), /would touch every range/);
    assert.match(refused(decideByMaps(routing, 'UPDATE orders SET id = 2500 WHERE id = 5')), /another range/);
  });

  test('statements the maps do not place fall through; planned and merged maps route nothing', () => {
    assert.equal(decideByMaps(routing, 'SELECT * FROM orders WHERE note = 1').kind, 'none');
    assert.equal(decideByMaps(routing, 'SELECT * FROM customers WHERE id = 5').kind, 'none');
    assert.equal(decideByMaps({ ...routing, maps: [{ ...map, state: 'merged' }] }, 'DELETE FROM orders').kind, 'none');
    assert.equal(decideByMaps({ ...routing, maps: [{ ...map, state: 'planned' }] }, 'SELECT * FROM orders WHERE id = 5').kind, 'none');
  });

  test('no stored password for the target: refused, naming the target and the fix', () => {
    const msg = refused(decideByMaps({ maps: [map], servers: [server(3307)] }, 'SELECT * FROM orders WHERE id = 7'));
    assert.match(msg, /key range \[-∞, 1000\) lives on s3307\/shard0, but no profile server at 10\.0\.0\.1:3307 has a stored password/);
    assert.match(msg, /Set Password/);
  });

  test('a join of two split tables whose keys live on different servers is refused', () => {
    const other: PartitionMap = { ...map, table: 'lines', ranges: map.ranges.map((r) => ({ ...r, target: t(`l_${r.target.database}`, 3308) })) };
    const msg = refused(decideByMaps({ ...routing, maps: [map, other] }, 'SELECT * FROM orders JOIN lines USING (id) WHERE id = 5'));
    assert.match(msg, /one statement runs on one server/);
  });
});
