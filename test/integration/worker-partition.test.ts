// Through the real worker process, as the extension drives it: (1) SQL checks as LSP diagnostics on a
// .sql document, including the DDL rule using the active profile's table estimates that the worker
// learned from a table listing; (2) a range split planned and run by request, with per-range
// progress notifications, and the result checked on the target.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import {
  ListTablesRequest, PartitionPlanRequest, PartitionProgressNotification, PartitionRunRequest, StartLagPollingRequest, StopLagPollingRequest,
  type PartitionProgress, type ServerRef,
} from '../../src/protocol/index.js';
import { adminConnect, adminSpec, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

interface Diagnostic {
  range: { start: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

const runId = `${Date.now().toString(36)}${process.pid}`;
const SRC = `wpart_src_${runId}`;
const SHARDS = [`wpart_a_${runId}`, `wpart_b_${runId}`];
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
let topo: Topology;
let worker: WorkerProcess;
let primary: mysql.Connection;
let target: mysql.Connection;
const published = new Map<string, Diagnostic[]>();
const progress: PartitionProgress[] = [];

const ref = (s: SandboxServer): ServerRef => ({ name: s.name, host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password });

before(async () => {
  topo = loadSandbox();
  worker = await startWorker((rpc) => {
    rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => published.set(p.uri, p.diagnostics));
    rpc.onNotification(PartitionProgressNotification, (p) => progress.push(p));
  });
  primary = await adminConnect(topo.servers.primary);
  target = await adminConnect(topo.servers.target);
  await primary.query(`CREATE DATABASE ${q(SRC)}`);
  await primary.query(`CREATE TABLE ${q(SRC)}.t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20) NULL)`);
  await primary.query(`INSERT INTO ${q(SRC)}.t SELECT CAST(seq AS SIGNED) - 2500, IF(seq % 9 = 0, NULL, CONCAT('v', seq)) FROM ${q(SRC)}.seq_1_to_5000`);
});

after(async () => {
  for (const db of [SRC, ...SHARDS]) {
    await primary?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
    await target?.query(`DROP DATABASE IF EXISTS ${q(db)}`).catch(() => undefined);
  }
  await primary?.end();
  await target?.end();
  worker?.stop();
});

test('SQL checks: diagnostics on open and change; the DDL rule uses the active primary\'s table estimates', async () => {
  const uri = `untitled:checks-${runId}.sql`;
  const text = 'ALTER TABLE shop.customers ADD COLUMN x INT;\nDELETE FROM shop.customers;\n';
  await worker.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
  let diags = await waitFor('first diagnostics', async () => published.get(uri), 10_000);
  assert.deepEqual(diags.map((d) => `${d.range.start.line}:${d.code}:${d.severity}`), ['0:ddl-large-table:4', '1:write-without-where:2']);
  assert.match(diags[0].message, /size unknown/);
  // The table listing of the active profile's primary gives the worker its estimates.
  await worker.rpc.sendRequest(StartLagPollingRequest, { profile: 'it', primary: ref(topo.servers.primary), replicas: [], intervalMs: 60_000, thresholds: { warnSeconds: 1, errorSeconds: 10 } });
  const listed = await worker.rpc.sendRequest(ListTablesRequest, { server: ref(topo.servers.primary), database: 'shop' });
  assert.ok(listed.ok);
  const customers = listed.value.find((t) => t.name === 'customers');
  assert.ok(customers && customers.estimatedRows > 0);
  await worker.rpc.sendNotification('workspace/didChangeConfiguration', { settings: { rwMigrate: { sqlChecks: { largeTableRows: 1, disabledRules: ['write-without-where'] } } } });
  diags = await waitFor('re-checked with sizes and settings', async () => {
    const d = published.get(uri);
    return d && d.length === 1 && d[0].severity === 2 ? d : undefined;
  }, 10_000);
  assert.equal(diags[0].code, 'ddl-large-table');
  assert.match(diags[0].message, /large table shop\.customers \(~/);
  // Its quick fix, as the editor asks for it: the diagnostic (with its data) comes back in the context.
  const actions = (await worker.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diags[0].range, context: { diagnostics: diags } })) as {
    title: string;
    kind: string;
    edit: { changes: Record<string, { range: { start: { line: number; character: number } }; newText: string }[]> };
  }[];
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'quickfix');
  assert.match(actions[0].title, /ALGORITHM=INSTANT/);
  assert.deepEqual(actions[0].edit.changes[uri], [{ range: { start: { line: 0, character: 43 }, end: { line: 0, character: 43 } }, newText: ', ALGORITHM=INSTANT' }]);
  await worker.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'ALTER TABLE shop.customers ADD COLUMN x INT, ALGORITHM=INSTANT;' }] });
  await waitFor('the edit to clear the finding', async () => (published.get(uri)?.length === 0 ? true : undefined), 10_000);
  await worker.rpc.sendRequest(StopLagPollingRequest);
});

test('a split planned and run through the worker copies both ranges, verified, with progress', async () => {
  const targets = SHARDS.map((database) => ({ name: 'target', host: topo.servers.target.host, port: topo.servers.target.port, user: topo.users.admin.user, database }));
  const plan = await worker.rpc.sendRequest(PartitionPlanRequest, { source: adminSpec(topo, topo.servers.primary), database: SRC, table: 't', targets });
  assert.ok(plan.ok, plan.ok ? '' : plan.message);
  assert.deepEqual(plan.map.ranges.map((r) => [r.from, r.to, r.rows]), [[null, '1', 2500], ['1', null, 2500]]);
  const pw = topo.users.admin.password;
  const passwords = { [`${topo.servers.primary.host}:${topo.servers.primary.port}`]: pw, [`${topo.servers.target.host}:${topo.servers.target.port}`]: pw };
  const summary = await worker.rpc.sendRequest(PartitionRunRequest, { runId, direction: 'split', map: plan.map, passwords });
  assert.equal(summary.state, 'done', summary.message);
  assert.equal(summary.map.state, 'split');
  assert.deepEqual(summary.verdicts.map((v) => [v.sourceRows, v.targetRows, v.match]), [[2500, 2500, true], [2500, 2500, true]]);
  const phases = progress.filter((p) => p.runId === runId && !p.rows).map((p) => `${p.range}:${p.phase}`);
  assert.deepEqual(phases, ['0:copying', '0:verified', '1:copying', '1:verified']);
  const [[lo]] = await target.query<RowDataPacket[]>(`SELECT MIN(id) AS a, MAX(id) AS b, COUNT(*) AS n FROM ${q(SHARDS[0])}.t`);
  const [[hi]] = await target.query<RowDataPacket[]>(`SELECT MIN(id) AS a, MAX(id) AS b, COUNT(*) AS n FROM ${q(SHARDS[1])}.t`);
  assert.deepEqual([String(lo.a), String(lo.b), Number(lo.n)], ['-2499', '0', 2500]);
  assert.deepEqual([String(hi.a), String(hi.b), Number(hi.n)], ['1', '2500', 2500]);
});
