// ListColumnsRequest through the real worker against the sandbox: what the incremental strategy's
// watermark pick lists (the columns of shop's tables with their types, auto-increment and leading-index
// facts), fed to the flow's own candidate rule.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ListColumnsRequest } from '../../src/protocol/index.js';
import { watermarkCandidates } from '../../src/ui/migratePlan.js';
import { loadSandbox, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

let worker: WorkerProcess;
let topo: Topology;

before(async () => {
  topo = loadSandbox();
  worker = await startWorker();
});

after(() => worker.stop());

const ref = () => {
  const s = topo.servers.replica1;
  return { name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password };
};

test('the columns of the named tables, with type, auto-increment and whether they lead an index', async () => {
  const out = await worker.rpc.sendRequest(ListColumnsRequest, { server: ref(), database: 'shop', tables: ['orders', 'customers'] });
  assert.ok(out.ok, JSON.stringify(out));
  const cols = out.value;
  assert.deepEqual([...new Set(cols.map((c) => c.table))], ['customers', 'orders'], 'only the named tables, in name order');
  const col = (table: string, name: string) => cols.find((c) => c.table === table && c.name === name);
  assert.deepEqual(col('orders', 'id'), { table: 'orders', name: 'id', dataType: 'int', columnType: 'int(10) unsigned', nullable: false, autoIncrement: true, indexed: true });
  assert.deepEqual(col('orders', 'updated_at'), { table: 'orders', name: 'updated_at', dataType: 'timestamp', columnType: 'timestamp', nullable: false, autoIncrement: false, indexed: false });
  assert.equal(col('orders', 'ordered_at')?.indexed, true, 'idx_ordered_at leads with ordered_at');
  assert.equal(col('orders', 'paid_at')?.nullable, true);
  assert.equal(cols.filter((c) => c.table === 'customers').map((c) => c.name).join(','), 'id,email,name,nickname,phone,country,created_at', 'columns in table order');

  // What the pick offers for both tables: the columns they share that can rise.
  const picks = watermarkCandidates(cols, ['orders', 'customers']);
  assert.deepEqual(picks.map((p) => p.column), ['id']);
  assert.match(picks[0].detail, /sees neither deletes nor updates that leave id alone/);
  const orders = watermarkCandidates(cols, ['orders']).map((p) => p.column);
  assert.deepEqual(orders.slice(0, 4), ['id', 'ordered_at', 'shipped_at', 'paid_at']);
  assert.ok(orders.includes('updated_at') && orders.includes('total') && !orders.includes('status'), orders.join(','));
});

test('a whole database lists every base table; an unknown server is a failure with its reason', async () => {
  const out = await worker.rpc.sendRequest(ListColumnsRequest, { server: ref(), database: 'shop' });
  assert.ok(out.ok);
  assert.ok(new Set(out.value.map((c) => c.table)).size >= 5, `tables: ${[...new Set(out.value.map((c) => c.table))].join(', ')}`);
  const bad = await worker.rpc.sendRequest(ListColumnsRequest, { server: { ...ref(), password: 'wrong' }, database: 'shop' });
  assert.equal(bad.ok, false);
});
