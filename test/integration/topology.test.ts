// The topology side against real servers, through the real bundled worker process (JSON-RPC over
// IPC, as the extension's LanguageClient talks to it):
//   node scripts/build.mjs && node scripts/sandbox.mjs up --dir .sandbox-topo
//   RW_SANDBOX_DIR=$PWD/.sandbox-topo node --import tsx --test test/integration/topology.test.ts
// Every test that stops a thread, holds a lock or kills a server undoes it in `finally`.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import {
  DiscoverReplicasRequest, LagUpdateNotification, ListDatabasesRequest, ListTablesRequest, ServerSummaryRequest, SetupHeartbeatRequest,
  StartLagPollingRequest, StopLagPollingRequest, TestConnectionRequest, type LagUpdate, type ReplicaLag, type ServerRef,
} from '../../src/protocol/index.js';
import { formatTs } from '../../src/engine/lag/heartbeat.js';
import { adminConnect, loadSandbox, sandboxDir, waitFor, type SandboxServer, type SandboxUser, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

type SandboxApi = typeof import('../../scripts/sandbox/index.mjs');

const TEST_DB = 'rw_topo_it';
let topo: Topology;
let api: SandboxApi;
let worker: WorkerProcess;
let rpc: MessageConnection;
let updates: LagUpdate[] = [];
const conns: mysql.Connection[] = [];

function ref(server: SandboxServer, user: SandboxUser = topo.users.admin): ServerRef {
  return { name: server.name, host: server.host, port: server.port, user: user.user, password: user.password };
}

async function admin(server: SandboxServer): Promise<mysql.Connection> {
  const c = await adminConnect(server);
  conns.push(c);
  return c;
}

/** Waits for a lag update that satisfies `pred` (only updates arriving after the call count). */
async function nextUpdate(what: string, pred: (u: LagUpdate) => boolean, timeoutMs = 15_000): Promise<LagUpdate> {
  const from = updates.length;
  return waitFor(what, async () => updates.slice(from).find(pred), timeoutMs).catch((err: Error) => {
    const last = updates.at(-1);
    throw new Error(`${err.message}; last update: ${JSON.stringify(last?.replicas.map((r) => [r.name, r.state, r.reason, r.lagSeconds]))}`);
  });
}

const replica = (u: LagUpdate, name: string): ReplicaLag => u.replicas.find((r) => r.name === name) as ReplicaLag;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

before(async () => {
  topo = loadSandbox();
  api = await import('../../scripts/sandbox/index.mjs');
  worker = await startWorker((c) => c.onNotification(LagUpdateNotification, (u) => updates.push(u)));
  rpc = worker.rpc;
  const p = await admin(topo.servers.primary);
  await p.query(`CREATE DATABASE IF NOT EXISTS ${TEST_DB}`);
  await p.query(`CREATE TABLE IF NOT EXISTS ${TEST_DB}.with_pk (id INT PRIMARY KEY, v INT NOT NULL DEFAULT 0)`);
  await p.query(`CREATE TABLE IF NOT EXISTS ${TEST_DB}.no_pk (a INT, b VARCHAR(10))`);
  await p.query(`INSERT IGNORE INTO ${TEST_DB}.with_pk (id) VALUES (1)`);
});

after(async () => {
  await rpc.sendRequest(StopLagPollingRequest).catch(() => undefined);
  // Leave the shared sandbox as found: later layers list its databases.
  const p = await admin(topo.servers.primary);
  for (const db of [TEST_DB, 'rw_topo_hb', 'rw_topo_hb_stale']) await p.query(`DROP DATABASE IF EXISTS \`${db}\``);
  for (const c of conns) await c.end().catch(() => c.destroy());
  worker.stop();
});

describe('tree listings', () => {
  test('server summaries: the primary is writable, a replica replicates from it', async () => {
    const p = await rpc.sendRequest(ServerSummaryRequest, { server: ref(topo.servers.primary) });
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.value.facts.flavor, 'mariadb');
    assert.equal(p.value.facts.serverId, topo.servers.primary.serverId);
    assert.equal(p.value.facts.readOnly, false);
    assert.deepEqual(p.value.replication, []);
    const r = await rpc.sendRequest(ServerSummaryRequest, { server: ref(topo.servers.replica1) });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.facts.readOnly, true);
    assert.equal(r.value.replication.length, 1);
    assert.equal(r.value.replication[0].sourcePort, topo.servers.primary.port);
    assert.equal(r.value.replication[0].ioRunning, 'yes');
  });

  test('databases and tables, with the primary-key mark', async () => {
    const dbs = await rpc.sendRequest(ListDatabasesRequest, { server: ref(topo.servers.primary) });
    assert.ok(dbs.ok, JSON.stringify(dbs));
    const names = dbs.value.map((d) => d.name);
    assert.ok(names.includes('shop') && names.includes(TEST_DB), names.join());
    assert.ok(!names.includes('mysql') && !names.includes('information_schema'));
    const only = await rpc.sendRequest(ListDatabasesRequest, { server: ref(topo.servers.primary), only: ['shop'] });
    assert.deepEqual(only.ok && only.value, [{ name: 'shop' }]);
    const tables = await rpc.sendRequest(ListTablesRequest, { server: ref(topo.servers.primary), database: TEST_DB });
    assert.ok(tables.ok, JSON.stringify(tables));
    const byName = Object.fromEntries(tables.value.map((t) => [t.name, t]));
    assert.equal(byName.with_pk.hasPrimaryKey, true);
    assert.equal(byName.no_pk.hasPrimaryKey, false);
    assert.equal(byName.with_pk.engine, 'InnoDB');
    assert.ok(byName.with_pk.dataBytes > 0);
    const shop = await rpc.sendRequest(ListTablesRequest, { server: ref(topo.servers.replica1), database: 'shop' });
    assert.ok(shop.ok && shop.value.length > 5 && shop.value.some((t) => t.estimatedRows > 0));
  });

  test('a wrong password is an auth error that says so', async () => {
    const res = await rpc.sendRequest(ServerSummaryRequest, { server: { ...ref(topo.servers.replica1), password: 'wrong' } });
    assert.equal(res.ok, false);
    assert.ok(!res.ok);
    assert.equal(res.error.kind, 'auth');
    assert.equal(res.error.code, 'ER_ACCESS_DENIED_ERROR');
    assert.match(res.error.message, /^Access denied for rwadmin on 127\.0\.0\.1:\d+: wrong password or user/);
  });

  test('an unreachable host and a missing password are errors with a reason', async () => {
    const port = await freePort();
    const res = await rpc.sendRequest(ListDatabasesRequest, { server: { name: 'nowhere', host: '127.0.0.1', port, user: 'x', password: 'y' } });
    assert.ok(!res.ok);
    assert.equal(res.error.kind, 'unreachable');
    assert.equal(res.error.message, `Cannot reach 127.0.0.1:${port}: connection refused (is the server running?)`);
    const nopw = await rpc.sendRequest(ServerSummaryRequest, { server: { ...ref(topo.servers.primary), password: undefined } });
    assert.ok(!nopw.ok);
    assert.equal(nopw.error.kind, 'no-password');
  });

  test('Test Connection as rwreader lists the missing privileges per feature', async () => {
    const res = await rpc.sendRequest(TestConnectionRequest, { server: ref(topo.servers.primary, topo.users.reader), database: 'shop' });
    assert.ok(res.ok, JSON.stringify(res));
    const r = res.value;
    assert.equal(r.facts.binlogFormat, 'ROW');
    assert.match(r.facts.gtidPosition, /^0-1-\d+$/);
    const missing = Object.fromEntries(r.privileges.map((p) => [p.feature, p.missing]));
    assert.deepEqual(missing, {
      read: [],
      lag: ['SLAVE MONITOR ON *.*'],
      binlog: ['REPLICATION SLAVE ON *.*'],
      target: ['INSERT ON shop.*', 'CREATE ON shop.*', 'DROP ON shop.*'],
      heartbeat: ['CREATE ON shop.*', 'INSERT ON shop.*', 'UPDATE ON shop.*'],
    });
    const adminReport = await rpc.sendRequest(TestConnectionRequest, { server: ref(topo.servers.replica2) });
    assert.ok(adminReport.ok && adminReport.value.privileges.every((p) => p.ok));
    assert.ok(adminReport.ok && adminReport.value.facts.readOnly);
  });

  test('Discover Replicas finds both replicas with their ports and server ids', async () => {
    const res = await rpc.sendRequest(DiscoverReplicasRequest, { server: ref(topo.servers.primary) });
    assert.ok(res.ok, JSON.stringify(res));
    const found = res.value.map((r) => `${r.host}:${r.port}#${r.serverId}`).sort();
    const expected = [topo.servers.replica1, topo.servers.replica2].map((s) => `${s.host}:${s.port}#${s.serverId}`).sort();
    assert.deepEqual(found, expected);
  });
});

describe('lag polling', () => {
  const thresholds = { warnSeconds: 1, errorSeconds: 10 };
  const start = (heartbeat?: { database: string; intervalMs: number }) =>
    rpc.sendRequest(StartLagPollingRequest, {
      profile: 'sandbox',
      primary: ref(topo.servers.primary),
      replicas: [ref(topo.servers.replica1), ref(topo.servers.replica2)],
      intervalMs: 200,
      thresholds,
      heartbeat,
    });

  test('a stopped SQL thread turns the indicator to error with the reason; starting it recovers', async () => {
    await start();
    const first = await nextUpdate('both replicas ok', (u) => u.state === 'ok');
    assert.equal(first.replicas.length, 2);
    assert.ok(first.replicas.every((r) => r.source === 'replica-status' && r.lagSeconds !== null && r.lagSeconds <= 1));
    const r1 = await admin(topo.servers.replica1);
    try {
      await r1.query('STOP SLAVE SQL_THREAD');
      const stopped = await nextUpdate('replica1 error', (u) => replica(u, 'replica1').state === 'error');
      assert.equal(stopped.state, 'error');
      assert.equal(replica(stopped, 'replica1').reason, 'SQL thread stopped');
      assert.equal(replica(stopped, 'replica1').sqlRunning, false);
      assert.equal(replica(stopped, 'replica2').state, 'ok');
    } finally {
      await r1.query('START SLAVE SQL_THREAD');
    }
    const back = await nextUpdate('recovered', (u) => u.state === 'ok');
    assert.equal(replica(back, 'replica1').sqlRunning, true);
  });

  test('a stalled replica: heartbeat lag rises above the warning threshold and falls back after release', async (t) => {
    const hbDb = 'rw_topo_hb';
    const setup = await rpc.sendRequest(SetupHeartbeatRequest, { server: ref(topo.servers.primary), database: hbDb });
    assert.ok(setup.ok, JSON.stringify(setup));
    assert.equal(setup.value.serverId, topo.servers.primary.serverId);
    const p = await admin(topo.servers.primary);
    await p.query(`CREATE TABLE IF NOT EXISTS ${TEST_DB}.stall (id INT PRIMARY KEY, v INT NOT NULL)`);
    await p.query(`INSERT IGNORE INTO ${TEST_DB}.stall VALUES (1, 0)`);
    const r1 = await admin(topo.servers.replica1);
    await waitFor('stall table on replica1', async () => (await r1.query<mysql.RowDataPacket[]>(`SHOW TABLES FROM ${TEST_DB} LIKE 'stall'`))[0].length > 0);
    await start({ database: hbDb, intervalMs: 100 });
    const calm = await nextUpdate('heartbeat lag under 0.5 s', (u) => u.state === 'ok' && u.replicas.every((r) => r.source === 'heartbeat' && r.lagSeconds !== null && r.lagSeconds < 0.5));
    const calmLag = calm.worstLagSeconds;
    let peak = 0;
    let locked = false;
    try {
      await r1.query(`LOCK TABLES ${TEST_DB}.stall WRITE`);
      locked = true;
      await p.query(`UPDATE ${TEST_DB}.stall SET v = v + 1 WHERE id = 1`);
      const stalled = await nextUpdate('replica1 warning from heartbeat lag', (u) => (replica(u, 'replica1').lagSeconds ?? 0) > 1.5);
      peak = replica(stalled, 'replica1').lagSeconds as number;
      assert.equal(replica(stalled, 'replica1').state, 'warning');
      assert.match(replica(stalled, 'replica1').reason, /^lag 1\.\ds > 1s$/);
      assert.ok((replica(stalled, 'replica2').lagSeconds as number) < 0.5, `replica2 ${replica(stalled, 'replica2').lagSeconds}`);
      // Seconds_Behind_Master also sees it, but only in whole seconds; the heartbeat value is finer.
      assert.ok(peak % 1 !== 0 || peak > 1.5);
    } finally {
      if (locked) await r1.query('UNLOCK TABLES');
    }
    const recovered = await nextUpdate('lag back under 0.5 s', (u) => u.state === 'ok' && (replica(u, 'replica1').lagSeconds ?? 9) < 0.5);
    t.diagnostic(`heartbeat lag: calm ${calmLag?.toFixed(3)} s, stalled ${peak.toFixed(3)} s, after release ${replica(recovered, 'replica1').lagSeconds?.toFixed(3)} s`);
    await rpc.sendRequest(StopLagPollingRequest);
  });

  test('a heartbeat table left from an earlier session: no error while the first heartbeat is on its way', async () => {
    const hbDb = 'rw_topo_hb_stale';
    const setup = await rpc.sendRequest(SetupHeartbeatRequest, { server: ref(topo.servers.primary), database: hbDb });
    assert.ok(setup.ok, JSON.stringify(setup));
    // The row as an earlier session left it: 2 minutes old, already on both replicas.
    const stale = formatTs(Date.now() - 121_000);
    const p = await admin(topo.servers.primary);
    await p.query(`UPDATE ${hbDb}.heartbeat SET ts = ? WHERE server_id = ?`, [stale, topo.servers.primary.serverId]);
    for (const server of [topo.servers.replica1, topo.servers.replica2]) {
      const c = await admin(server);
      await waitFor(`stale heartbeat on ${server.name}`, async () => {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT ts FROM ${hbDb}.heartbeat WHERE server_id = ?`, [topo.servers.primary.serverId]);
        return rows[0]?.ts === stale;
      });
    }
    // Hold the row on the primary so the probes certainly run before this session's first write commits.
    const hold = await admin(topo.servers.primary);
    await hold.query('START TRANSACTION');
    await hold.query(`SELECT * FROM ${hbDb}.heartbeat WHERE server_id = ? FOR UPDATE`, [topo.servers.primary.serverId]);
    const from = updates.length;
    let settled: LagUpdate;
    try {
      await start({ database: hbDb, intervalMs: 100 });
      const firstRounds = await nextUpdate('three rounds before the first write', () => updates.length - from >= 3);
      assert.ok(firstRounds.replicas.every((r) => r.lagMeaning === 'pending' && r.lagSeconds === null && r.state === 'ok'), JSON.stringify(firstRounds.replicas));
    } finally {
      await hold.query('ROLLBACK');
    }
    try {
      settled = await nextUpdate('heartbeat lag under 0.5 s', (u) => u.state === 'ok' && u.replicas.every((r) => r.source === 'heartbeat' && r.lagSeconds !== null && r.lagSeconds < 0.5));
    } finally {
      await rpc.sendRequest(StopLagPollingRequest);
    }
    const early = updates.slice(from, updates.indexOf(settled) + 1);
    const seen = early.map((u) => u.replicas.map((r) => `${r.name} ${r.state} ${r.lagSeconds} ${r.reason}`).join(', '));
    assert.ok(early.every((u) => u.state === 'ok'), seen.join(' | '));
    assert.ok(early.every((u) => u.replicas.every((r) => r.lagSeconds === null || r.lagSeconds < 10)), seen.join(' | '));
  });

  test('a killed replica is unreachable, and recovers by itself after a restart', async () => {
    await start();
    await nextUpdate('all ok', (u) => u.state === 'ok');
    try {
      await api.stopServer(sandboxDir(), 'replica2', { kill: true });
      const down = await nextUpdate('replica2 unreachable', (u) => !replica(u, 'replica2').reachable);
      assert.equal(replica(down, 'replica2').state, 'error');
      assert.match(replica(down, 'replica2').reason, /^unreachable: Cannot reach 127\.0\.0\.1:\d+: /);
      assert.equal(replica(down, 'replica1').state, 'ok');
    } finally {
      await api.startServer(sandboxDir(), 'replica2');
    }
    const back = await nextUpdate('replica2 back', (u) => u.state === 'ok' && replica(u, 'replica2').reachable, 30_000);
    assert.equal(replica(back, 'replica2').sqlRunning, true);
    await rpc.sendRequest(StopLagPollingRequest);
    updates = [];
  });
});
