// The migrate / verify / jobs paths as a person takes them, in real VS Code (code-server) against the real
// MariaDB sandbox ($RW_SANDBOX_DIR): Migrate Table To… from the Topology tree through the modal to a finished
// progress panel, Verify Against… with a changed row on the target and Repair, both panels in a light theme,
// a job paused, cancelled and resumed from the Jobs view. (Every palette command with bad input: palette.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { adminConnect, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox';
import {
  answerDialog,
  contextMenu,
  focusTab,
  hostLogs,
  logLines,
  pickExact,
  readDialog,
  rowByLabel,
  setColorTheme,
  setSandboxPasswords,
  shotOnFailure,
  sideBarWithJobs,
  waitFrameText,
  waitRowText,
} from './support/pathsUi';
import { answerInput, clearToasts, expand, toast } from './support/topologyUi';
import { Workbench } from './support/workbench';

const SOURCE = 'sandbox';
const TARGET = 'sandbox-target';
const DB = `shop_e2e_${process.pid}`;

let wb: Workbench;
let topo: Topology;
let target: Connection;
let source: Connection;
const addr = (s: { host: string; port: number }) => `${s.host}:${s.port}`;

async function one<T = Record<string, unknown>>(conn: Connection, sql: string, params: unknown[] = []): Promise<T> {
  const [rows] = await conn.query<RowDataPacket[]>(sql, params);
  return rows[0] as T;
}

async function count(conn: Connection, table: string): Promise<number> {
  return Number((await one<{ n: string }>(conn, `SELECT COUNT(*) AS n FROM ${table}`)).n);
}

async function checksum(conn: Connection, table: string): Promise<string> {
  return String((await one<{ Checksum: string }>(conn, `CHECKSUM TABLE ${table} EXTENDED`)).Checksum);
}

function server(s: SandboxServer, name: string) {
  return { name, host: s.host, port: s.port, user: topo.users.admin.user };
}

before(async () => {
  topo = loadSandbox();
  const { primary, replica1, replica2 } = topo.servers;
  wb = await Workbench.launch({
    name: 'paths',
    // VS Code's dark default, whatever colour scheme the headless browser asks for.
    userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.autoDetectColorScheme': false },
    workspaceSettings: {
      'rwMigrate.profiles': [
        { name: SOURCE, primary: server(primary, 'primary'), replicas: [server(replica1, 'replica1'), server(replica2, 'replica2')] },
        { name: TARGET, primary: server(topo.servers.target, 'target'), target: true },
      ],
    },
  });
  target = await adminConnect(topo.servers.target);
  source = await adminConnect(primary);
  await target.query(`DROP DATABASE IF EXISTS \`${DB}\``);
});

after(async () => {
  await target?.query(`DROP DATABASE IF EXISTS \`${DB}\``).catch(() => {});
  await target?.end().catch(() => {});
  await source?.end().catch(() => {});
  await wb?.close();
});

/** The shop table row under the sandbox primary (expanding the primary and shop). */
async function tableRow(table: string) {
  const { topology } = await sideBarWithJobs(wb);
  const primaryRow = rowByLabel(wb, topology, 'primary');
  await primaryRow.waitFor({ state: 'visible', timeout: 30_000 });
  await expand(primaryRow);
  const shop = rowByLabel(wb, topology, 'shop');
  await expand(shop);
  const row = rowByLabel(wb, topology, table);
  // The tree renders only the rows in view: scroll down until the table's row exists.
  for (let i = 0; i < 30 && !(await row.isVisible()); i++) {
    await topology.locator('.monaco-list').first().hover();
    await wb.page.mouse.wheel(0, 120);
    await wb.page.waitForTimeout(100);
  }
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

/** Migrate Table To… from the tree, up to (not through) the confirmation modal. Returns what the modal says. */
async function migrateUpToConfirm(table: string, screenshot?: string) {
  await contextMenu(wb, await tableRow(table), 'Migrate Table To…');
  await pickExact(wb, TARGET);
  await answerInput(wb, `Database on target to write to`, DB);
  await pickExact(wb, 'Full copy');
  await pickExact(wb, 'abort');
  await pickExact(wb, 'Continue with these options');
  const dialog = await readDialog(wb);
  if (screenshot) await wb.screenshot(screenshot);
  return dialog;
}

test('passwords go into secret storage through Set Password', async () => shotOnFailure(wb, 'passwords', async () => {
  const { admin } = topo.users;
  await sideBarWithJobs(wb);
  await setSandboxPasswords(wb, admin.user, admin.password, SOURCE, TARGET);
  await clearToasts(wb);
}));

test('a. Migrate Table To… customers: the modal says what is written where, progress reaches Done, counts equal', async (t) => shotOnFailure(wb, 'a', async () => {
  const dialog = await migrateUpToConfirm('customers', 'paths-migrate-confirm');
  t.diagnostic(`modal: ${dialog.message} / ${dialog.detail.replace(/\n/g, ' / ')}`);
  const tgt = addr(topo.servers.target);
  assert.equal(dialog.message, `Write to ${tgt}, database ${DB}?`);
  assert.match(dialog.detail, new RegExp(`Writes table customers\\s+to server ${tgt.replace(/\./g, '\\.')} \\(target\\), database ${DB} \\(created if missing\\)`));
  assert.match(dialog.detail, new RegExp(`Reads from ${addr(topo.servers.primary).replace(/\./g, '\\.')}, database shop; nothing is written there`));
  assert.match(dialog.detail, /records progress in the \S+ schema/);
  assert.ok(dialog.buttons.includes('Migrate Tables'), `buttons: ${dialog.buttons.join(', ')}`);
  await answerDialog(wb, 'Migrate Tables');

  await toast(wb, /Migration started: shop\.customers/, 'Open Progress');
  const frame = await wb.webviewFrame({ hasText: /Copy job/, timeoutMs: 30_000 });
  const text = await waitFrameText(frame, /Done[\s\S]*100\.0%/, 120_000);
  t.diagnostic(`progress: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
  assert.match(text, /10,000 rows copied/);
  await clearToasts(wb);
  await wb.screenshot('paths-progress-done');

  const [src, dst] = [await count(source, 'shop.customers'), await count(target, `\`${DB}\`.customers`)];
  t.diagnostic(`customers: source ${src}, target ${dst}`);
  assert.equal(dst, src);
  assert.equal(await checksum(target, `\`${DB}\`.customers`), await checksum(source, 'shop.customers'));
}));

test('Open Job Report on the finished job: Markdown and JSON saved in the workspace, the Markdown opened', async (t) => shotOnFailure(wb, 'report', async () => {
  const { jobs } = await sideBarWithJobs(wb);
  const job = jobs.locator('.monaco-list-row', { hasText: 'shop.customers' }).first();
  await contextMenu(wb, job, 'Open Job Report');
  const dir = join(wb.workspace, '.rw-migrate', 'reports');
  const md = await waitFor('the Markdown and JSON report files', async () => {
    const files = existsSync(dir) ? readdirSync(dir) : [];
    return files.find((f) => f.endsWith('.md') && files.includes(f.replace(/\.md$/, '.json')));
  }, 30_000);
  const markdown = readFileSync(join(dir, md), 'utf8');
  const json = JSON.parse(readFileSync(join(dir, md.replace(/\.md$/, '.json')), 'utf8')) as Record<string, unknown>;
  t.diagnostic(`report ${md}: ${markdown.split('\n').slice(0, 6).join(' / ')}`);
  assert.match(markdown, /customers/);
  assert.match(markdown, /10,000|10000/);
  assert.ok(JSON.stringify(json).includes('customers'), 'the JSON report names the table');
  assert.equal(markdown.includes(topo.users.admin.password) || JSON.stringify(json).includes(topo.users.admin.password), false, 'no password in the report');
  await wb.page.locator('.tabs-container .tab', { hasText: md }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await wb.screenshot('paths-report');
}));

test('b. Verify Against… rows: Match; a changed target row is a Mismatch; Repair makes it Match again', async (t) => shotOnFailure(wb, 'b', async () => {
  await contextMenu(wb, await tableRow('customers'), 'Verify Against…');
  await pickExact(wb, 'A server of another profile…');
  await pickExact(wb, TARGET);
  await answerInput(wb, 'to compare with', DB);
  await pickExact(wb, 'Rows');
  const frame = await wb.webviewFrame({ hasText: /Verification: shop/, timeoutMs: 60_000 });
  let text = await waitFrameText(frame, /1 table: 1 match/, 60_000);
  assert.match(text, /customers[\s\S]*Match/);
  assert.match(text, /10,000[\s\S]*10,000/);
  await clearToasts(wb);
  await wb.screenshot('paths-diff-match');

  await target.query(`UPDATE \`${DB}\`.customers SET name = CONCAT(name, ' (changed on target)') WHERE id = 4242`);
  await frame.locator('button', { hasText: 'Verify Again' }).click();
  text = await waitFrameText(frame, /1 mismatch/, 60_000);
  assert.match(text, /customers[\s\S]*Mismatch/);
  await clearToasts(wb);
  await wb.screenshot('paths-diff-mismatch');

  await frame.locator('button', { hasText: /^Repair 1 table/ }).click();
  const dialog = await readDialog(wb);
  t.diagnostic(`repair modal: ${dialog.message} / ${dialog.detail.replace(/\n/g, ' / ')}`);
  assert.match(dialog.detail, new RegExp(`${DB}\\.customers: 0 missing rows copied from the source, 1 different row overwritten`));
  await wb.screenshot('paths-repair-confirm');
  await answerDialog(wb, 'Repair');
  text = await waitFrameText(frame, /1 table: 1 match, 0 mismatch/, 60_000);
  assert.equal(await checksum(target, `\`${DB}\`.customers`), await checksum(source, 'shop.customers'));
  await clearToasts(wb);

  // The same two panels in a light theme.
  await setColorTheme(wb, 'Default Light Modern', true);
  await wb.screenshot('paths-diff-light');
  await focusTab(wb, /^Copy /);
  const progress = await wb.webviewFrame({ hasText: /Copy job/, timeoutMs: 30_000 });
  await waitFrameText(progress, /Done/, 30_000);
  await wb.screenshot('paths-progress-light');
  await setColorTheme(wb, 'Default Dark Modern', false);
}));

test('c. a job paused and cancelled from the Jobs view, then resumed: it completes with every row once', async (t) => shotOnFailure(wb, 'c', async () => {
  const table = 'order_items';
  // Make the copy stop half way, for real: the target table exists (empty, as the engine would create it) and
  // this test holds an uncommitted row in the middle of the key range, so the chunk that reaches it waits on
  // its lock while the chunks before it commit.
  const create = String((await one<{ 'Create Table': string }>(source, `SHOW CREATE TABLE shop.${table}`))['Create Table']);
  await target.query('SET SESSION foreign_key_checks = 0');
  await target.query(`CREATE DATABASE IF NOT EXISTS \`${DB}\``);
  await target.query(`USE \`${DB}\``);
  await target.query(create);
  const mid = await one<Record<string, unknown>>(source, `SELECT * FROM shop.${table} ORDER BY order_id, line_no LIMIT 1 OFFSET 30000`);
  const locker = await adminConnect(topo.servers.target);
  let locked = true;
  try {
    await locker.query('SET SESSION foreign_key_checks = 0');
    await locker.query('START TRANSACTION');
    await locker.query(`INSERT INTO \`${DB}\`.${table} SET ?`, [mid]);

    const dialog = await migrateUpToConfirm(table);
    assert.match(dialog.detail, /Writes table order_items/);
    await answerDialog(wb, 'Migrate Tables');
    await clearToasts(wb);
    const { jobs } = await sideBarWithJobs(wb);
    const job = jobs.locator('.monaco-list-row', { hasText: `shop.${table}` }).first();
    await job.waitFor({ state: 'visible', timeout: 30_000 });
    const reader = await adminConnect(topo.servers.target);
    const committed = await waitFor('some chunks committed before the held row', async () => {
      const n = await count(reader, `\`${DB}\`.${table}`);
      return n > 1000 ? n : 0;
    }, 60_000);
    await reader.end();
    t.diagnostic(`committed before the held row: ${committed}`);

    await contextMenu(wb, job, 'Pause Job');
    t.diagnostic(`paused: ${await waitRowText(job, /paused/, 30_000)}`);
    await wb.screenshot('paths-job-paused');

    await contextMenu(wb, job, 'Cancel Job');
    const cancel = await readDialog(wb);
    assert.match(cancel.message, /Cancel job shop\.order_items/);
    assert.match(cancel.detail, /rows already written to .* stay there/);
    await answerDialog(wb, 'Cancel Job');
    await locker.query('ROLLBACK');
    locked = false;
    const cancelled = await waitRowText(job, /cancelled/, 60_000);
    t.diagnostic(`cancelled: ${cancelled}`);
    await clearToasts(wb);
    await wb.screenshot('paths-job-cancelled');
  } finally {
    if (locked) await locker.query('ROLLBACK').catch(() => {});
    await locker.end().catch(() => {});
  }
  const partial = await count(target, `\`${DB}\`.${table}`);
  const total = await count(source, `shop.${table}`);
  t.diagnostic(`after cancel: ${partial} of ${total} rows on the target`);
  assert.ok(partial < total, `the cancelled job copied everything (${partial} of ${total}): nothing left to resume`);

  const { jobs } = await sideBarWithJobs(wb);
  const job = jobs.locator('.monaco-list-row', { hasText: `shop.${table}` }).first();
  await contextMenu(wb, job, 'Resume Job');
  await toast(wb, /Resumed shop\.order_items/);
  t.diagnostic(`resumed: ${await waitRowText(job, /done/, 120_000)}`);
  const frame = await wb.webviewFrame({ hasText: /Copy job/, timeoutMs: 30_000 });
  const text = await waitFrameText(frame, /Done[\s\S]*100\.0%/, 60_000);
  t.diagnostic(`progress after resume: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
  await clearToasts(wb);
  await wb.screenshot('paths-job-resumed');

  const after = await count(target, `\`${DB}\`.${table}`);
  const distinct = Number((await one<{ n: string }>(target, `SELECT COUNT(DISTINCT order_id, line_no) AS n FROM \`${DB}\`.${table}`)).n);
  t.diagnostic(`after resume: target ${after} rows (${distinct} distinct keys), source ${total}`);
  assert.equal(after, total);
  assert.equal(distinct, total);
  assert.equal(await checksum(target, `\`${DB}\`.${table}`), await checksum(source, `shop.${table}`));
}));

test('Compare Row Counts With… each replica of the primary: one verdict per replica', async () => shotOnFailure(wb, 'replicas', async () => {
  await clearToasts(wb);
  await contextMenu(wb, await tableRow('products'), 'Compare Row Counts With…');
  await pickExact(wb, 'Each replica of sandbox');
  // Each replica's verdict opens as a Markdown table of counts. Wait for both tabs before reading either: a tab that
  // opens late takes the editor, and a read in between sees an empty, not yet rendered one.
  const names = ['replica1', 'replica2'];
  const tabs = names.map((name) => wb.page.locator('.tabs-container .tab', { hasText: `vs ${name}` }).first()); // read-only views named "Row counts primary shop vs replica1 shop"
  for (const tab of tabs) await tab.waitFor({ state: 'visible', timeout: 60_000 });
  for (const [i, name] of names.entries()) {
    const lines = wb.page.locator('.editor-group-container.active .view-lines').first();
    const seen = await waitFor(`the ${name} counts`, async () => {
      await tabs[i].click();
      const text = (await lines.innerText()).replace(/\u00a0/g, ' '); // Monaco renders spaces as NBSP
      return /1 match, 0 mismatch/.test(text) && text;
    }, 30_000);
    assert.match(seen, /products \| 2,000 \| 2,000 \| match/);
    // A read-only view: nothing to save when it is closed.
    assert.equal(await tabs[i].evaluate((e) => e.classList.contains('dirty')), false, `the ${name} counts tab is dirty`);
  }
  await wb.screenshot('paths-compare-replicas');
}));

test('no password reaches any log: the RW Migrate channel, the worker, the extension host', async () => {
  const { exthost, rwMigrate } = hostLogs(wb);
  assert.ok(rwMigrate.length > 0, 'the RW Migrate log exists');
  const lines = logLines([...exthost, ...rwMigrate]);
  assert.ok(lines.some((l) => /job|migrat/i.test(l)), 'the logs recorded the jobs above');
  assert.deepEqual(lines.filter((l) => l.includes(topo.users.admin.password)), []);
});
