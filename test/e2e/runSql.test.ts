// Run SQL from the editor in real VS Code (code-server) against the real sandbox: a .sql file with a
// 100,000-row query runs on a replica through the worker; the results grid shows the server, its lag and why,
// and scrolls to rows far down (fetched page by page from the worker); Run SQL on Primary overrides the route.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSandbox, type SandboxServer, type Topology } from '../support/sandbox';
import { pickExact, setSandboxPasswords, shotOnFailure, startExact, waitFrameText } from './support/pathsUi';
import { clearToasts, pickItem } from './support/topologyUi';
import { Workbench } from './support/workbench';

let wb: Workbench;
let topo: Topology;
const PROFILE = 'sandbox';
const server = (s: SandboxServer, name: string) => ({ name, host: s.host, port: s.port, user: topo.users.admin.user });

before(async () => {
  topo = loadSandbox();
  const { primary, replica1, replica2 } = topo.servers;
  wb = await Workbench.launch({
    name: 'runsql',
    userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.autoDetectColorScheme': false },
    workspaceSettings: {
      'rwMigrate.profiles': [
        { name: PROFILE, primary: server(primary, 'primary'), replicas: [server(replica1, 'replica1'), server(replica2, 'replica2')] },
        // A second profile, so the flows ask which one (as they do for most users).
        { name: 'sandbox-target', primary: server(topo.servers.target, 'target'), target: true },
      ],
      'rwMigrate.maxStalenessSeconds': 5,
    },
    viewport: { width: 1600, height: 1000 },
  });
  writeFileSync(join(wb.workspace, 'big.sql'), "-- 100,000 rows from MariaDB's SEQUENCE engine\nSELECT seq AS id, CONCAT('row ', seq) AS label, seq * 2 AS twice\n  FROM shop.seq_1_to_100000;\n");
});

after(async () => {
  await wb?.close();
});

async function openFile(name: string): Promise<void> {
  await wb.page.keyboard.press('Escape');
  await wb.page.keyboard.press('Control+P');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await pickItem(wb, name);
  await wb.page.locator('.monaco-editor .view-lines', { hasText: 'seq_1_to_100000' }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

test('password and active profile, as a user sets them', async () => shotOnFailure(wb, 'runsql-setup', async () => {
  const { admin } = topo.users;
  await wb.openViewContainer('RW Migrate');
  await setSandboxPasswords(wb, admin.user, admin.password, PROFILE);
  await startExact(wb, 'RW Migrate: Set Active Profile');
  await pickExact(wb, PROFILE);
  await clearToasts(wb);
}));

test('Run SQL: 100,000 rows from a replica; the grid shows server, lag and why, and scrolls far down', async (t) => shotOnFailure(wb, 'runsql-100k', async () => {
  await openFile('big.sql');
  const started = Date.now();
  await wb.runCommand('RW Migrate: Run SQL');
  const frame = await wb.webviewFrame({ hasText: /Run SQL: sandbox/, timeoutMs: 60_000 });
  await frame.locator('.tabulator-row', { hasText: 'row 1' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  t.diagnostic(`first rows visible ${Date.now() - started} ms after the command`);
  const text = await waitFrameText(frame, /\b100,000 rows\b(?! so far)/, 30_000);
  assert.match(text, /replica[12] \(replica, lag \d+\.\ds\)/, text);
  assert.match(text, /Why: read-only query; (least )?lag \d+\.\ds within maxStalenessSeconds 5s/);
  await wb.screenshot('run-sql-100k');

  const holder = frame.locator('.tabulator-tableholder');
  await holder.evaluate((e) => (e.scrollTop = e.scrollHeight * 0.9));
  const label = frame.locator('.tabulator-row .tabulator-cell[tabulator-field="c1"]', { hasText: /^row (8[5-9]|9\d)\d{3}$/ }).first();
  await label.waitFor({ state: 'visible', timeout: 30_000 });
  const n = Number(/row (\d+)/.exec(await label.innerText())?.[1]);
  assert.ok(n > 85_000, `row ${n} is far down`);
  // The row's other cells came from the worker's page too: twice = 2 * id.
  const twice = label.locator('xpath=..').locator('.tabulator-cell[tabulator-field="c2"]');
  assert.equal(await twice.innerText(), String(n * 2));
  await wb.screenshot('run-sql-100k-scrolled');
}));

test('Run SQL on Primary: the same statement on the primary, saying it was the override', async () => shotOnFailure(wb, 'runsql-primary', async () => {
  await openFile('big.sql');
  await wb.runCommand('RW Migrate: Run SQL on Primary');
  const frame = await wb.webviewFrame({ hasText: /Run on Primary: sandbox/, timeoutMs: 60_000 });
  // The result streams: wait for the final count, not just the first page.
  const text = await waitFrameText(frame, /\b100,000 rows\b(?! so far)/, 30_000);
  assert.match(text, /Why: Run on Primary \(override\)/);
  assert.match(text, /primary override/);
  assert.match(text, /\bprimary\b.*100,000 rows/s);
}));
