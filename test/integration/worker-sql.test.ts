/**
 * Run SQL through the real bundled worker (JSON-RPC over IPC, as the extension speaks to it): routing,
 * session carried across runs, row pages, and exports compared value by value with a direct query.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { SqlExportRequest, SqlRowsRequest, SqlRunRequest, type ServerRef, type SqlRunParams } from '../../src/protocol/index.js';
import { adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

let topo: Topology;
let worker: WorkerProcess;
let replica: mysql.Connection;
const DB = 'rt_worker_sql';

const ref = (s: SandboxServer): ServerRef => ({ name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password });

function params(sql: string, over: Partial<SqlRunParams> = {}): SqlRunParams {
  const { primary, replica1, replica2 } = topo.servers;
  return { profile: 'sandbox', primary: ref(primary), replicas: [ref(replica1), ref(replica2)], sql, maxStalenessSeconds: 30, causalWaitSeconds: 5, forcePrimary: false, ...over };
}

before(async () => {
  topo = loadSandbox();
  worker = await startWorker();
  replica = await adminConnect(topo.servers.replica1);
});

after(async () => {
  await worker.rpc.sendRequest(SqlRunRequest, params(`DROP DATABASE IF EXISTS ${DB}`)).catch(() => undefined);
  await replica?.end();
  worker?.stop();
});

test('a run routes each statement, keeps the session (a transaction spans runs) and reads its own writes', async () => {
  const setup = await worker.rpc.sendRequest(
    SqlRunRequest,
    params(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v VARCHAR(20), b VARBINARY(4), n INT NULL); INSERT INTO ${DB}.t VALUES (1, 'a,"b"', 0x00ff, NULL), (2, '', NULL, 7)`),
  );
  assert.deepEqual(setup.statements.map((s) => [s.route, s.error]), [['primary', null], ['primary', null], ['primary', null], ['primary', null]]);
  // Read your writes: the replica is waited for (causalWaitSeconds 5), then serves the fresh rows.
  const read = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT id, v, b, n FROM ${DB}.t ORDER BY id`));
  const [s] = read.statements;
  assert.equal(s.route, 'replica', s.reason);
  assert.match(s.reason, /has applied this session's last write/);
  assert.deepEqual(s.firstRows, [[1, 'a,"b"', '0x00ff', null], [2, '', null, 7]]);
  // A transaction opened in one run keeps the next run's reads on the primary until it ends.
  await worker.rpc.sendRequest(SqlRunRequest, params('BEGIN'));
  const inTxn = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT COUNT(*) FROM ${DB}.t`));
  assert.equal(inTxn.statements[0].route, 'primary');
  assert.match(inTxn.statements[0].reason, /inside a read-write transaction/);
  await worker.rpc.sendRequest(SqlRunRequest, params('COMMIT'));
  const overridden = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT 1`, { forcePrimary: true }));
  assert.equal(overridden.statements[0].route, 'primary');
  assert.match(overridden.statements[0].reason, /^Run on Primary \(override\)/);
});

test('100,000 rows: pages by range, and CSV / JSON exports equal the rows a direct query returns', async () => {
  const sql = "SELECT seq AS id, CONCAT('r,', seq) AS label, IF(seq % 10 = 0, NULL, seq * 2) AS twice FROM shop.seq_1_to_100000";
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(sql));
  const [s] = run.statements;
  assert.equal(s.rowCount, 100_000);
  assert.equal(s.firstRows.length, 200);
  assert.ok(s.resultId);
  const page = await worker.rpc.sendRequest(SqlRowsRequest, { resultId: s.resultId, offset: 99_990, limit: 500 });
  assert.equal(page.rows.length, 10);
  // BIGINT arrives as text (exact beyond 2^53), as in every connection of the engine.
  assert.deepEqual(page.rows[9], ['100000', 'r,100000', null]);

  const [direct] = (await replica.query({ sql, rowsAsArray: true })) as unknown as [(number | string | null)[][]];
  const dir = mkdtempSync(path.join(tmpdir(), 'rw-export-'));
  const csvPath = path.join(dir, 'r.csv');
  const jsonPath = path.join(dir, 'r.json');
  assert.deepEqual(await worker.rpc.sendRequest(SqlExportRequest, { resultId: s.resultId, format: 'csv', path: csvPath }), { rows: 100_000, bytes: readFileSync(csvPath).length });
  await worker.rpc.sendRequest(SqlExportRequest, { resultId: s.resultId, format: 'json', path: jsonPath });
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { id: string; label: string; twice: string | null }[];
  assert.deepEqual(json.map((o) => [o.id, o.label, o.twice]), direct);
  const lines = readFileSync(csvPath, 'utf8').split('\r\n');
  assert.equal(lines[0], 'id,label,twice');
  assert.equal(lines.length, 100_002, 'header, rows and the final line break');
  const expected = direct.map((r) => `${r[0]},"${String(r[1])}",${r[2] === null ? '' : r[2]}`);
  assert.deepEqual(lines.slice(1, -1), expected);
});
