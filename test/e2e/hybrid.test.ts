// A hybrid migration as a person runs it in real VS Code (code-server) against the MariaDB sandbox:
// Migrate Database To… with the Hybrid strategy (a table to copy first), the progress panel reaching
// "In sync (4 of 6)" with the delay and events/s while the source takes writes, the Jobs view row with its
// phase, then Cut Over… from the panel: the modal names the source and the tables, Cancel blocks nothing,
// "Block the 2 tables (lock)" cuts over, and the outcome names the position, the tables and the lift.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Frame } from 'playwright-core';
import { adminConnect, loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox';
import { answerDialog, pickExact, readDialog, setSandboxPasswords, shotOnFailure, sideBarWithJobs, startExact, waitFrameText, waitRowText } from './support/pathsUi';
import { answerInput, clearToasts, toast } from './support/topologyUi';
import { Workbench } from './support/workbench';

const SOURCE = 'sandbox';
const TARGET = 'sandbox-target';
const SRC = `hyb_e2e_src_${process.pid}`;
const DST = `hyb_e2e_dst_${process.pid}`;

let wb: Workbench;
let topo: Topology;
let primary: Connection;
let target: Connection;
const addr = (s: { host: string; port: number }) => `${s.host}:${s.port}`;

function server(s: SandboxServer, name: string) {
  return { name, host: s.host, port: s.port, user: topo.users.admin.user };
}

/** The panel's text without the chart (its legend names the series, "events/s" among them). */
async function panelText(frame: Frame): Promise<string> {
  return (await frame.locator('#app > :not(.chart):visible').allInnerTexts()).join('\n');
}

const occurrences = (text: string, word: string) => text.split(word).length - 1;

async function checksums(conn: Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.accounts, \`${db}\`.entries EXTENDED`);
  return rows.map((r) => String(r.Checksum));
}

before(async () => {
  topo = loadSandbox();
  const { primary: p, replica1, replica2 } = topo.servers;
  primary = await adminConnect(p);
  target = await adminConnect(topo.servers.target);
  await primary.query(`DROP DATABASE IF EXISTS \`${SRC}\``);
  await target.query(`DROP DATABASE IF EXISTS \`${DST}\``);
  await primary.query(`CREATE DATABASE \`${SRC}\``);
  await primary.query(`CREATE TABLE \`${SRC}\`.accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(12,2) NOT NULL)`);
  await primary.query(`CREATE TABLE \`${SRC}\`.entries (id BIGINT AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(12,2) NOT NULL, KEY (account_id))`);
  await primary.query(`INSERT INTO \`${SRC}\`.accounts SELECT seq, CONCAT('account ', seq), seq * 10 FROM \`${SRC}\`.seq_1_to_2000`);
  await primary.query(`INSERT INTO \`${SRC}\`.entries (account_id, amount) SELECT 1 + seq % 2000, seq / 100 FROM \`${SRC}\`.seq_1_to_20000`);
  wb = await Workbench.launch({
    name: 'hybrid',
    userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.autoDetectColorScheme': false },
    workspaceSettings: {
      'rwMigrate.profiles': [
        { name: SOURCE, primary: server(p, 'primary'), replicas: [server(replica1, 'replica1'), server(replica2, 'replica2')] },
        { name: TARGET, primary: server(topo.servers.target, 'target'), target: true },
      ],
    },
  });
});

after(async () => {
  // Dropping the source database drops the blocker triggers with its tables.
  await primary?.query(`DROP DATABASE IF EXISTS \`${SRC}\``).catch(() => {});
  await target?.query(`DROP DATABASE IF EXISTS \`${DST}\``).catch(() => {});
  await primary?.end().catch(() => {});
  await target?.end().catch(() => {});
  await wb?.close();
});

test('passwords go into secret storage through Set Password', async () => shotOnFailure(wb, 'hybrid-passwords', async () => {
  const { admin } = topo.users;
  await sideBarWithJobs(wb);
  await setSandboxPasswords(wb, admin.user, admin.password, SOURCE, TARGET);
  await clearToasts(wb);
}));

test('Migrate Database To… Hybrid: in sync with the delay and events/s, then Cut Over from the panel', async (t) => shotOnFailure(wb, 'hybrid', async () => {
  const p = topo.servers.primary;
  await startExact(wb, 'RW Migrate: Migrate Database To…');
  await pickExact(wb, SOURCE);
  await pickExact(wb, 'primary');
  await pickExact(wb, SRC);
  await pickExact(wb, TARGET);
  await answerInput(wb, 'Database on target to write to', DST);
  await pickExact(wb, 'Hybrid: copy, then follow changes until cut-over');
  // Tables to copy first: entries, then Enter.
  await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Tables to copy first' }).waitFor({ state: 'visible', timeout: 15_000 });
  await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'entries' }).first().click();
  await wb.page.keyboard.press('Enter');
  await pickExact(wb, 'abort');
  await pickExact(wb, 'Continue with these options');
  const confirm = await readDialog(wb);
  t.diagnostic(`modal: ${confirm.message} / ${confirm.detail.replace(/\n/g, ' / ')}`);
  assert.match(confirm.detail, /until you ask for the cut-over/);
  assert.match(confirm.detail, /Strategy: hybrid: a snapshot copy \(entries first\), then the source's binlog changes applied until you cut over/);
  await answerDialog(wb, 'Migrate Database');
  await toast(wb, new RegExp(`Migration started: ${SRC}`), 'Open Progress');

  const frame = await wb.webviewFrame({ hasText: /Hybrid job/, timeoutMs: 30_000 });
  await waitFrameText(frame, /In sync \(4 of 6\)[\s\S]*Delay[\s\S]*Applying\s+[\d,]+ events\/s/, 120_000);
  // Writes on the source while the job follows it: the panel counts the applied events, the chart gets events/s.
  const conn = await adminConnect(p);
  try {
    for (let i = 0; i < 1500; i++) {
      await conn.query(`UPDATE \`${SRC}\`.accounts SET balance = balance + 1 WHERE id = ?`, [1 + (i % 2000)]);
      await conn.query(`INSERT INTO \`${SRC}\`.entries (account_id, amount) VALUES (?, 1.25)`, [1 + (i % 2000)]);
    }
  } finally {
    await conn.end();
  }
  // The panel's figures follow the stream (the delay and events/s are on the chart).
  const text = await waitFrameText(frame, /In sync \(4 of 6\)[\s\S]*Applied\s+[\d,]+ events/, 60_000);
  t.diagnostic(`progress: ${text.replace(/\s+/g, ' ').slice(0, 500)}`);
  assert.match(text, /Applied\s+[\d,]+ events in [\d,]+ transactions/);
  // The stream phase shows the events rate once (the Applying line) and no chunk: the snapshot copy is over.
  const inSync = await panelText(frame);
  assert.equal(occurrences(inSync, 'events/s'), 1, `events/s once in:\n${inSync}`);
  assert.doesNotMatch(inSync, /rows\/s/);
  assert.doesNotMatch(text, /Chunk/);
  const { jobs } = await sideBarWithJobs(wb);
  const row = jobs.locator('.monaco-list-row', { hasText: SRC }).first();
  t.diagnostic(`jobs row: ${await waitRowText(row, /(In sync|Catching up) \(\d of 6\) · .* events\/s/, 30_000)}`);
  await clearToasts(wb);
  await wb.screenshot('hybrid-progress-in-sync');
  // "In sync" must be true: every write made above is on the target.
  const count = async (c: Connection, db: string) => Number(((await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db}\`.entries`))[0][0] as { n: number }).n);
  const want = await count(primary, SRC);
  await waitFor(`the target's entries at the source's ${want}`, async () => (await count(target, DST)) === want, 60_000).catch(async (err: Error) => {
    const [dumps] = await primary.query<RowDataPacket[]>("SELECT ID, COMMAND, TIME, STATE, LEFT(INFO, 120) AS INFO FROM information_schema.PROCESSLIST WHERE USER <> 'repl' AND ID <> CONNECTION_ID()");
    const [status] = await target.query<RowDataPacket[]>('SELECT * FROM rw_migrate.cdc_state ORDER BY 1 DESC LIMIT 1').catch(() => [[]] as never);
    throw new Error(`${err.message} (target has ${await count(target, DST)}; the source's sessions: ${JSON.stringify(dumps)}; cdc_state: ${JSON.stringify(status)})`);
  });
  const cutover = frame.getByRole('button', { name: 'Cut over to the target' });
  await waitFrameText(frame, /In sync \(4 of 6\)/, 60_000);
  assert.equal(await cutover.isEnabled(), true, 'Cut Over is enabled in sync');

  // Cut Over… then Cancel: nothing is blocked.
  await cutover.click();
  const modal = await readDialog(wb);
  t.diagnostic(`cut-over modal: ${modal.message} / ${modal.detail.replace(/\n/g, ' / ')} / [${modal.buttons.join('|')}]`);
  assert.equal(modal.message, `Cut over ${SRC}.* → ${addr(topo.servers.target)}/${DST}? Writes on the source primary (${addr(p)}) will be blocked.`);
  // The workbench orders a modal's buttons by platform: compared as a set.
  assert.deepEqual(modal.buttons.filter((b) => b !== 'Cancel').sort(), ['Block the 2 tables (lock)', 'Set read_only on primary']);
  assert.ok(modal.buttons.includes('Cancel'), `buttons: ${modal.buttons.join(', ')}`);
  assert.match(modal.detail, /writes to the whole server, every database, are blocked/);
  assert.match(modal.detail, /Writes stay blocked on primary .* until you lift the block yourself/);
  await wb.screenshot('hybrid-cutover-confirm');
  await answerDialog(wb, 'Cancel');
  await toast(wb, /Cut Over cancelled: nothing was blocked/);
  const [[none]] = await primary.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [SRC]);
  assert.equal(Number(none.n), 0);
  await clearToasts(wb);

  // Cut Over… with the lock: the outcome modal reports, writes stay blocked, the tables match.
  await waitFor('Cut Over enabled again', async () => cutover.isEnabled(), 15_000);
  await cutover.click();
  await readDialog(wb);
  await answerDialog(wb, 'Block the 2 tables (lock)');
  const outcome = await readDialog(wb, 120_000);
  t.diagnostic(`outcome: ${outcome.message} / ${outcome.detail.replace(/\n/g, ' / ')}`);
  assert.match(outcome.message, /done: every table matches\./);
  assert.match(outcome.detail, /Final position: \S+:\d+/);
  assert.match(outcome.detail, /Tables verified by checksum: .*accounts \(2,000 rows, match\)/);
  assert.match(outcome.detail, /DROP TRIGGER/);
  await wb.screenshot('hybrid-cutover-done');
  await answerDialog(wb, 'Copy Lift Statements');
  await assert.rejects(primary.query(`INSERT INTO \`${SRC}\`.accounts VALUES (99999, 'blocked', 0)`), 'writes are blocked after the cut-over');
  assert.deepEqual(await checksums(target, DST), await checksums(primary, SRC));
  const doneText = await waitFrameText(frame, /Done \(6 of 6\)[\s\S]*Applied\s+[\d,]+ events/, 60_000);
  // Done: what was applied and the final position stay; no live rate, queue or chunk, no rows/s average over the follow.
  const done = await panelText(frame);
  assert.equal(occurrences(done, 'events/s'), 0, `no live events/s in:\n${done}`);
  assert.doesNotMatch(done, /Applying|Queued|rows\/s/);
  assert.doesNotMatch(doneText, /Chunk/);
  await clearToasts(wb);
  await wb.screenshot('hybrid-progress-done');
}));
