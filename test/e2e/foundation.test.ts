// Layer 4, first slice: the packaged extension in a real workbench, as a user sees it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Workbench } from './support/workbench';

let wb: Workbench;

before(async () => {
  wb = await Workbench.launch({ name: 'foundation' });
});

after(async () => {
  await wb?.close();
});

test('the RW Migrate view container shows the Topology view and its welcome', async () => {
  const sidebar = await wb.openViewContainer('RW Migrate');
  // The container has a single view, so VS Code hides its pane header; the view is still there by name.
  await sidebar.locator('.pane-header[aria-label^="Topology"]').waitFor({ state: 'attached', timeout: 15_000 });
  const welcome = sidebar.locator('.welcome-view-content');
  await welcome.getByText('No connection profile yet.').waitFor({ state: 'visible', timeout: 15_000 });
  const addProfile = welcome.locator('.monaco-button', { hasText: 'Add Profile' });
  await addProfile.waitFor({ state: 'visible' });
  await wb.screenshot('foundation-topology-welcome');
});

test('Show Worker Info shows the worker process and that it is ready', async () => {
  await wb.runCommand('RW Migrate: Show Worker Info');
  const frame = await wb.webviewFrame({ hasText: 'Worker ready', timeoutMs: 30_000 });
  const text = await frame.locator('body').innerText();
  const m = /(?:\bpid\b|process id)\D{0,20}(\d+)/i.exec(text);
  assert.ok(m, `no pid in the worker info webview:\n${text}`);
  const pid = Number(m[1]);
  assert.ok(wb.descendsFromServer(pid), `pid ${pid} shown by the webview is not a live process started under code-server (pid ${wb.server.pid})`);
  await wb.screenshot('foundation-worker-info');
});

test('no error notification was raised', async (t) => {
  const toasts = await wb.notifications();
  const all = await wb.notifications({ center: true });
  for (const n of all) t.diagnostic(`notification (${n.severity}): ${n.text}`);
  const errors = [...toasts, ...all].filter((n) => n.severity === 'error');
  await wb.screenshot('foundation-notifications');
  assert.deepEqual(errors, [], `error notifications: ${errors.map((e) => e.text).join(' | ')}`);
});
