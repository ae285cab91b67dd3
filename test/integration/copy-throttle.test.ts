// Throttling on replica lag: copy into the sandbox PRIMARY (another database) with both replicas
// watched; a stopped SQL thread on replica1 must hold the copy and say why, and the copy finishes
// once replication runs again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminSpec, adminConnect, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startJob } from '../../src/engine/index.js';
import type { ProgressEvent, ServerSpec } from '../../src/engine/jobs/types.js';

let topo: Topology;
let primary: mysql.Connection;
let replica1: mysql.Connection;
const runId = `${Date.now().toString(36)}${process.pid}`;
const dstDb = `shop_copy_${runId}`;

const spec = (server: SandboxServer): ServerSpec => adminSpec(topo, server);

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  replica1 = await adminConnect(topo.servers.replica1);
});

after(async () => {
  await replica1?.query('START SLAVE SQL_THREAD').catch(() => undefined);
  await primary?.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
  await primary?.end();
  await replica1?.end();
});

describe('copy: throttling', () => {
  it('waits while replica1 SQL thread is stopped, reports why, then finishes', async () => {
    await replica1.query('STOP SLAVE SQL_THREAD');
    const events: ProgressEvent[] = [];
    const handle = startJob(
      {
        source: spec(topo.servers.primary),
        target: spec(topo.servers.primary),
        sourceDatabase: 'shop',
        targetDatabase: dstDb,
        tables: ['customers', 'order_items'],
        mode: 'full',
        replicas: [spec(topo.servers.replica1), spec(topo.servers.replica2)],
        maxLagSeconds: 1,
        maxChunkRows: 2000,
      },
      { onEvent: (e) => events.push(e) },
    );
    const throttled = await waitFor(
      'a throttle event',
      async () => events.find((e) => e.type === 'throttle' && e.throttle.throttled),
      20_000,
    );
    assert.ok(throttled.type === 'throttle');
    assert.match(throttled.throttle.reason ?? '', /replica1/);
    assert.match(throttled.throttle.reason ?? '', /SQL thread stopped/);
    assert.doesNotMatch(throttled.throttle.reason ?? '', /replica2/);
    assert.deepEqual(throttled.throttle.signals, ['replica-status'], 'the signal that throttled is named');
    // Held: nothing commits while throttled, and progress says so.
    await new Promise((r) => setTimeout(r, 1500));
    const [chunks] = await primary.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [await handle.jobId]);
    assert.equal(Number(chunks[0].n), 0, 'no chunk committed while replica1 is stopped');
    const progress = events.filter((e) => e.type === 'progress');
    const lastProgress = progress[progress.length - 1];
    assert.ok(lastProgress && lastProgress.type === 'progress' && lastProgress.throttle.throttled, 'progress reports the throttle');

    await replica1.query('START SLAVE SQL_THREAD');
    const result = await handle.done;
    assert.equal(result.state, 'done', result.message);
    assert.ok(events.some((e) => e.type === 'throttle' && !e.throttle.throttled), 'throttle cleared event');
    for (const t of ['customers', 'order_items']) {
      const [a] = await primary.query<RowDataPacket[]>(`CHECKSUM TABLE shop.\`${t}\``);
      const [b] = await primary.query<RowDataPacket[]>(`CHECKSUM TABLE \`${dstDb}\`.\`${t}\``);
      assert.equal(String(b[0].Checksum), String(a[0].Checksum), t);
    }
    // Written on the primary, so it reaches the replicas once they run.
    const replica2 = await adminConnect(topo.servers.replica2);
    try {
      await waitFor('copy replicated to replica2', async () => {
        const [r] = await replica2.query<RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'order_items'`,
          [dstDb],
        );
        return Number(r[0].n) === 1;
      });
    } finally {
      await replica2.end();
    }
  });

  it('reports lag above max from a delayed replica as the reason', async () => {
    // A lock held on replica1 over a replicated table makes its SQL thread wait while the primary writes.
    const db = `throttle_lag_${runId}`;
    await primary.query(`CREATE DATABASE \`${db}\``);
    await primary.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v INT)`);
    await primary.query(`INSERT INTO \`${db}\`.t VALUES (1, 0)`);
    await waitFor('table on replica1', async () => {
      const [r] = await replica1.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [db]);
      return Number(r[0].n) === 1;
    });
    const locker = await adminConnect(topo.servers.replica1);
    try {
      await locker.query('START TRANSACTION');
      await locker.query(`SELECT * FROM \`${db}\`.t WHERE id = 1 FOR UPDATE`);
      await primary.query(`UPDATE \`${db}\`.t SET v = v + 1 WHERE id = 1`);
      await waitFor('replica1 lagging over 1 s', async () => {
        const [st] = await replica1.query<RowDataPacket[]>('SHOW SLAVE STATUS');
        return Number(st[0]?.Seconds_Behind_Master ?? 0) > 1;
      });
      const events: ProgressEvent[] = [];
      const handle = startJob(
        {
          source: spec(topo.servers.primary),
          target: spec(topo.servers.primary),
          sourceDatabase: 'shop',
          targetDatabase: `${dstDb}_lag`,
          tables: ['products'],
          mode: 'full',
          replicas: [spec(topo.servers.replica1)],
          maxLagSeconds: 1,
        },
        { onEvent: (e) => events.push(e) },
      );
      const lagged = await waitFor(
        'a lag throttle event',
        async () => events.find((e) => e.type === 'throttle' && /replica1: lag \d+ s > 1 s/.test(e.throttle.reason ?? '')),
        20_000,
      );
      assert.ok(lagged);
      await locker.query('ROLLBACK');
      const result = await handle.done;
      assert.equal(result.state, 'done', result.message);
    } finally {
      await locker.end();
      await primary.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await primary.query(`DROP DATABASE IF EXISTS \`${dstDb}_lag\``);
    }
  });
});
