// The SQL results page in a real browser (Chromium) under the webview CSP, with the test playing the host:
// a 100,000-row result whose rows are served in pages as the grid asks for them, as the worker does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Cell, SqlResultsPageMessage, SqlRunResult, SqlStatementResult } from '../../src/protocol/index.js';
import { PageHarness, REPO, type OpenPage } from './support/pageHarness';

let harness: PageHarness;
const ROWS = 100_000;

before(async () => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
  harness = await PageHarness.launch();
});

after(async () => {
  await harness?.close();
});

const row = (i: number): Cell[] => [i + 1, `row ${i + 1}`, i % 7 === 0 ? null : `note ${i % 13}`];

function statement(over: Partial<SqlStatementResult>): SqlStatementResult {
  return {
    index: 0, text: 'SELECT 1', classified: 'replica', route: 'replica', server: 'replica1', lagSeconds: 0.4, reason: 'read-only query; least lag 0.4s within maxStalenessSeconds 5s',
    columns: [], rowCount: 0, truncated: false, complete: true, affectedRows: null, insertId: null, elapsedMs: 12, error: null, resultId: null, firstRows: [], ...over,
  };
}

function bigRun(): SqlRunResult {
  return {
    profile: 'sandbox',
    forcePrimary: false,
    startedAt: Date.UTC(2026, 10, 29, 10, 0),
    statements: [
      statement({ index: 0, text: "SET NAMES utf8mb4", classified: 'primary', route: 'primary', server: 'primary', lagSeconds: null, reason: 'session setting: runs on the primary and is replayed on every replica connection of the session', affectedRows: 0 }),
      statement({
        index: 1, text: 'SELECT seq AS id, CONCAT(\'row \', seq) AS label, note FROM big', columns: ['id', 'label', 'note'], rowCount: ROWS, resultId: 'r7', elapsedMs: 412,
        firstRows: Array.from({ length: 200 }, (_, i) => row(i)),
        reason: 'read-only query; least lag 0.4s within maxStalenessSeconds 5s; passed over replica2: stopped (IO thread stopped, SQL thread stopped)',
      }),
    ],
  };
}

/** Answers the page's row requests like the host (from the worker's kept result), until stopped. */
function servePages(p: OpenPage): { stop(): void; served: number[] } {
  let seen = 0;
  let running = true;
  const served: number[] = [];
  void (async () => {
    while (running) {
      const sent = (await p.sent().catch(() => [])) as SqlResultsPageMessage[];
      for (const m of sent.slice(seen)) {
        if (m.type !== 'rows') continue;
        served.push(m.offset);
        const rows = Array.from({ length: Math.max(0, Math.min(m.limit, ROWS - m.offset)) }, (_, k) => row(m.offset + k));
        await p.post({ type: 'rows', requestId: m.requestId, resultId: m.resultId, offset: m.offset, rows }).catch(() => undefined);
      }
      seen = sent.length;
      // Wait for the page's next message (a page of rows it asks for), not for a fixed time.
      await p.page
        .waitForFunction((n) => ((window as unknown as { __sent?: unknown[] }).__sent?.length ?? 0) > n, seen, { timeout: 1_000 })
        .catch(() => undefined);
    }
  })();
  return { stop: () => (running = false), served };
}

test('100,000 rows: the grid shows the server, lag and why; scrolling far down loads and shows those rows; no CSP violation', async () => {
  const p = await harness.open('sqlResults', { theme: 'dark', width: 1100, height: 800 });
  assert.deepEqual(await p.sent(), [{ type: 'ready' }]);
  const pages = servePages(p);
  try {
    await p.post({ type: 'run', run: bigRun() });
    const text = await p.page.locator('body').innerText();
    for (const expected of ['Run SQL: sandbox (2 statements)', 'replica1 (replica, lag 0.4s)', '100,000 rows', 'Why: read-only query; least lag 0.4s', 'passed over replica2: stopped', 'primary']) {
      assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
    }
    await p.page.locator('.tabulator-row', { hasText: 'row 1' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok((await p.page.locator('.tabulator-row').count()) < 200, 'virtual: only rows in view are in the DOM');
    await p.screenshot('sql-results-dark');

    const holder = p.page.locator('.tabulator-tableholder');
    await holder.evaluate((e) => (e.scrollTop = e.scrollHeight * 0.9));
    const far = p.page.locator('.tabulator-row', { hasText: /row (8[5-9]|9\d)\d{3}(?!\d)/ }).first();
    await far.waitFor({ state: 'visible', timeout: 15_000 });
    const label = await far.innerText();
    const n = Number(/row (\d+)/.exec(label)?.[1]);
    assert.ok(n > 85_000 && n < 95_000, `row ${n} is far down`);
    assert.ok(pages.served.some((o) => o >= 85_000), `pages served: ${pages.served.join(',')}`);
    assert.ok(pages.served.length < 10, `only the pages in view were asked for: ${pages.served.length}`);
    await holder.evaluate((e) => (e.scrollTop = e.scrollHeight));
    await p.page.locator('.tabulator-row', { hasText: 'row 100000' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(await p.page.locator('.tabulator-row .null').first().isVisible(), 'NULL is shown as NULL');
    await p.screenshot('sql-results-scrolled');
    assert.deepEqual(await p.cspViolations(), []);

    await p.page.getByRole('button', { name: /Export the 100000 rows as CSV/ }).click();
    await p.page.getByText('SET NAMES utf8mb4').click();
    assert.ok((await p.page.locator('.detail').innerText()).includes('Why: session setting'));
    const sent = (await p.sent()) as SqlResultsPageMessage[];
    assert.deepEqual(sent.filter((m) => m.type === 'export'), [{ type: 'export', resultId: 'r7', format: 'csv' }]);
  } finally {
    pages.stop();
    await p.page.close();
  }
});

test('light theme, an error and a write', async () => {
  const p = await harness.open('sqlResults', { theme: 'light', width: 1000, height: 600 });
  await p.post({
    type: 'run',
    run: {
      profile: 'sandbox', forcePrimary: true, startedAt: 0,
      statements: [
        statement({ index: 0, text: 'UPDATE t SET a = 1', classified: 'primary', route: 'primary', server: 'primary', lagSeconds: null, reason: 'Run on Primary (override); classified primary: write (UPDATE)', affectedRows: 3 }),
        statement({ index: 1, text: 'SELECT * FROM missing', classified: 'replica', route: 'primary', server: 'primary', lagSeconds: null, error: "Table 'shop.missing' doesn't exist", reason: 'Run on Primary (override)' }),
        statement({ index: 2, text: 'SELECT 2', route: null, server: null, error: 'not run: an earlier statement failed' }),
      ],
    },
  });
  const text = await p.page.locator('body').innerText();
  for (const expected of ['Run on Primary: sandbox (3 statements)', 'primary override', '3 rows affected', "error: Table 'shop.missing' doesn't exist", 'not run']) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
  assert.ok((await p.page.locator('.detail').innerText()).includes("Table 'shop.missing' doesn't exist"), 'the failed statement is selected');
  await p.screenshot('sql-results-light-error');
  assert.deepEqual(await p.cspViolations(), []);
  await p.page.close();
});

test('a result answered on its first rows: "so far, loading…", then the final count and every row; a failure mid-stream shows its error', async () => {
  const p = await harness.open('sqlResults', { theme: 'dark', width: 1100, height: 700 });
  const pages = servePages(p);
  try {
    const run = bigRun();
    run.statements[1] = { ...run.statements[1], rowCount: 200, complete: false, elapsedMs: 35 };
    await p.post({ type: 'run', run });
    await p.page.getByText('200 rows so far, loading…').first().waitFor({ state: 'visible', timeout: 10_000 });
    await p.page.locator('.tabulator-row', { hasText: 'row 1' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await p.screenshot('sql-results-loading');

    await p.post({ type: 'resultDone', done: { resultId: 'r7', rowCount: ROWS, truncated: false, elapsedMs: 1530, error: null } });
    await p.page.locator('.detail', { hasText: '100,000 rows' }).waitFor({ state: 'visible', timeout: 10_000 });
    const text = await p.page.locator('body').innerText();
    assert.ok(!text.includes('loading…'), text);
    assert.ok(text.includes('1.53 s'), text);
    // The rows past the first 200 arrive by page, down to the last one.
    const holder = p.page.locator('.tabulator-tableholder');
    await holder.evaluate((e) => (e.scrollTop = 0));
    await holder.evaluate((e) => (e.scrollTop = 300 * 24));
    await p.page.locator('.tabulator-row', { hasText: /row 3\d\d(?!\d)/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await holder.evaluate((e) => (e.scrollTop = e.scrollHeight));
    await p.page.locator('.tabulator-row', { hasText: 'row 100000' }).waitFor({ state: 'visible', timeout: 15_000 });
    await p.screenshot('sql-results-loaded');

    const failing = bigRun();
    failing.statements[1] = { ...failing.statements[1], resultId: 'r8', rowCount: 200, complete: false };
    await p.post({ type: 'run', run: failing });
    await p.page.getByText('200 rows so far, loading…').first().waitFor({ state: 'visible', timeout: 10_000 });
    await p.post({ type: 'resultDone', done: { resultId: 'r8', rowCount: 4999, truncated: false, elapsedMs: 80, error: 'Subquery returns more than 1 row' } });
    await p.page.locator('.detail', { hasText: 'error after 4,999 rows: Subquery returns more than 1 row' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await p.page.getByRole('button', { name: /Export/ }).count(), 0, 'no export of a result cut short');
    await p.screenshot('sql-results-failed-midstream');
    assert.deepEqual(await p.cspViolations(), []);
  } finally {
    pages.stop();
    await p.page.close();
  }
});
