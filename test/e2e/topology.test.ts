// The topology feature as a person uses it, in real VS Code (code-server) against the real MariaDB sandbox
// ($RW_SANDBOX_DIR): Add Profile through the quick inputs (password into SecretStorage), Discover Replicas,
// the Topology tree down to shop's tables, the lag status bar item through ok -> warning -> error -> ok with
// replication really stalled on replica1, and an unreachable server shown as an error node.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import type { Locator } from 'playwright-core';
import { adminConnect, loadSandbox, waitFor, type Topology } from '../support/sandbox';
import {
  answerInput,
  clearToasts,
  closedPort,
  expand,
  lagItem,
  lagSeconds,
  lagState,
  pickItem,
  roomyTopology,
  rowTexts,
  screenshotHover,
  startFlow,
  toast,
  treeRow,
  waitForLag,
} from './support/topologyUi';
import { Workbench } from './support/workbench';

const PROFILE = 'sandbox';
const BROKEN = 'offline-db';

let wb: Workbench;
let topo: Topology;
const addr = (s: { host: string; port: number }) => `${s.host}:${s.port}`;

before(async () => {
  topo = loadSandbox();
  wb = await Workbench.launch({ name: 'topology' });
});

after(async () => {
  await wb?.close();
});

/** Side bar rows are `label` + description; a row by its exact label. */
function rowByLabel(sidebar: Locator, label: string): Locator {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return sidebar.locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: exact }) }).first();
}

test('Add Profile through the quick inputs, Discover Replicas, and the tree shows servers, roles and shop tables', async (t) => {
  const { primary, replica1, replica2 } = topo.servers;
  const admin = topo.users.admin;
  await roomyTopology(wb);
  const sidebar = await wb.openViewContainer('RW Migrate');

  await startFlow(wb, 'RW Migrate: Add Profile');
  await answerInput(wb, 'Profile name', PROFILE);
  await answerInput(wb, 'Host name or IP address', primary.host);
  await answerInput(wb, 'Port', String(primary.port));
  await answerInput(wb, 'User name', admin.user);
  await answerInput(wb, `Password for ${admin.user}@${addr(primary)}`, admin.password);
  await toast(wb, `Profile "${PROFILE}" added.`, 'Discover Replicas');

  // Discover Replicas: a multi-select pick with every replica the primary knows, checked.
  for (const r of [replica1, replica2]) {
    await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: addr(r) }).waitFor({ state: 'visible', timeout: 30_000 });
  }
  await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
  // Each picked replica gets a name box titled with its address: name them as the sandbox does.
  for (let i = 1; i <= 2; i++) {
    const title = wb.page.locator('.quick-input-widget .quick-input-title', { hasText: `(${i} of 2)` });
    await title.waitFor({ state: 'visible', timeout: 15_000 });
    const name = (await title.innerText()).includes(addr(replica1)) ? 'replica1' : 'replica2';
    await answerInput(wb, 'A short label for the status bar and the tree', name);
  }
  await answerInput(wb, 'on the new replicas', ''); // empty: the primary's password
  const added = await toast(wb, /Added \d+ replica/);
  assert.match(added, /Added 2 replica\(s\) to sandbox/);

  const profileRow = rowByLabel(sidebar, PROFILE);
  await profileRow.waitFor({ state: 'visible', timeout: 30_000 });
  const primaryRow = rowByLabel(sidebar, addr(primary));
  const r1Row = rowByLabel(sidebar, 'replica1');
  const r2Row = rowByLabel(sidebar, 'replica2');
  // Server rows get their summary (version, lag) from the worker: wait until they say MariaDB.
  for (const row of [primaryRow, r1Row, r2Row]) {
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('server row with its version', async () => /MariaDB/.test(await row.innerText()), 30_000);
  }
  assert.match(await primaryRow.innerText(), /primary/);
  assert.match(await r1Row.innerText(), /replica/);
  assert.match(await r2Row.innerText(), /replica/);

  await expand(primaryRow);
  const shopRow = rowByLabel(sidebar, 'shop');
  await expand(shopRow);
  const customers = rowByLabel(sidebar, 'customers');
  await customers.waitFor({ state: 'visible', timeout: 30_000 });
  const auditLog = rowByLabel(sidebar, 'audit_log');
  await auditLog.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await customers.innerText(), /~\d+(\.\d+)?k? rows/);
  assert.doesNotMatch(await customers.innerText(), /no primary key/);
  assert.match(await auditLog.innerText(), /~\d+(\.\d+)?k? rows .*no primary key/s);
  assert.ok(await auditLog.locator('.codicon-warning').count(), 'audit_log has no warning icon');

  await clearToasts(wb);
  const texts = await rowTexts(sidebar);
  for (const line of texts) t.diagnostic(`row: ${line}`);
  await wb.screenshot('topology-tree');
});

test('Set Active Profile: the status bar shows the ok lag', async (t) => {
  await startFlow(wb, 'RW Migrate: Set Active Profile');
  await pickItem(wb, PROFILE);
  const ok = await waitForLag(wb, 'an ok lag in seconds', (s) => s.kind === 'ok' && /\d+(\.\d+)?s/.test(s.text), 60_000);
  t.diagnostic(`ok: "${ok.text}" classes="${ok.classes}" background=${ok.background}`);
  assert.doesNotMatch(ok.classes, /warning-kind|error-kind/);
  const sidebar = await wb.openViewContainer('RW Migrate');
  assert.match(await rowByLabel(sidebar, PROFILE).innerText(), /active/);
  await wb.screenshot('statusbar-ok');
});

test('replication stalled on replica1: warning above 1 s, error above 10 s, stopped SQL thread, recovery', async (t) => {
  const { primary, replica1 } = topo.servers;
  // The heartbeat lag source, set up like a user does it.
  await startFlow(wb, 'RW Migrate: Set Up Heartbeat');
  await answerInput(wb, 'heartbeat', 'rw_migrate');
  t.diagnostic(await toast(wb, /Heartbeat ready/));
  await clearToasts(wb);
  const seen: string[] = [];
  await waitForLag(wb, 'ok from the heartbeat', (s) => s.kind === 'ok' && /\d+(\.\d+)?s/.test(s.text), 60_000, seen);

  const p = await adminConnect(primary);
  const primaryId = ((await p.query('SELECT @@server_id AS id')) as unknown as [{ id: number }[]])[0][0].id;
  await p.end();
  let r1: Connection | null = await adminConnect(replica1);
  const sql = await adminConnect(replica1);
  try {
    await waitFor('the heartbeat row on replica1', async () => {
      const [rows] = (await r1!.query('SELECT ts FROM rw_migrate.heartbeat WHERE server_id = ?', [primaryId])) as unknown as [{ ts: string }[]];
      return rows.length > 0;
    }, 30_000);
    // Hold the heartbeat row's lock on replica1: its SQL thread waits on the next heartbeat UPDATE (IO thread
    // keeps receiving), while the lag probe's plain SELECT still reads the last applied ts.
    await r1.query('START TRANSACTION');
    await r1.query('SELECT * FROM rw_migrate.heartbeat WHERE server_id = ? FOR UPDATE', [primaryId]);
    const stallAt = Date.now();

    const warn = await waitForLag(wb, 'warning with lag between 1 s and 10 s', (s) => {
      const l = lagSeconds(s.text);
      return s.kind === 'warning' && l !== null && l > 1 && l < 10;
    }, 30_000, seen);
    t.diagnostic(`warning after ${((Date.now() - stallAt) / 1000).toFixed(1)} s: "${warn.text}" background=${warn.background}`);
    // The tree repaints replica1 from the same lag update: warning icon and the reason in its description.
    const sidebar = await wb.openViewContainer('RW Migrate');
    const r1Row = rowByLabel(sidebar, 'replica1');
    await waitFor('replica1 row in warning', async () => (await r1Row.locator('.codicon-warning').count()) > 0, 10_000);
    t.diagnostic(`replica1 row: ${(await r1Row.innerText()).replace(/\s+/g, ' ')}`);
    await wb.screenshot('statusbar-warning');

    const err = await waitForLag(wb, 'error with lag above 10 s', (s) => {
      const l = lagSeconds(s.text);
      return s.kind === 'error' && l !== null && l > 10;
    }, 40_000, seen);
    t.diagnostic(`error after ${((Date.now() - stallAt) / 1000).toFixed(1)} s: "${err.text}" background=${err.background}`);
    assert.notEqual(err.background, warn.background, 'warning and error render with the same background');
    await wb.screenshot('statusbar-error');
    const hover = await screenshotHover(wb, lagItem(wb), 'statusbar-error-tooltip');
    t.diagnostic(`tooltip: ${hover.text.replace(/\n+/g, ' / ')}`);
    assert.match(hover.text, /replica1.*lag \d+(\.\d)?s.*> 10s/s);
    assert.ok(hover.text.includes('replica2'), 'the tooltip lists replica2 as well');
  } finally {
    await r1?.query('ROLLBACK').catch(() => {});
    await r1?.end().catch(() => {});
    r1 = null;
  }
  const back = await waitForLag(wb, 'ok after the lock is released', (s) => s.kind === 'ok' && /\d+(\.\d+)?s/.test(s.text), 60_000, seen);
  t.diagnostic(`recovered from the stall: "${back.text}"`);

  // A stopped SQL thread is an error with its reason, not a lag number.
  try {
    await sql.query('STOP SLAVE SQL_THREAD');
    const stopped = await waitForLag(wb, 'error naming the stopped SQL thread', (s) => s.kind === 'error' && /SQL stopped/.test(s.text), 30_000, seen);
    t.diagnostic(`SQL thread stopped: "${stopped.text}"`);
    assert.match(stopped.text, /replica1/);
    await wb.screenshot('statusbar-sql-stopped');
    const hover = await screenshotHover(wb, lagItem(wb), 'statusbar-sql-stopped-tooltip');
    t.diagnostic(`tooltip: ${hover.text.replace(/\n+/g, ' / ')}`);
    assert.match(hover.text, /SQL thread stopped/);
  } finally {
    await sql.query('START SLAVE SQL_THREAD').catch(() => {});
    await sql.end().catch(() => {});
  }
  const recovered = await waitForLag(wb, 'ok after START SLAVE SQL_THREAD', (s) => s.kind === 'ok' && /\d+(\.\d+)?s/.test(s.text), 60_000, seen);
  t.diagnostic(`recovered: "${recovered.text}"; states seen: ${seen.join(' | ')}`);
  assert.doesNotMatch(recovered.classes, /warning-kind|error-kind/);
  await wb.screenshot('statusbar-recovered');
});

test('a profile whose server does not answer shows an error node with the reason, not an empty tree', async (t) => {
  const port = await closedPort();
  const sidebar = await wb.openViewContainer('RW Migrate');
  await startFlow(wb, 'RW Migrate: Add Profile');
  await answerInput(wb, 'Profile name', BROKEN);
  await answerInput(wb, 'Host name or IP address', '127.0.0.1');
  await answerInput(wb, 'Port', String(port));
  await answerInput(wb, 'User name', 'rwadmin');
  await answerInput(wb, 'Password for', 'whatever');
  await toast(wb, `Profile "${BROKEN}" added.`);
  await clearToasts(wb);

  const server = rowByLabel(sidebar, `127.0.0.1:${port}`);
  await server.waitFor({ state: 'visible', timeout: 30_000 });
  await waitFor('the server row to show its error', async () => /refused|unreachable|ECONNREFUSED|connect/i.test(await server.innerText()), 30_000);
  t.diagnostic(`server row: ${(await server.innerText()).replace(/\s+/g, ' ')}`);
  assert.ok(await server.locator('.codicon-error').count(), 'the unreachable server has no error icon');
  await expand(server);
  const errorRow = treeRow(sidebar, /Test connection/);
  await errorRow.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await errorRow.innerText()).replace(/\s+/g, ' ');
  t.diagnostic(`error node: ${text}`);
  assert.match(text, new RegExp(`refused|unreachable|${port}`, 'i'));
  // The working profile is still there next to it.
  await rowByLabel(sidebar, PROFILE).waitFor({ state: 'visible' });
  assert.ok((await lagState(wb)).text.length > 0);
  await wb.screenshot('topology-error-node');
});
