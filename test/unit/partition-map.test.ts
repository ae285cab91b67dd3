import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapProblems, partitionFor, planLines, routeStatementByMap, type PartitionMap, type PartitionTarget } from '../../src/engine/partition/index.js';
import { ordersMap } from './partitionFixture.js';

const map: PartitionMap = ordersMap((database) => `s${database.slice(-1)}`, (rows) => rows * 100);

const route = (sql: string, intended?: PartitionTarget) => routeStatementByMap(map, sql, intended);
const routedTo = (sql: string) => {
  const [r] = route(sql);
  assert.equal(r.kind, 'routed', `${sql}: ${JSON.stringify(r)}`);
  return r.kind === 'routed' ? r.target.database : '';
};

describe('partitionFor', () => {
  test('half-open ranges: from inclusive, to exclusive, open ends', () => {
    assert.equal(partitionFor(map, 'orders', 1)?.range.target.database, 'shard0');
    assert.equal(partitionFor(map, 'orders', -5)?.index, 0);
    assert.equal(partitionFor(map, 'orders', 999)?.index, 0);
    assert.equal(partitionFor(map, 'orders', '1000')?.index, 1);
    assert.equal(partitionFor(map, 'orders', 1999n)?.index, 1);
    assert.equal(partitionFor(map, 'shop.orders', '2000')?.index, 2);
    assert.equal(partitionFor(map, 'orders', '18446744073709551615')?.index, 2, 'BIGINT UNSIGNED max stays exact');
  });
  test('another table or a non-integer key has no range', () => {
    assert.equal(partitionFor(map, 'customers', 5), null);
    assert.equal(partitionFor(map, 'orders', '12.5'), null);
    assert.equal(partitionFor(map, 'orders', 'abc'), null);
    assert.equal(partitionFor(map, 'orders', 1.5), null);
  });
});

describe('routeStatementByMap', () => {
  test('reads by key go to the range that holds the key', () => {
    assert.equal(routedTo('SELECT * FROM orders WHERE id = 5'), 'shard0');
    assert.equal(routedTo('SELECT * FROM shop.orders o WHERE o.id = 1500 AND status = "paid"'), 'shard1');
    assert.equal(routedTo("SELECT * FROM orders WHERE '2500' = id"), 'shard2');
    assert.equal(routedTo('SELECT * FROM orders WHERE id IN (1001, 1999)'), 'shard1');
    assert.equal(routedTo('SELECT * FROM orders WHERE id BETWEEN 2000 AND 9000 ORDER BY id LIMIT 5'), 'shard2');
    assert.equal(routedTo('/* by key */ SELECT * FROM `orders` WHERE `id` = 7 -- where id = 2500'), 'shard0');
  });
  test('reads that may span ranges are left to the caller, with the reason', () => {
    for (const sql of ['SELECT * FROM orders', 'SELECT * FROM orders WHERE id = 5 OR id = 2500', 'SELECT * FROM orders WHERE id IN (5, 2500)', 'SELECT * FROM orders WHERE id BETWEEN 900 AND 1100', 'SELECT * FROM orders WHERE id > 5', "SELECT 'id = 5' FROM orders"]) {
      const [r] = route(sql);
      assert.equal(r.kind, 'unrouted', `${sql}: ${JSON.stringify(r)}`);
    }
    assert.equal(route('SELECT * FROM customers WHERE id = 5')[0].kind, 'unrouted');
  });
  test('writes by key are routed; writes that cannot be placed are refused', () => {
    assert.equal(routedTo('UPDATE orders SET status = 1 WHERE id = 1500'), 'shard1');
    assert.equal(routedTo('DELETE FROM orders WHERE id = 3'), 'shard0');
    assert.equal(routedTo('INSERT INTO orders (status, id) VALUES (1, 2001), (2, 2002)'), 'shard2');
    assert.equal(routedTo('INSERT INTO orders VALUES (1500, "x")'), 'shard1');
    assert.equal(routedTo('INSERT INTO orders SET id = 5, status = 1'), 'shard0');
    for (const [sql, why] of [
      ['UPDATE orders SET status = 1', /every range/],
      ['DELETE FROM orders WHERE status = 1', /every range/],
      ['INSERT INTO orders (status) VALUES (1)', /auto-increment/],
      ['INSERT INTO orders (id) VALUES (5), (2500)', /spans 2 ranges/],
      ['INSERT INTO orders (id) VALUES (5 + 1)', /not a literal/],
      ['INSERT INTO orders (id) SELECT id FROM staging', /VALUES/],
      ['UPDATE orders SET id = 2500 WHERE id = 5', /another range/],
      ['UPDATE orders SET id = id + 1 WHERE id = 5', /move rows/],
    ] as const) {
      const [r] = route(sql);
      assert.equal(r.kind, 'refused', sql);
      assert.match(r.kind === 'refused' ? r.message : '', why, sql);
    }
    assert.equal(route('UPDATE orders SET id = 6 WHERE id = 5')[0].kind, 'routed', 'a key change inside the range is fine');
  });
  test('a write aimed at the wrong server is refused, naming where the key lives', () => {
    const [r] = route('INSERT INTO orders (id) VALUES (2500)', map.ranges[0].target);
    assert.equal(r.kind, 'refused');
    assert.match(r.kind === 'refused' ? r.message : '', /\[2000, \+∞\) on s2\/shard2, not on s0\/shard0/);
    assert.equal(route('INSERT INTO orders (id) VALUES (2500)', map.ranges[2].target)[0].kind, 'routed');
  });
  test('multi-statement input: one decision per statement', () => {
    assert.deepEqual(route('SELECT * FROM orders WHERE id = 1; DELETE FROM orders WHERE id = 1500;').map((r) => r.kind === 'routed' ? r.target.database : r.kind), ['shard0', 'shard1']);
  });
});

describe('map validation and plan text', () => {
  test('a well-formed map has no problems', () => assert.deepEqual(mapProblems(map), []));
  test('gaps, overlaps, closed ends and bad bounds are named', () => {
    const bad = (ranges: PartitionMap['ranges']) => mapProblems({ ...map, ranges });
    const [a, b, c] = map.ranges;
    assert.match(bad([{ ...a, from: '0' }, b, c]).join(), /range 0 must start open/);
    assert.match(bad([a, b, { ...c, to: '9' }]).join(), /last range must end open/);
    assert.match(bad([a, { ...b, from: '1001' }, c]).join(), /must meet/);
    assert.match(bad([a, { ...b, to: '900' }, { ...c, from: '900' }]).join(), /empty or out of order/);
    assert.match(bad([a, { ...b, from: '1e3' }, c]).join(), /integer string/);
    assert.match(mapProblems({ ...map, version: 2 }).join(), /version/);
    assert.match(mapProblems(null).join(), /not a JSON object/);
  });
  test('the plan text names ranges, targets, rows and bytes', () => {
    const lines = planLines(map);
    assert.equal(lines.length, 4);
    assert.match(lines[0], /Split 10\.0\.0\.9:3306\/shop\.orders by id \(bigint\(20\) unsigned\) into 3 ranges, 3000 rows/);
    assert.match(lines[2], /1: id in \[1000, 2000\) -> s1\/shard1\.orders: 1000 rows, ~0\.1 MB/);
  });
});
