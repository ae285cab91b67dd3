// Repair never writes to a replica: aimed at a sandbox replica (through the engine, the CLI with and
// without --target-is-replica), it is refused with the reason and the fix, the differing row stays as
// it was, and the replica's GTID positions do not move (no errant transaction).
//   node scripts/sandbox.mjs up --dir .sandbox-test
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test --test-force-exit test/integration/verify-replica-repair.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, adminSpec, loadSandbox, type Topology } from '../support/sandbox.js';
import { verify } from '../../src/engine/verify/verifier.js';
import { repair } from '../../src/engine/verify/repair.js';
import { RepairRefusedError } from '../../src/engine/verify/replicaGuard.js';
import { verifyCommand } from '../../src/cli/verifyCommand.js';

let topo: Topology;
let replica: mysql.Connection;
let original: string | null = null;

async function gtids(): Promise<string> {
  const [rows] = await replica.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS b, @@GLOBAL.gtid_current_pos AS c, @@GLOBAL.gtid_slave_pos AS s');
  return JSON.stringify(rows[0]);
}

async function nickname(): Promise<string | null> {
  const [rows] = await replica.query<RowDataPacket[]>('SELECT nickname FROM shop.customers WHERE id = 5');
  return rows[0].nickname as string | null;
}

before(async () => {
  topo = loadSandbox();
  replica = await adminConnect(topo.servers.replica1);
  original = await nickname();
  // The test's own drift, kept out of the replica's binlog and GTIDs (and undone in after()).
  await replica.query('SET SESSION sql_log_bin = 0');
  await replica.query("UPDATE shop.customers SET nickname = 'drifted' WHERE id = 5");
});

after(async () => {
  await replica?.query('UPDATE shop.customers SET nickname = ? WHERE id = 5', [original]);
  await replica?.end();
});

const specs = () => ({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.replica1) });

test('verify against a replica finds the drift and its report says why Repair is not offered', async () => {
  const r = await verify({ ...specs(), database: 'shop', tables: ['customers'], mode: 'rows', targetIsReplica: true, replicaWaitSeconds: 5 });
  assert.equal(r.tables[0].status, 'mismatch');
  assert.deepEqual(r.tables[0].diff?.different.map((d) => [d.key, d.columns]), [[['5'], ['nickname']]]);
  assert.match(r.repairRefusal ?? '', /^Repair refused: replica1 is a replica or read-only \(it replicates from 127\.0\.0\.1:\d+/);
  assert.match(r.repairRefusal ?? '', /errant transactions/);
  assert.match(r.repairRefusal ?? '', /re-clone it from the primary/);
  // Not declared a replica: the server itself says so (SHOW ALL SLAVES STATUS), so the same refusal.
  const undeclared = await verify({ ...specs(), database: 'shop', tables: ['customers'], mode: 'checksum' });
  assert.match(undeclared.repairRefusal ?? '', /it replicates from/);
});

test('the engine refuses to repair a replica, whatever the caller says, and writes nothing', async () => {
  const before = await gtids();
  const r = await verify({ ...specs(), database: 'shop', tables: ['customers'], mode: 'rows', targetIsReplica: true, replicaWaitSeconds: 5 });
  const diff = r.tables[0].diff!;
  for (const targetIsReplica of [true, false]) {
    await assert.rejects(
      repair({ ...specs(), database: 'shop', tables: [{ table: 'customers', diff }], confirm: true, targetIsReplica }),
      (err: unknown) => err instanceof RepairRefusedError && /replicates from/.test(err.message),
    );
  }
  assert.equal(await nickname(), 'drifted', 'the replica row was not touched');
  assert.equal(await gtids(), before, 'no GTID was added on the replica');
});

test('the CLI refuses --repair of a replica with exit 3, with or without --target-is-replica', async () => {
  const a = topo.users.admin;
  process.env.RW_MIGRATE_FROM_PASSWORD = a.password;
  process.env.RW_MIGRATE_TO_PASSWORD = a.password;
  const before = await gtids();
  for (const declared of [true, false]) {
    let out = '';
    const code = await verifyCommand(
      {
        from: `mysql://${a.user}@127.0.0.1:${topo.servers.primary.port}/shop`,
        to: `mysql://${a.user}@127.0.0.1:${topo.servers.replica1.port}/shop`,
        tables: 'customers',
        repair: true,
        yes: true,
        ...(declared ? { targetIsReplica: true } : {}),
      },
      (s) => (out += s),
    );
    assert.equal(code, 3, out);
    assert.match(out, /^mismatch\s+customers\b/m);
    assert.match(out, /Repair refused: .* is a replica or read-only \(it replicates from/);
    assert.doesNotMatch(out, /^repaired /m);
  }
  assert.equal(await nickname(), 'drifted');
  assert.equal(await gtids(), before, 'no GTID was added on the replica');
});

test('a server with read_only on is not repaired either (an admin would bypass read_only)', async () => {
  const target = await adminConnect(topo.servers.target);
  try {
    await target.query('SET GLOBAL read_only = 1');
    const r = await verify({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: 'mysql', tables: [], mode: 'checksum' });
    assert.match(r.repairRefusal ?? '', /read_only is ON/);
    await assert.rejects(
      repair({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: 'shop', tables: [], confirm: true }),
      (err: unknown) => err instanceof RepairRefusedError && /read_only is ON/.test(err.message),
    );
  } finally {
    await target.query('SET GLOBAL read_only = 0');
    await target.end();
  }
});
