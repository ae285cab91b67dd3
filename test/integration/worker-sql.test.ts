/**
 * Run SQL through the real bundled worker (JSON-RPC over IPC, as the extension speaks to it): routing,
 * session carried across runs, row pages, and exports compared value by value with a direct query.
 * A large result is answered on its first rows and completed by SqlResultDoneNotification.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import {
  SqlExportRequest, SqlResultDoneNotification, SqlRowsRequest, SqlRunRequest, type Cell, type ServerRef, type SqlResultDone, type SqlRunParams, type SqlStatementResult,
} from '../../src/protocol/index.js';
import { adminConnect, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

let topo: Topology;
let worker: WorkerProcess;
let replica: mysql.Connection;
const DB = 'rt_worker_sql';
/** Every SqlResultDoneNotification, in arrival order. */
const doneEvents: SqlResultDone[] = [];

const ref = (s: SandboxServer): ServerRef => ({ name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password });

function params(sql: string, over: Partial<SqlRunParams> = {}): SqlRunParams {
  const { primary, replica1, replica2 } = topo.servers;
  return { profile: 'sandbox', primary: ref(primary), replicas: [ref(replica1), ref(replica2)], sql, maxStalenessSeconds: 30, causalWaitSeconds: 5, forcePrimary: false, ...over };
}

before(async () => {
  topo = loadSandbox();
  worker = await startWorker((rpc) => rpc.onNotification(SqlResultDoneNotification, (d) => doneEvents.push(d)));
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

/** The statement's final state: from its answer when complete, else from its completion notification. */
async function finalOf(s: SqlStatementResult): Promise<Pick<SqlResultDone, 'rowCount' | 'truncated' | 'error'>> {
  if (s.complete) return s;
  assert.ok(s.resultId, 'a loading statement has a result to page');
  const id = s.resultId;
  return waitFor(`completion of ${id}`, async () => doneEvents.find((d) => d.resultId === id), 120_000);
}

async function direct(sql: string): Promise<Cell[][]> {
  const [rows] = (await replica.query({ sql, rowsAsArray: true })) as unknown as [Cell[][]];
  return rows;
}

test('100,000 rows: the answer comes with the first 200; the completion says 100,000 and the last page is exact', async (t) => {
  const sql = "SELECT seq, CONCAT('row ', seq), seq * 2 FROM shop.seq_1_to_100000";
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(sql));
  const [s] = run.statements;
  assert.equal(s.error, null);
  assert.ok(s.resultId);
  const expected = await direct(sql);
  assert.deepEqual(s.firstRows, expected.slice(0, 200));
  t.diagnostic(`answered with ${s.rowCount} rows, complete: ${s.complete}`);
  if (!s.complete) assert.ok(s.rowCount >= 200 && s.rowCount <= 100_000, `rows so far: ${s.rowCount}`);
  const done = await finalOf(s);
  assert.deepEqual([done.rowCount, done.truncated, done.error], [100_000, false, null]);
  const page = await worker.rpc.sendRequest(SqlRowsRequest, { resultId: s.resultId, offset: 99_500, limit: 500 });
  assert.deepEqual(page.rows, expected.slice(99_500));
});

test('a SELECT that fails after rows were sent: the completion carries the error, the rows read stay pageable, export refuses', async () => {
  const sql = 'SELECT seq, IF(seq = 5000, (SELECT 1 UNION SELECT 2), seq) FROM shop.seq_1_to_100000';
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(sql));
  const [s] = run.statements;
  assert.ok(s.resultId, 'the rows before the failure are kept');
  assert.equal(s.firstRows.length, 200);
  const done = await finalOf(s);
  assert.match(done.error ?? '', /Subquery returns more than 1 row/);
  // The server stops at seq 5000: every row before it arrived.
  assert.equal(done.rowCount, 4_999);
  const page = await worker.rpc.sendRequest(SqlRowsRequest, { resultId: s.resultId, offset: 4_990, limit: 500 });
  assert.deepEqual(page.rows.map((r) => r[0]), ['4991', '4992', '4993', '4994', '4995', '4996', '4997', '4998', '4999']);
  const dir = mkdtempSync(path.join(tmpdir(), 'rw-export-'));
  await assert.rejects(worker.rpc.sendRequest(SqlExportRequest, { resultId: s.resultId, format: 'csv', path: path.join(dir, 'x.csv') }), /failed after 4,999 rows/);
  // The session's connection is fine after the error.
  const next = await worker.rpc.sendRequest(SqlRunRequest, params('SELECT 1 AS one'));
  assert.deepEqual([next.statements[0].error, next.statements[0].firstRows], [null, [[1]]]);
});

test('write then a streamed SELECT in one run: in order, read-your-writes on the replica; the next run waits for the whole stream', async () => {
  const sql = `UPDATE ${DB}.t SET v = 'streamed' WHERE id = 1; SELECT s.seq, t.v FROM shop.seq_1_to_100000 s JOIN ${DB}.t t ON t.id = 1`;
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(sql));
  const [write, read] = run.statements;
  assert.deepEqual([write.route, write.error, write.affectedRows, write.complete], ['primary', null, 1, true]);
  assert.equal(read.route, 'replica', read.reason);
  assert.match(read.reason, /has applied this session's last write/);
  assert.ok(read.firstRows.every((r) => r[1] === 'streamed'), 'the replica served the write of the same run');
  // Sent while the SELECT may still stream: the session's queue holds it until every row is read.
  const after = await worker.rpc.sendRequest(SqlRunRequest, params(`SELECT v FROM ${DB}.t WHERE id = 1`));
  if (!read.complete) assert.ok(doneEvents.some((d) => d.resultId === read.resultId), 'the streamed result completed before the next run was answered');
  assert.deepEqual(after.statements[0].firstRows, [['streamed']]);
  const done = await finalOf(read);
  assert.deepEqual([done.rowCount, done.error], [100_000, null]);
  assert.ok(read.resultId);
  const last = await worker.rpc.sendRequest(SqlRowsRequest, { resultId: read.resultId, offset: 99_999, limit: 10 });
  assert.deepEqual(last.rows, [['100000', 'streamed']]);
});

test('a new session (a setting changed) while the last result still streams: that result completes whole', async () => {
  const run = await worker.rpc.sendRequest(SqlRunRequest, params("SELECT seq, CONCAT('row ', seq) FROM shop.seq_1_to_100000"));
  const [s] = run.statements;
  const other = await worker.rpc.sendRequest(SqlRunRequest, params('SELECT 2 AS two', { maxStalenessSeconds: 29 }));
  assert.deepEqual([other.statements[0].error, other.statements[0].firstRows], [null, [[2]]]);
  const done = await finalOf(s);
  assert.deepEqual([done.rowCount, done.error], [100_000, null]);
});

test('100,000 rows: pages by range, and CSV / JSON exports equal the rows a direct query returns', async () => {
  const sql = "SELECT seq AS id, CONCAT('r,', seq) AS label, IF(seq % 10 = 0, NULL, seq * 2) AS twice FROM shop.seq_1_to_100000";
  const run = await worker.rpc.sendRequest(SqlRunRequest, params(sql));
  const [s] = run.statements;
  assert.equal(s.firstRows.length, 200);
  assert.ok(s.resultId);
  // Asked for at once: the export waits for the last row (and so counts all 100,000 below).
  const csvPath = path.join(mkdtempSync(path.join(tmpdir(), 'rw-export-')), 'r.csv');
  const csvExport = worker.rpc.sendRequest(SqlExportRequest, { resultId: s.resultId, format: 'csv', path: csvPath });
  assert.equal((await finalOf(s)).rowCount, 100_000);
  const page = await worker.rpc.sendRequest(SqlRowsRequest, { resultId: s.resultId, offset: 99_990, limit: 500 });
  assert.equal(page.rows.length, 10);
  // BIGINT arrives as text (exact beyond 2^53), as in every connection of the engine.
  assert.deepEqual(page.rows[9], ['100000', 'r,100000', null]);

  const [direct] = (await replica.query({ sql, rowsAsArray: true })) as unknown as [(number | string | null)[][]];
  const jsonPath = path.join(mkdtempSync(path.join(tmpdir(), 'rw-export-')), 'r.json');
  assert.deepEqual(await csvExport, { rows: 100_000, bytes: readFileSync(csvPath).length });
  await worker.rpc.sendRequest(SqlExportRequest, { resultId: s.resultId, format: 'json', path: jsonPath });
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { id: string; label: string; twice: string | null }[];
  assert.deepEqual(json.map((o) => [o.id, o.label, o.twice]), direct);
  const lines = readFileSync(csvPath, 'utf8').split('\r\n');
  assert.equal(lines[0], 'id,label,twice');
  assert.equal(lines.length, 100_002, 'header, rows and the final line break');
  const expected = direct.map((r) => `${r[0]},"${String(r[1])}",${r[2] === null ? '' : r[2]}`);
  assert.deepEqual(lines.slice(1, -1), expected);
});
