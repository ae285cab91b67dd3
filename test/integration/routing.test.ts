/**
 * Routing against the real sandbox: a stopped replica, a replica lagging past the limit, a healthy
 * one; read-your-writes with a replica held back. A replica is held back by a table lock on the
 * replica (`LOCK TABLES t READ`): its SQL thread keeps running but waits, so Seconds_Behind_Master
 * grows (with `STOP SLAVE SQL_THREAD` it would read NULL, which the router reports as stopped).
 * Every hold is released in `finally`, and the replicas are caught up before the next test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { RoutingSession, runSql } from '../../src/engine/routing/index.js';
import type { ServerRef } from '../../src/engine/topology/index.js';
import { adminConnect, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox.js';

const DB = 'rt_route';
let topo: Topology;
let primary: mysql.Connection;
let r1: mysql.Connection;
let r2: mysql.Connection;

function ref(s: SandboxServer): ServerRef {
  return { name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password };
}

function routing(maxStalenessSeconds: number, causalWaitSeconds = 1): RoutingSession {
  const { servers } = topo;
  return new RoutingSession({ primary: ref(servers.primary), replicas: [ref(servers.replica1), ref(servers.replica2)] }, { maxStalenessSeconds, causalWaitSeconds });
}

async function caughtUp(): Promise<void> {
  const [[{ pos }]] = (await primary.query('SELECT @@gtid_binlog_pos AS pos')) as unknown as [{ pos: string }[]];
  for (const r of [r1, r2]) {
    const [[{ w }]] = (await r.query('SELECT MASTER_GTID_WAIT(?, 20) AS w', [pos])) as unknown as [{ w: number }[]];
    assert.equal(Number(w), 0, 'replica caught up');
  }
}

async function secondsBehind(conn: mysql.Connection): Promise<number | null> {
  const [rows] = (await conn.query('SHOW SLAVE STATUS')) as unknown as [{ Seconds_Behind_Master: number | null }[]];
  return rows[0]?.Seconds_Behind_Master ?? null;
}

/** Holds a replica back: a READ lock on the replicated table makes its SQL thread wait. */
async function holdBack(server: SandboxServer): Promise<mysql.Connection> {
  const lock = await adminConnect(server);
  await lock.query(`LOCK TABLES ${DB}.t READ`);
  return lock;
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  r1 = await adminConnect(topo.servers.replica1);
  r2 = await adminConnect(topo.servers.replica2);
  await primary.query(`DROP DATABASE IF EXISTS ${DB}`);
  await primary.query(`CREATE DATABASE ${DB}`);
  await primary.query(`CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)`);
  await primary.query(`INSERT INTO ${DB}.t VALUES (1, 'v0')`);
  await caughtUp();
});

after(async () => {
  await r1?.query('START SLAVE').catch(() => undefined);
  await r2?.query('START SLAVE').catch(() => undefined);
  await primary?.query(`DROP DATABASE IF EXISTS ${DB}`).catch(() => undefined);
  await caughtUp().catch(() => undefined);
  for (const c of [primary, r1, r2]) await c?.end().catch(() => undefined);
});

describe('routing decisions by replica health and lag', () => {
  test('all healthy: a read goes to a replica, a write to the primary', async () => {
    const session = routing(5);
    try {
      const [read, write] = await session.explain(`SELECT v FROM ${DB}.t WHERE id = 1; UPDATE ${DB}.t SET v = 'x' WHERE id = 1`);
      assert.equal(read.decision.route, 'replica');
      assert.ok(['replica1', 'replica2'].includes(read.decision.server));
      assert.match(read.decision.reason, /^read-only query; least lag \d+\.\ds within maxStalenessSeconds 5s$/);
      assert.equal(write.decision.route, 'primary');
      assert.equal(write.decision.server, 'primary');
    } finally {
      await session.close();
    }
  });

  test('replica1 stopped: replica2 serves the read, and the reason names replica1', async () => {
    await r1.query('STOP SLAVE');
    const session = routing(5);
    try {
      const [read] = await session.explain(`SELECT v FROM ${DB}.t`);
      assert.equal(read.decision.server, 'replica2');
      assert.match(read.decision.reason, /passed over replica1: stopped \(IO thread stopped, SQL thread stopped\)/);
    } finally {
      await session.close();
      await r1.query('START SLAVE');
    }
    await caughtUp();
  });

  test('replica2 lagging past the limit, replica1 healthy: replica1; then replica1 stopped too: the primary, naming both', async () => {
    const lock = await holdBack(topo.servers.replica2);
    try {
      await primary.query(`UPDATE ${DB}.t SET v = 'lagging' WHERE id = 1`);
      await waitFor('replica2 to lag 2 s or more', async () => ((await secondsBehind(r2)) ?? 0) >= 2, 15_000);
      let session = routing(1);
      try {
        const [read] = await session.explain(`SELECT v FROM ${DB}.t`);
        assert.equal(read.decision.server, 'replica1');
        assert.match(read.decision.reason, /passed over replica2: lagging past the limit \(lag \d+\.\ds > maxStalenessSeconds 1s\)/);
      } finally {
        await session.close();
      }
      await r1.query('STOP SLAVE');
      session = routing(1);
      try {
        const [read] = await session.explain(`SELECT v FROM ${DB}.t`);
        assert.equal(read.decision.route, 'primary');
        assert.equal(read.decision.classified, 'replica');
        assert.match(read.decision.reason, /on the primary because no replica can serve it: replica1: stopped \(.*\); replica2: lagging past the limit/);
      } finally {
        await session.close();
      }
    } finally {
      await lock.query('UNLOCK TABLES');
      await lock.end();
      await r1.query('START SLAVE');
    }
    await caughtUp();
  });

  test('rw-migrate route --explain --profile names the server (the shipped CLI)', async () => {
    await r2.query('STOP SLAVE');
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'rw-route-'));
      const file = path.join(dir, 'profile.json');
      const s = (x: SandboxServer) => ({ host: x.host, port: x.port, user: topo.users.admin.user, name: x.name });
      writeFileSync(file, JSON.stringify({ name: 'sandbox', primary: s(topo.servers.primary), replicas: [s(topo.servers.replica1), s(topo.servers.replica2)] }));
      const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'rw-migrate.js');
      const env = { ...process.env, RW_MIGRATE_PRIMARY_PASSWORD: topo.users.admin.password };
      const r = spawnSync(process.execPath, [bin, 'route', '--explain', `SELECT * FROM ${DB}.t; DELETE FROM ${DB}.t WHERE id = 0`, '--profile', file], { encoding: 'utf8', env });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^replica replica1 \(lag \d+\.\ds\): read-only query; lag \d+\.\ds within maxStalenessSeconds 5s; passed over replica2: stopped/);
      assert.match(lines[1], /^primary primary: write \(DELETE\)/);
      const j = spawnSync(process.execPath, [bin, 'route', '--explain', 'SELECT 1', '--profile', file, '--json'], { encoding: 'utf8', env });
      assert.deepEqual(
        (({ route, server }) => ({ route, server }))(JSON.parse(j.stdout) as { route: string; server: string }),
        { route: 'replica', server: 'replica1' },
      );
    } finally {
      await r2.query('START SLAVE');
    }
    await caughtUp();
  });
});

describe('read-your-writes by GTID', () => {
  test('the write reports its GTID through session tracking (the primary binlog position)', async () => {
    const session = routing(30);
    try {
      const [run] = await runSql(session, `UPDATE ${DB}.t SET v = 'tracked' WHERE id = 1`);
      assert.equal(run.error, null);
      assert.equal(run.decision?.route, 'primary');
      const [[{ pos }]] = (await primary.query('SELECT @@gtid_binlog_pos AS pos')) as unknown as [{ pos: string }[]];
      assert.equal(session.lastGtid, pos);
      const [ret] = await runSql(session, `INSERT INTO ${DB}.t VALUES (2, 'returning') RETURNING id`);
      assert.deepEqual(ret.rows, [[2]]);
      const [[{ pos: after }]] = (await primary.query('SELECT @@gtid_binlog_pos AS pos')) as unknown as [{ pos: string }[]];
      assert.notEqual(after, pos);
      assert.equal(session.lastGtid, after, 'RETURNING answers with rows: the GTID is asked for');
    } finally {
      await session.close();
    }
    await caughtUp();
  });

  test('with the replica held back, the read waits, then goes to the primary and never returns the stale row; once applied, the replica serves it', async () => {
    await primary.query(`UPDATE ${DB}.t SET v = 'old' WHERE id = 1`);
    await caughtUp();
    await r1.query('STOP SLAVE');
    const lock = await holdBack(topo.servers.replica2);
    const session = routing(30, 1);
    try {
      const [write] = await runSql(session, `UPDATE ${DB}.t SET v = 'new' WHERE id = 1`);
      assert.equal(write.error, null);
      assert.match(session.lastGtid ?? '', /^\d+-\d+-\d+$/);
      const [read] = await runSql(session, `SELECT v FROM ${DB}.t WHERE id = 1`);
      assert.equal(read.error, null);
      assert.equal(read.decision?.route, 'primary');
      assert.match(read.decision?.reason ?? '', /read-your-writes: replica2 had not applied this session's last write \(GTID \d+-\d+-\d+\) within 1s/);
      assert.deepEqual(read.rows, [['new']]);
      assert.ok(read.elapsedMs >= 900, `waited ${read.elapsedMs} ms before falling back`);
      // The replica really was stale: it still has the old row.
      const [[stale]] = (await r2.query(`SELECT v FROM ${DB}.t WHERE id = 1`)) as unknown as [{ v: string }[]];
      assert.equal(stale.v, 'old');
      await lock.query('UNLOCK TABLES');
      const [again] = await runSql(session, `SELECT v FROM ${DB}.t WHERE id = 1`);
      assert.equal(again.decision?.server, 'replica2');
      assert.match(again.decision?.reason ?? '', /has applied this session's last write \(GTID \d+-\d+-\d+\) after \d+ ms/);
      assert.deepEqual(again.rows, [['new']]);
    } finally {
      await session.close();
      await lock.query('UNLOCK TABLES').catch(() => undefined);
      await lock.end();
      await r1.query('START SLAVE');
    }
    await caughtUp();
  });

  test('a replica connection of the session refuses writes even for an admin account', async () => {
    const session = routing(30);
    try {
      const { conn } = await session.serverConn(ref(topo.servers.replica1));
      await assert.rejects(conn.query(`INSERT INTO ${DB}.t VALUES (99, 'never')`), /READ ONLY transaction/i);
    } finally {
      await session.close();
    }
    const [rows] = (await r1.query(`SELECT COUNT(*) AS n FROM ${DB}.t WHERE id = 99`)) as unknown as [{ n: number }[]];
    assert.equal(Number(rows[0].n), 0);
  });

  test('session settings are replayed on the replica before it serves a read', async () => {
    const session = routing(30);
    try {
      const runs = await runSql(session, `SET SESSION sql_mode = 'ANSI_QUOTES'; SELECT @@session.sql_mode AS m`);
      assert.equal(runs[0].decision?.route, 'primary');
      assert.equal(runs[1].decision?.route, 'replica');
      assert.deepEqual(runs[1].rows, [['ANSI_QUOTES']]);
    } finally {
      await session.close();
    }
  });
});
