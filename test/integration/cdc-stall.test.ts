// A binlog stream that stalls without closing (a frozen TCP link) is noticed by the stream's
// watchdog (no event while the source's binlog moves on), and the sync reconnects from its committed
// position and finishes: the target equals the source by CHECKSUM TABLE and count. And the watchdog's
// own status connection, opened while the stream was idle, freezing with the stream (the same
// half-open link) is the same silence: the stall is found, not waited on forever.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob } from '../../src/engine/index.js';
import { ChangeStream, StreamLostError } from '../../src/engine/cdc/index.js';
import { adminSpec, waitFor } from '../support/sandbox.js';
import { allFacts, createLoadTables, seedLoadTables } from '../support/cdcLoad.js';
import { startProxy, type TcpProxy } from '../support/tcpProxy.js';
import { text, useCliFixture } from '../support/cli.js';

const fx = useCliFixture('cdcs');
const { srcDb, dstDb } = fx;
let proxy: TcpProxy;

before(async () => {
  await fx.open();
  proxy = await startProxy(fx.topo.servers.primary.host, fx.topo.servers.primary.port);
  await fx.primary.query(`CREATE DATABASE \`${srcDb}\``);
  await createLoadTables(fx.primary, srcDb);
  await seedLoadTables(fx.primary, srcDb, 200);
});

after(() => proxy?.close());

test('a stalled binlog stream is detected and the sync reconnects from its committed position', async () => {
  // The job's source is the proxy, so the sync's binlog stream goes through it.
  const source = { ...adminSpec(fx.topo, fx.topo.servers.primary), port: proxy.port };
  const copy = await startJob({ source, target: adminSpec(fx.topo, fx.topo.servers.target), sourceDatabase: srcDb, targetDatabase: dstDb, tables: 'all', mode: 'full' }).done;
  assert.equal(copy.state, 'done', copy.message);
  // A backlog of tens of MB in several transactions: after the first batch commits, most of it is
  // still on the source (the kernel's socket buffers hold a few MB), so the frozen link stalls the
  // stream however fast batches are applied (a replayed batch of 40,000 rows takes about a second).
  for (let i = 0; i < 4; i++) {
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items SELECT ${5_000_000 + i * 40_000} + seq, CONCAT('s', ${i * 40_000} + seq), seq % 10, seq / 4, REPEAT('x', 80), NOW(6) FROM \`${srcDb}\`.seq_1_to_40000`);
  }
  await fx.primary.query(`UPDATE \`${srcDb}\`.items SET qty = qty + 1, note = REPEAT('z', 90) WHERE id > 5000000`);

  const run = fx.cli(['sync', copy.jobId, '--to', fx.url('target'), '--json', '--stall-seconds', '2', '--batch-events', '200', '--buffer-events', '200']);
  await waitFor('the sync applying', async () => {
    // The sync creates its state table when it starts: until then there is nothing to read.
    const [r] = await fx.target
      .query<RowDataPacket[]>('SELECT events FROM rw_migrate.cdc_state WHERE job_id = ?', [copy.jobId])
      .catch((err: { code?: string }) => (err.code === 'ER_NO_SUCH_TABLE' ? ([[]] as unknown as [RowDataPacket[]]) : Promise.reject(err)));
    return r[0] && Number(r[0].events) > 0;
  }, 60_000);
  proxy.freeze();
  const code = await run.exit;
  const out = text(run);
  assert.equal(code, 0, out);
  assert.match(out, /stalled.*reconnecting from/);
  assert.deepEqual(await allFacts(fx.target, dstDb), await allFacts(fx.primary, srcDb));
});

test('a stall is found when the watchdog\'s own connection froze with the stream', async () => {
  // A proxy of its own: every connection through it is this stream's (zongji's two and the watchdog's).
  const link = await startProxy(fx.topo.servers.primary.host, fx.topo.servers.primary.port);
  const [[at]] = await fx.primary.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const stream = new ChangeStream({
    source: { ...adminSpec(fx.topo, fx.topo.servers.primary), port: link.port },
    database: srcDb,
    tables: ['items'],
    from: { file: String(at.File), position: Number(at.Position) },
    serverId: 4_000_000 + (process.pid % 100_000),
    stallMs: 1_000,
  });
  try {
    // Idle for over a second: the watchdog asks the source's position on a connection of its own
    // (the third through the proxy) and finds the stream not behind.
    await waitFor('the watchdog connection', async () => {
      await stream.next(100);
      return link.accepted() >= 3;
    }, 20_000);
    link.freeze();
    await fx.primary.query(`INSERT INTO \`${srcDb}\`.items SELECT 7000000 + seq, CONCAT('f', seq), 1, 1, 'x', NOW(6) FROM \`${srcDb}\`.seq_1_to_10`);
    const deadline = Date.now() + 30_000;
    let lost: unknown = null;
    while (!lost && Date.now() < deadline) {
      try {
        await stream.next(200);
      } catch (err) {
        lost = err;
      }
    }
    assert.ok(lost instanceof StreamLostError, `the stream should be declared lost within 30 s, got ${String(lost)}`);
    assert.match(lost.message, /stalled/);
  } finally {
    await stream.close();
    await link.close();
  }
});
