// The progress and diff pages in a real browser (Chromium) under the webview CSP, fed the typed host
// messages a job produces; screenshots in dark, light and high-contrast themes. The workbench e2e drives real jobs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ProgressHostMessage, ProgressSample, ProgressSnapshot } from '../../src/protocol/index.js';
import { sampleVerifyReport } from '../unit/diffFixture';
import { JobProgressStore } from '../../src/jobs/progressStore';
import { hybridEvents, stream } from '../unit/hybridFixture';
import { PageHarness, REPO, type Theme } from './support/pageHarness';

let harness: PageHarness;

before(async () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
  harness = await PageHarness.launch();
});

after(async () => {
  await harness?.close();
});

const T0 = Date.UTC(2026, 0, 12, 9, 30);

function progressHistory(): ProgressSample[] {
  // A minute of copying: rate ramps up, the replica falls behind after 40 s and the copy is throttled.
  return Array.from({ length: 60 }, (_, i) => ({
    t: T0 + i * 1000,
    rowsPerSecond: i < 40 ? Math.min(9000, 2000 + i * 400) + (i % 3) * 250 : 1200 + (i % 4) * 100,
    lagSeconds: i < 38 ? (i % 5 === 0 ? 0.2 : 0) : Math.min(3, (i - 37) * 0.5),
  }));
}

function progressSnapshot(over: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    jobId: 'a3f9c2e1',
    state: 'copying',
    startedAt: T0 - 5_000,
    updatedAt: T0 + 59_000,
    rows: 450_000,
    bytes: 96_000_000,
    totalRows: 1_000_000,
    totalIsEstimate: true,
    rowsPerSecond: 1_250,
    etaSeconds: 440,
    table: 'shop.orders',
    chunk: 91,
    chunkRows: 5_000,
    tablesTotal: 6,
    tablesDone: 3,
    throttle: { throttled: true, reason: 'replica1: lag 3 s > 1 s' },
    throttledMs: 19_000,
    errors: [],
    ...over,
  };
}

async function openProgress(theme: Theme) {
  const p = await harness.open('progress', { theme });
  assert.deepEqual(await p.sent(), [{ type: 'ready' }], 'the page says ready first');
  const snapshot: ProgressHostMessage = { type: 'snapshot', snapshot: progressSnapshot(), history: progressHistory() };
  await p.post(snapshot);
  return p;
}

test('progress page: bar, estimate, throttle reason, chart and controls', async () => {
  const p = await openProgress('dark');
  const text = await p.page.locator('body').innerText();
  for (const expected of ['Copy job a3f9c2e1', 'Copying', '45.0%', '450,000 of ~1,000,000 rows (estimated total)', 'Throttled: replica1: lag 3 s > 1 s', 'Table shop.orders (3 of 6 tables done)', 'Chunk 91: 5,000 rows', 'ETA: about 7 min 20 s']) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
  const bar = p.page.getByRole('progressbar', { name: 'Rows copied' });
  assert.equal(await bar.getAttribute('aria-valuenow'), '45.0');
  assert.equal(await p.page.locator('.chart canvas').count(), 1, 'uPlot drew its canvas');
  assert.deepEqual(await p.cspViolations(), [], 'no CSP violation (stylesheets are adopted, not inline)');
  // The uPlot stylesheet is applied (adoptedStyleSheets pass the CSP): its legend is a table row layout.
  const legend = await p.page.locator('.u-legend').evaluate((e) => getComputedStyle(e).fontSize);
  assert.ok(legend, 'legend styled');
  await p.screenshot('progress-dark');

  // Keyboard: Tab reaches Pause; Enter sends it once and disables it until the next update.
  await p.page.getByRole('button', { name: 'Pause the copy job' }).focus();
  await p.page.keyboard.press('Enter');
  const sent = await p.sent();
  assert.deepEqual(sent.slice(1), [{ type: 'pause' }]);
  assert.equal(await p.page.getByRole('button', { name: 'Pause the copy job' }).isDisabled(), true);
  await p.post({ type: 'update', snapshot: progressSnapshot({ state: 'paused', throttle: { throttled: false } }), samples: [] });
  assert.equal(await p.page.getByRole('button', { name: 'Resume the copy job' }).isEnabled(), true);
  await p.page.getByRole('button', { name: 'Resume the copy job' }).click();
  await p.page.getByRole('button', { name: 'Cancel the copy job' }).click();
  assert.deepEqual((await p.sent()).slice(2), [{ type: 'resume' }, { type: 'cancel' }]);
  await p.page.close();
});

test('progress page: finished job in the light theme, state restored after a reload', async () => {
  const p = await openProgress('light');
  await p.post({
    type: 'update',
    snapshot: progressSnapshot({ rows: 452_000, throttle: { throttled: false } }),
    samples: [{ t: T0 + 60_000, rowsPerSecond: 4000, lagSeconds: 0.5 }],
  });
  assert.ok((await p.page.locator('body').innerText()).includes('Not throttled'));
  await p.screenshot('progress-light');
  const result = { jobId: 'a3f9c2e1', state: 'done' as const, rows: 1_000_000, bytes: 210_000_000, seconds: 140 };
  await p.post({ type: 'finished', snapshot: progressSnapshot({ state: 'done', rows: 1_000_000, result, throttle: { throttled: false } }), result });
  const done = await p.page.locator('body').innerText();
  for (const expected of ['Done', '100.0%', '1,000,000 rows copied', 'Took 2 min 20 s', 'Throttled for 19 s in total']) {
    assert.ok(done.includes(expected), `missing "${expected}" in:\n${done}`);
  }
  assert.equal(await p.page.getByRole('button', { name: 'Pause the copy job' }).isVisible(), false, 'no controls once finished');
  await p.screenshot('progress-light-finished');
  // A window reload: VS Code hands the page its saved state; it renders before the host replays.
  const saved = (await p.state()) as { snapshot: ProgressSnapshot; history: ProgressSample[] };
  assert.equal(saved.history.length, 61);
  const reloaded = await harness.open('progress', { theme: 'light', state: saved });
  const restored = await reloaded.page.locator('body').innerText();
  assert.ok(restored.includes('1,000,000 rows copied'), `restored page:\n${restored}`);
  await p.page.close();
  await reloaded.page.close();
});

/**
 * A hybrid job's host messages, made by the extension's own progress store from the events the engine
 * sends (a snapshot copy, catching up, in sync), with a minute of the stream on the chart.
 */
function hybridMessages(): { catchingUp: ProgressHostMessage; inSync: ProgressHostMessage } {
  let now = T0;
  const store = new JobProgressStore({ clock: () => now, schedule: () => ({ cancel() {} }) });
  store.begin('h7c01', null, now, 'hybrid');
  const sent: ProgressHostMessage[] = [];
  store.subscribe('h7c01', (m) => sent.push(m));
  for (const e of hybridEvents('h7c01', false)) {
    now += 1_000;
    store.ingest(e, now);
  }
  // A minute of catching up: the delay falls from 6 s to about a second.
  for (let i = 0; i < 60; i++) {
    now += 1_000;
    store.ingest(stream('h7c01', 10_000 + i * 3_000, Math.max(1.2, 6 - i * 0.1), { eventsPerSecond: 3_000 + (i % 5) * 200, behindEvents: Math.max(40, 9_000 - i * 150) }), now);
  }
  const catchingUp = store.replay('h7c01') as ProgressHostMessage;
  now += 1_000;
  store.ingest({ type: 'phase', jobId: 'h7c01', phase: 'in-sync' }, now);
  now += 1_000;
  store.ingest(stream('h7c01', 190_000, 0.4, { eventsPerSecond: 1_250, behindEvents: 3 }), now);
  const inSync = sent[sent.length - 1];
  return { catchingUp, inSync };
}

/** The panel's text without the chart (its legend names the series, "events/s" among them). */
async function panelText(page: Page): Promise<string> {
  return (await page.locator('#app > :not(.chart):visible').allInnerTexts()).join('\n');
}

/** A stream phase: the events rate once (the Applying line), no rows/s and no chunk (the snapshot copy is over). */
function assertStreamLines(panel: string, body: string): void {
  assert.equal(panel.split('events/s').length - 1, 1, `events/s once in:\n${panel}`);
  assert.doesNotMatch(panel, /rows\/s/);
  assert.doesNotMatch(body, /Chunk/);
}

test('progress page: a hybrid job shows its phase, the delay and events/s; Cut Over is enabled only in sync', async () => {
  const { catchingUp, inSync } = hybridMessages();
  const p = await harness.open('progress', { theme: 'dark', height: 900 });
  assert.deepEqual(await p.sent(), [{ type: 'ready' }]);
  await p.post(catchingUp);
  const page = p.page;
  let text = await page.locator('body').innerText();
  for (const expected of ['Hybrid job h7c01', 'Catching up (3 of 6)', '1.2 s behind the source', '3,800 events/s', 'events behind', 'Cut Over is offered once the target is in sync with the source.', '3 of 3 tables copied']) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
  const cutover = page.getByRole('button', { name: 'Cut over to the target' });
  assert.equal(await cutover.isVisible(), true, 'a hybrid job has the Cut Over button');
  assert.equal(await cutover.isDisabled(), true, 'disabled while catching up');
  assert.equal(await page.locator('.chart canvas').count(), 1);
  // The chart's legend names the two hybrid series.
  const legend = await page.locator('.u-legend').innerText();
  assert.match(legend, /events\/s/);
  assert.match(legend, /behind source \(s\)/);
  assertStreamLines(await panelText(page), text);
  // The job's and the change stream's lists share one label width: their values start at one x.
  const valueX = await page.locator('dl.stats dd:visible').evaluateAll((dds) => dds.map((d) => Math.round(d.getBoundingClientRect().left)));
  assert.equal(new Set(valueX).size, 1, `values at x ${valueX.join(', ')}`);
  await p.screenshot('progress-hybrid-catching-up');

  await p.post(inSync);
  text = await page.locator('body').innerText();
  for (const expected of ['Running', '100.0%', '30,000 rows copied in the snapshot', 'In sync (4 of 6)', '0.4 s behind the source', '1,250 events/s', '3 events behind', 'mariadb-bin.000004:1238576']) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
  assertStreamLines(await panelText(page), text);
  assert.equal(await cutover.isEnabled(), true, 'enabled in sync');
  assert.deepEqual(await p.cspViolations(), []);
  await p.screenshot('progress-hybrid-in-sync');
  await cutover.click();
  assert.deepEqual((await p.sent()).slice(1), [{ type: 'cutover' }]);
  assert.equal(await cutover.isDisabled(), true, 'disabled until the host answers');
  await page.close();
});

test('progress page: a full copy has no Cut Over button and no phase line', async () => {
  const p = await openProgress('dark');
  assert.equal(await p.page.getByRole('button', { name: 'Cut over to the target' }).isVisible(), false);
  assert.equal(await p.page.locator('.phase').isVisible(), false);
  assert.equal(await p.page.locator('.stream').isVisible(), false);
  await p.page.close();
});

test('diff page: mismatches first, sorting, filter, drill-down with differing columns, repair request', async () => {
  const p = await harness.open('diff', { theme: 'dark', height: 900 });
  assert.deepEqual(await p.sent(), [{ type: 'ready' }]);
  await p.post({ type: 'report', report: sampleVerifyReport() });
  const page = p.page;
  const statuses = () => page.locator('table.tables tbody tr td:last-child .status').allInnerTexts();
  assert.deepEqual(await statuses(), ['Error', 'Mismatch', 'Mismatch', 'Not checked', 'Match', 'Match']);
  assert.ok((await page.locator('body').innerText()).includes('6 tables: 2 match, 2 mismatch, 1 error, 1 not checked.'));
  // Sort by table name from the keyboard: headers are buttons.
  await page.getByRole('button', { name: 'Sort by Table' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('th[aria-sort="ascending"]').innerText(), 'Table');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sort-table', 'focus stays on the header');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
  assert.equal(await page.locator('table.tables tbody tr td:first-child').first().innerText(), 'sessions');
  // Filter to mismatches (and errors).
  await page.getByLabel('Mismatches only').check();
  assert.equal(await page.locator('table.tables tbody tr').count(), 3);
  assert.equal((await statuses()).filter((s) => s === 'Mismatch').length, 2);
  // Drill into orders.
  await page.getByRole('button', { name: 'Show the differences in orders' }).click();
  const detail = page.getByRole('region', { name: 'Differences in orders' });
  const text = await detail.innerText();
  for (const expected of ['orders: mismatch', '2 of 3 key ranges differ.', '(10000 … 20000]', 'Missing on the target (3)', '10017', 'Extra on the target (1)', '19999', 'Different (2)', 'shipped', 'pending', '0xc3a9']) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
  const src = detail.locator('td.src', { hasText: 'shipped' });
  const bg = await src.evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'differing source value is highlighted');
  assert.deepEqual(await p.cspViolations(), []);
  await p.screenshot('diff-mismatch-dark');
  await page.getByRole('button', { name: 'Repair orders…' }).click();
  await page.getByRole('button', { name: /Repair the mismatched tables/ }).click();
  await page.getByRole('button', { name: 'Verify Again' }).click();
  assert.deepEqual((await p.sent()).slice(1), [
    { type: 'repair', tables: ['orders'] },
    { type: 'repair', tables: ['orders', 'order_items'] },
    { type: 'verifyAgain' },
  ]);
  await p.post({ type: 'busy', busy: true, message: 'Verifying again…' });
  assert.equal(await page.getByRole('button', { name: 'Verify Again' }).isDisabled(), true);
  // The view choices survive a reload with the saved state.
  const saved = (await p.state()) as { ui: { selected: string; mismatchesOnly: boolean } };
  assert.equal(saved.ui.selected, 'orders');
  assert.equal(saved.ui.mismatchesOnly, true);
  await page.close();
});

test('diff page: a clean report in the light theme', async () => {
  const report = sampleVerifyReport();
  report.tables = report.tables.filter((t) => t.status === 'match');
  report.clean = true;
  report.summary = { match: 2, mismatch: 0, notChecked: 0, error: 0 };
  report.rowsChecked = 2 * (20_000 + 5_000);
  const p = await harness.open('diff', { theme: 'light' });
  await p.post({ type: 'report', report });
  assert.equal(await p.page.locator('table.tables tbody tr').count(), 2);
  assert.ok((await p.page.locator('body').innerText()).includes('2 tables: 2 match, 0 mismatch. 50,000 rows checked'));
  const nothing = p.page.getByRole('button', { name: /Nothing to repair/ });
  assert.equal(await nothing.isDisabled(), true);
  assert.equal(await nothing.innerText(), 'Nothing to repair');
  await p.screenshot('diff-light');
  await p.page.close();
});

test('diff page: a replica target shows why Repair is not offered, and no enabled Repair button', async () => {
  const refusal = 'Repair refused: replica1 (127.0.0.1:3307) is a replica or read-only (it replicates from 127.0.0.1:3306). Nothing was written. Fix a replica from its primary instead: re-clone it from the primary.';
  const p = await harness.open('diff', { theme: 'dark', height: 900 });
  await p.post({ type: 'report', report: { ...sampleVerifyReport(), repairRefusal: refusal } });
  const page = p.page;
  assert.equal(await page.getByRole('note').innerText(), refusal);
  assert.equal(await page.getByRole('button', { name: /Repair the mismatched tables/ }).count(), 0);
  const notOffered = page.getByRole('button', { name: /Repair is not offered/ });
  assert.equal(await notOffered.isDisabled(), true);
  await page.getByRole('button', { name: 'Show the differences in orders' }).click();
  const inDetail = page.getByRole('region', { name: 'Differences in orders' }).getByRole('button', { name: 'Repair not offered' });
  assert.equal(await inDetail.isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Repair orders…' }).count(), 0);
  assert.deepEqual(await p.cspViolations(), []);
  await p.screenshot('diff-replica-refused');
  await page.close();
});

test('both pages in the high-contrast theme: contrast borders on buttons and bars, the focus ring in focusBorder', async () => {
  const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  const p = await openProgress('high-contrast');
  const page = p.page;
  assert.equal(await page.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(0, 0, 0)');
  const pause = page.getByRole('button', { name: 'Pause the copy job' });
  assert.equal(await pause.evaluate((b) => getComputedStyle(b).borderTopColor), rgb('#6fc3df'), 'buttons carry the contrast border');
  assert.equal(await page.locator('.bar').evaluate((b) => getComputedStyle(b).borderTopColor), rgb('#6fc3df'), 'the progress bar is outlined');
  await pause.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const outline = await pause.evaluate((b) => `${getComputedStyle(b).outlineStyle} ${getComputedStyle(b).outlineColor}`);
  assert.equal(outline, `solid ${rgb('#f38518')}`, 'keyboard focus shows in focusBorder');
  assert.deepEqual(await p.cspViolations(), []);
  await p.screenshot('progress-high-contrast');
  await page.close();

  const d = await harness.open('diff', { theme: 'high-contrast', height: 900 });
  await d.post({ type: 'report', report: sampleVerifyReport() });
  const text = await d.page.locator('body').innerText();
  assert.ok(text.includes('6 tables: 2 match, 2 mismatch, 1 error, 1 not checked.'), text);
  const repair = d.page.getByRole('button', { name: /Repair the mismatched tables/ });
  assert.equal(await repair.evaluate((b) => getComputedStyle(b).borderTopColor), rgb('#6fc3df'));
  await d.screenshot('diff-high-contrast');
  await d.page.close();
});
