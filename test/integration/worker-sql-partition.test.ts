// Run SQL follows a saved partition map, through the real bundled worker: a small table on the
// primary is split by key range into three databases on the `target` server (the engine's own split,
// verified per range), then the worker's sql/run gets the map. A key lookup is answered by the
// range's database (the source copy of the row is changed first, so a row from anywhere else would
// show); a wrong-range INSERT and a multi-range INSERT are refused and nothing is written anywhere.
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test --test-force-exit test/integration/worker-sql-partition.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { planSplit, runSplit, type PartitionMap, type PartitionTarget } from '../../src/engine/partition/index.js';
import { SqlRunRequest, type ServerRef, type SqlRunParams } from '../../src/protocol/index.js';
import { adminConnect, adminSpec, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `pmap_src_${runId}`;
const shardDb = (i: number) => `pmap_s${i}_${runId}`;
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

let topo: Topology;
let worker: WorkerProcess;
let primary: mysql.Connection;
let target: mysql.Connection;
let map: PartitionMap;

const ref = (s: SandboxServer): ServerRef => ({ name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password });
const targetOf = (database: string): PartitionTarget => ({ name: topo.servers.target.name, host: topo.servers.target.host, port: topo.servers.target.port, user: topo.users.admin.user, database });

function params(sql: string, over: Partial<SqlRunParams> = {}): SqlRunParams {
  const { primary: p, replica1, replica2, target: tg } = topo.servers;
  return {
    profile: 'sandbox', primary: ref(p), replicas: [ref(replica1), ref(replica2)], sql, maxStalenessSeconds: 30, causalWaitSeconds: 5, forcePrimary: false,
    partitionMaps: [map], partitionServers: [ref(tg)], ...over,
  };
}

async function countOnShards(where: string): Promise<number[]> {
  const out: number[] = [];
  for (const i of [0, 1, 2]) {
    const [r] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(shardDb(i))}.items WHERE ${where}`);
    out.push(Number(r[0].n));
  }
  return out;
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE ${q(SRC)}`);
  await primary.query(`CREATE TABLE ${q(SRC)}.items (id INT UNSIGNED NOT NULL PRIMARY KEY, label VARCHAR(40) NOT NULL)`);
  await primary.query(`INSERT INTO ${q(SRC)}.items SELECT seq * 10, CONCAT('item ', seq * 10) FROM ${q(SRC)}.seq_1_to_300`);
  map = await planSplit({ source: adminSpec(topo, topo.servers.primary), database: SRC, table: 'items', targets: [0, 1, 2].map((i) => targetOf(shardDb(i))) });
  const res = await runSplit(map, { passwords: { forServer: () => topo.users.admin.password } });
  assert.equal(res.state, 'done', res.message);
  map = res.map;
  assert.equal(map.state, 'split');
  assert.ok(res.verdicts.every((v) => v.match), 'every range verified');
  // After the split, the source's copy of every row says so: an answer from the source would show it.
  await primary.query(`UPDATE ${q(SRC)}.items SET label = CONCAT(label, ' (source)')`);
  worker = await startWorker();
});

after(async () => {
  worker?.stop();
  await primary?.query(`DROP DATABASE IF EXISTS ${q(SRC)}`).catch(() => undefined);
  for (const i of [0, 1, 2]) await target?.query(`DROP DATABASE IF EXISTS ${q(shardDb(i))}`).catch(() => undefined);
  await primary?.end();
  await target?.end();
});

/** A key strictly inside range i (its lower bound, or the range's first key for the open first range). */
function keyIn(i: number): number {
  const r = map.ranges[i];
  return r.from === null ? 10 : Math.ceil(Number(r.from) / 10) * 10;
}

test('a key lookup is answered by its range database on the target, and says so', async () => {
  const key = keyIn(1);
  assert.ok(map.ranges[1].from !== null && BigInt(key) >= BigInt(map.ranges[1].from) && BigInt(key) < BigInt(map.ranges[1].to ?? '0'), `key ${key} in range 1`);
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT id, label, DATABASE() AS db, @@port AS port FROM items WHERE id = ${key}`));
  const [s] = run.statements;
  assert.equal(s.error, null, s.error ?? '');
  assert.deepEqual(s.firstRows, [[key, `item ${key}`, shardDb(1), String(topo.servers.target.port)]]);
  assert.equal(s.server, `${topo.servers.target.name}/${shardDb(1)}`);
  assert.equal(s.reason, `partition map ${SRC}.items: key range [${map.ranges[1].from}, ${map.ranges[1].to}) lives on ${topo.servers.target.name}/${shardDb(1)}`);
  // The source-qualified name is pointed at the range database too.
  const qualified = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT label FROM ${SRC}.items WHERE id = ${keyIn(2)}`));
  assert.deepEqual(qualified.statements[0].firstRows, [[`item ${keyIn(2)}`]]);
  // Without the map the same statement follows the usual routing and reads the source's copy.
  const plain = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT label FROM ${SRC}.items WHERE id = ${key}`, { partitionMaps: [] }));
  assert.deepEqual(plain.statements[0].firstRows, [[`item ${key} (source)`]]);
  assert.notEqual(plain.statements[0].server, s.server);
});

test('an INSERT of a key that belongs to another range is refused, and nothing is written', async () => {
  const key = keyIn(2) + 1; // a fresh key (all existing keys are multiples of 10) in range 2
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(`INSERT INTO ${shardDb(0)}.items VALUES (${key}, 'wrong range'); SELECT 1`));
  const [ins, next] = run.statements;
  assert.equal(ins.route, null, 'did not run');
  assert.match(ins.error ?? '', new RegExp(`^partition map ${SRC}\\.items: id = ${key} belongs to range .* not on .*${shardDb(0)}: refused`));
  assert.equal(next.error, 'not run: an earlier statement failed');
  const spanning = await worker.rpc.sendRequest(SqlRunRequest, params(`INSERT INTO items VALUES (${keyIn(0) + 1}, 'a'), (${key}, 'b')`));
  assert.match(spanning.statements[0].error ?? '', /spans 2 ranges/);
  assert.deepEqual(await countOnShards(`id IN (${key}, ${keyIn(0) + 1})`), [0, 0, 0], 'no shard got a row');
  const [src] = await primary.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(SRC)}.items WHERE id IN (${key}, ${keyIn(0) + 1})`);
  assert.equal(Number(src[0].n), 0, 'nor did the source');
  // The same key into its own range is written there, and only there.
  const ok = await worker.rpc.sendRequest(SqlRunRequest, params(`INSERT INTO items VALUES (${key}, 'right range')`));
  assert.equal(ok.statements[0].error, null, ok.statements[0].error ?? '');
  assert.equal(ok.statements[0].affectedRows, 1);
  assert.deepEqual(await countOnShards(`id = ${key}`), [0, 0, 1]);
});

test('a target without a stored password fails the statement, naming the target and the fix', async () => {
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT label FROM items WHERE id = ${keyIn(0)}`, { partitionServers: [{ ...ref(topo.servers.target), password: undefined }] }));
  const [s] = run.statements;
  assert.equal(s.route, null, JSON.stringify(s));
  assert.match(s.error ?? '', new RegExp(`lives on ${topo.servers.target.name}/${shardDb(0)}, but no profile server at ${topo.servers.target.host}:${topo.servers.target.port} has a stored password`));
  assert.match(s.error ?? '', /RW Migrate: Set Password/);
});
