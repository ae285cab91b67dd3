// Heartbeat throttling: a replica whose IO thread is connected but receives nothing shows
// Seconds_Behind_Master 0 (its SQL thread has applied all it has), while it falls further behind.
// replica1 is pointed at the primary through a TCP relay the test can stall (a stalled network path);
// a copy into the primary that watches replica1 with a heartbeat must wait with the reason
// "heartbeat", then finish once the relay flows again. replica1 is pointed back at the primary after.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminSpec, adminConnect, loadSandbox, waitFor, type Topology } from '../support/sandbox.js';
import { startJob } from '../../src/engine/index.js';
import type { ProgressEvent } from '../../src/engine/jobs/types.js';

let topo: Topology;
let primary: mysql.Connection;
let replica1: mysql.Connection;
const runId = `${Date.now().toString(36)}${process.pid}`;
const dstDb = `hb_copy_${runId}`;
const hbDb = `hb_${runId}`;

/** A relay to the primary whose primary-to-replica direction can be held (bytes kept, sent on release). */
class StallableRelay {
  private readonly server: net.Server;
  private stalled = false;
  private readonly held: { to: net.Socket; data: Buffer }[] = [];
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly upstreamPort: number) {
    this.server = net.createServer((down) => {
      const up = net.connect(this.upstreamPort, '127.0.0.1');
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      down.on('data', (d: Buffer) => up.write(d));
      up.on('data', (d: Buffer) => (this.stalled ? this.held.push({ to: down, data: d }) : down.write(d)));
      down.on('close', () => up.destroy());
      up.on('close', () => down.destroy());
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  stall(): void {
    this.stalled = true;
  }

  release(): void {
    this.stalled = false;
    for (const h of this.held.splice(0)) h.to.write(h.data);
  }

  async close(): Promise<void> {
    this.release();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let relay: StallableRelay;

async function slaveStatus(): Promise<RowDataPacket> {
  const [rows] = await replica1.query<RowDataPacket[]>('SHOW SLAVE STATUS');
  return rows[0];
}

async function pointReplica1At(port: number): Promise<void> {
  await replica1.query('STOP SLAVE');
  await replica1.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?', ['127.0.0.1', port]);
  await replica1.query('START SLAVE');
  await waitFor(`replica1 replicating through port ${port}`, async () => {
    const s = await slaveStatus();
    return s && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes' && Number(s.Master_Port) === port;
  }, 20_000);
}

async function caughtUp(): Promise<boolean> {
  const [[p]] = await primary.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS g');
  const [[r]] = await replica1.query<RowDataPacket[]>('SELECT @@gtid_slave_pos AS g');
  return String(p.g) === String(r.g);
}

before(async () => {
  topo = loadSandbox();
  primary = await adminConnect(topo.servers.primary);
  replica1 = await adminConnect(topo.servers.replica1);
  relay = new StallableRelay(topo.servers.primary.port);
  await relay.listen();
  await pointReplica1At(relay.port);
  // The heartbeat table as Set Up Heartbeat makes it, replicated before the stall.
  await primary.query(`CREATE DATABASE \`${hbDb}\``);
  await primary.query(`CREATE TABLE \`${hbDb}\`.heartbeat (ts varchar(26) NOT NULL, server_id int unsigned NOT NULL PRIMARY KEY, file varchar(255), position bigint unsigned, relay_master_log_file varchar(255), exec_master_log_pos bigint unsigned) ENGINE=InnoDB`);
  await primary.query(`INSERT INTO \`${hbDb}\`.heartbeat (ts, server_id) VALUES ('2026-01-01T00:00:00.000000', ?)`, [topo.servers.primary.serverId]);
  await waitFor('heartbeat table on replica1', caughtUp, 20_000);
});

after(async () => {
  // Restore: replica1 straight from the primary again, caught up, whatever happened above.
  relay?.release();
  if (replica1) {
    await pointReplica1At(topo.servers.primary.port).catch(() => undefined);
    await primary?.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
    await primary?.query(`DROP DATABASE IF EXISTS \`${hbDb}\``).catch(() => undefined);
    await waitFor('replica1 caught up after the test', caughtUp, 30_000).catch(() => undefined);
  }
  await relay?.close();
  await primary?.end();
  await replica1?.end();
});

describe('copy: heartbeat throttling', () => {
  it('waits on a stale heartbeat while Seconds_Behind_Master says 0, then finishes when it flows again', async () => {
    relay.stall();
    const events: ProgressEvent[] = [];
    const handle = startJob(
      {
        source: adminSpec(topo, topo.servers.primary),
        target: adminSpec(topo, topo.servers.primary),
        sourceDatabase: 'shop',
        targetDatabase: dstDb,
        tables: ['customers', 'order_items'],
        mode: 'full',
        replicas: [adminSpec(topo, topo.servers.replica1)],
        heartbeat: { database: hbDb },
        maxLagSeconds: 1,
        maxChunkRows: 2000,
      },
      { onEvent: (e) => events.push(e) },
    );
    let sbm: unknown;
    try {
      // Past the pending limit (1 s) the first write's age is the lag: "heartbeat lag ≥ …".
      const throttled = await waitFor(
        'a heartbeat throttle with the lag over the limit',
        async () => events.find((e) => e.type === 'throttle' && e.throttle.throttled && /heartbeat lag ≥? ?\d/.test(e.throttle.reason ?? '')),
        20_000,
      );
      assert.ok(throttled.type === 'throttle');
      assert.deepEqual(throttled.throttle.signals, ['heartbeat']);
      assert.match(throttled.throttle.reason ?? '', /^replica1: heartbeat lag ≥? ?[\d.]+s > 1s.*\(Seconds_Behind_Master 0\)$/);
      // What the replica's status says meanwhile: both threads running, no lag.
      const st = await slaveStatus();
      sbm = st.Seconds_Behind_Master;
      assert.equal(st.Slave_IO_Running, 'Yes');
      assert.equal(st.Slave_SQL_Running, 'Yes');
      assert.equal(Number(st.Seconds_Behind_Master), 0, 'Seconds_Behind_Master says 0 while the heartbeat is stale');
      const [chunks] = await primary.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM rw_migrate.chunks WHERE job_id = ?', [await handle.jobId]);
      assert.equal(Number(chunks[0].n), 0, 'nothing committed while the heartbeat is stale');
      const progress = events.filter((e) => e.type === 'progress');
      const last = progress[progress.length - 1];
      assert.ok(last && last.type === 'progress' && last.throttle.signals?.includes('heartbeat'), 'progress says which signal throttled');
    } finally {
      relay.release();
    }
    const result = await handle.done;
    assert.equal(result.state, 'done', result.message);
    assert.ok(events.some((e) => e.type === 'throttle' && !e.throttle.throttled), 'throttle cleared');
    assert.ok(events.some((e) => e.type === 'log' && /throttling on heartbeat/.test(e.message)));
    for (const t of ['customers', 'order_items']) {
      const [a] = await primary.query<RowDataPacket[]>(`CHECKSUM TABLE shop.\`${t}\``);
      const [b] = await primary.query<RowDataPacket[]>(`CHECKSUM TABLE \`${dstDb}\`.\`${t}\``);
      assert.equal(String(b[0].Checksum), String(a[0].Checksum), t);
    }
    process.stdout.write(`# Seconds_Behind_Master while the heartbeat was stale: ${String(sbm)}\n`);
  });
});
