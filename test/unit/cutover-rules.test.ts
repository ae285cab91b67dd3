// Pure rules of the cut-over: when a request is refused, the blocker trigger's name and message,
// which privileges a block needs and which bypass read_only per server version, and that the
// change stream passes over the trigger DDL the lock block writes to the binlog.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cutoverDecision, cutoverRefusal } from '../../src/engine/cutover/readiness.js';
import { pauseRefusal } from '../../src/engine/jobs/pauseRule.js';
import { waitingLine } from '../../src/cli/cutoverCommand.js';
import type { CutoverRow } from '../../src/engine/cutover/requestStore.js';
import { blockerMessage, blockerTriggerName, readOnlyBypassPrivileges, setReadOnlyPrivileges } from '../../src/engine/cutover/block.js';
import { cutoverPrivileges as privileges } from '../../src/engine/cutover/privileges.js';
import { classifyStatement } from '../../src/engine/cdc/statementGuard.js';
import type { ServerFacts } from '../../src/engine/topology/types.js';

const target = { host: 'db9', port: 3306, user: 'app' };
const row = (over: Partial<CutoverRow>): CutoverRow => ({
  jobId: 'j1',
  seenMsAgo: 300,
  phase: 'in-sync',
  behindSeconds: 0,
  behindEvents: 0,
  block: null,
  state: null,
  step: null,
  message: null,
  report: null,
  ...over,
});
const hybrid = { state: 'copying', mode: 'hybrid' as const };

test('cutoverRefusal: each reason, and none for a live in-sync hybrid job', () => {
  assert.match(cutoverRefusal('j1', target, null, null) ?? '', /^No job j1 on db9:3306/);
  assert.match(cutoverRefusal('j1', target, { state: 'done', mode: 'full' }, null) ?? '', /is not a hybrid job \(its mode is full\): only a hybrid job/);
  assert.match(cutoverRefusal('j1', target, { state: 'done', mode: 'incremental' }, null) ?? '', /its mode is incremental/);
  assert.match(cutoverRefusal('j1', target, hybrid, row({ state: 'done', message: 'cut over' })) ?? '', /has already cut over/);
  assert.match(cutoverRefusal('j1', target, hybrid, row({ state: 'running' })) ?? '', /already running/);
  assert.match(cutoverRefusal('j1', target, hybrid, null) ?? '', /is not running: .*rw-migrate resume j1 first/);
  assert.match(cutoverRefusal('j1', target, hybrid, row({ seenMsAgo: 61_000 })) ?? '', /not running \(last seen 61 s ago\)/);
  assert.match(cutoverRefusal('j1', target, { ...hybrid, state: 'done' }, row({ seenMsAgo: 61_000 })) ?? '', /is already done/);
  assert.match(cutoverRefusal('j1', target, hybrid, row({ phase: 'catching-up', behindSeconds: 42 })) ?? '', /catching-up, not in sync \(42\.0 s behind the source\)/);
  assert.match(cutoverRefusal('j1', target, hybrid, row({ phase: 'snapshot', behindSeconds: null })) ?? '', /how far behind is not known yet/);
  assert.equal(cutoverRefusal('j1', target, hybrid, row({})), null);
  assert.equal(cutoverRefusal('j1', target, hybrid, row({ state: 'failed' })), null, 'a failed cut-over may be asked again');
});

test('cutoverDecision: a live job catching up is waited for on request; snapshot, paused, done and not running are refused at once, saying what to do', () => {
  const catching = row({ phase: 'catching-up', behindSeconds: 7.5, behindEvents: 1200 });
  assert.deepEqual(cutoverDecision('j1', target, hybrid, catching, true), { kind: 'wait', behindSeconds: 7.5, behindEvents: 1200 });
  assert.equal(cutoverDecision('j1', target, hybrid, catching, false).kind, 'refuse', 'without waitForSync (the editor) as before');
  assert.deepEqual(cutoverDecision('j1', target, hybrid, row({}), true), { kind: 'ask' });
  const paused = cutoverDecision('j1', target, { ...hybrid, state: 'paused' }, catching, true);
  assert.equal(paused.kind, 'refuse');
  assert.match(paused.kind === 'refuse' ? paused.message : '', /^Job j1 is paused \(phase catching-up, 7\.5 s behind the source\): nothing is applied .*Resume it first/);
  const pausedInSync = cutoverDecision('j1', target, { ...hybrid, state: 'paused' }, row({}), true);
  assert.match(pausedInSync.kind === 'refuse' ? pausedInSync.message : '', /is paused \(phase in-sync/);
  // The snapshot phase has no live cut-over row: refused naming the phase, not as "not running".
  const snap = cutoverDecision('j1', target, { ...hybrid, phase: 'snapshot' }, null, true);
  assert.match(snap.kind === 'refuse' ? snap.message : '', /^Job j1 is in its snapshot phase \(copying the tables\): it follows the source's changes only after the snapshot, and can cut over once it is in sync/);
  const snapPaused = cutoverDecision('j1', target, { state: 'paused', mode: 'hybrid', phase: 'snapshot' }, null, true);
  assert.match(snapPaused.kind === 'refuse' ? snapPaused.message : '', /in its snapshot phase \(copying the tables, paused\)/);
  const planning = cutoverDecision('j1', target, { state: 'planning', mode: 'hybrid', phase: 'planning' }, null, true);
  assert.match(planning.kind === 'refuse' ? planning.message : '', /in its planning phase/);
  const stopped = cutoverDecision('j1', target, { ...hybrid, state: 'cancelled', phase: 'catching-up' }, row({ phase: 'catching-up', seenMsAgo: 90_000 }), true);
  assert.match(stopped.kind === 'refuse' ? stopped.message : '', /is not running \(last seen 90 s ago\).*rw-migrate resume j1 first/);
  const done = cutoverDecision('j1', target, { ...hybrid, state: 'done', phase: 'done' }, row({ seenMsAgo: 90_000 }), true);
  assert.match(done.kind === 'refuse' ? done.message : '', /is already done/);
  for (const phase of ['cutting-over', null] as const) assert.equal(cutoverDecision('j1', target, hybrid, row({ phase }), true).kind, 'refuse', `${phase} is refused, not waited for`);
});

test('the cutover command says once that it waits, and how far behind the job is', () => {
  assert.equal(waitingLine({ phase: 'catching-up', behindSeconds: 12.34, behindEvents: 5400, timeoutMs: 300_000 }), 'waiting: job is catching up, 12.3 s / 5400 events behind (waiting up to 300 s for it to be in sync)');
  assert.equal(waitingLine({ phase: 'catching-up', behindSeconds: null, behindEvents: null, timeoutMs: 60_000 }), 'waiting: job is catching up, ? s / ? events behind (waiting up to 60 s for it to be in sync)');
});

test('pauseRefusal: a cut-over in progress must finish; any other running phase may pause', () => {
  assert.match(pauseRefusal('j1', 'cutting-over') ?? '', /^Job j1 is cutting over and cannot be paused: a cut-over in progress must finish/);
  assert.match(pauseRefusal('j1', 'done') ?? '', /is done/);
  for (const phase of ['planning', 'snapshot', 'catching-up', 'in-sync', 'copying', undefined] as const) assert.equal(pauseRefusal('j1', phase), null, String(phase));
});

test('blocker triggers: short stable names, a message within SIGNAL limits that needs no escaping', () => {
  const n = blockerTriggerName('20261129-124400-ab12', 'orders', 'i');
  assert.match(n, /^rwm_cutover_[0-9a-f]{10}_i$/);
  assert.equal(n, blockerTriggerName('20261129-124400-ab12', 'orders', 'i'));
  assert.notEqual(n, blockerTriggerName('20261129-124400-ab12', 'orders2', 'i'));
  const m = blockerMessage('j1', "shop.o'rd\\ers", 'db9:3306/shop_new.orders');
  assert.equal(m, 'rw-migrate cutover j1: shop.o?rd?ers moved to db9:3306/shop_new.orders, writes blocked here');
  assert.ok(blockerMessage('j'.repeat(64), 't'.repeat(64), 'h'.repeat(100)).length <= 128);
});

function facts(flavor: 'mariadb' | 'mysql', v: [number, number, number]): ServerFacts {
  return { version: v.join('.'), flavor, versionNumber: v, serverId: 1, readOnly: false, logBin: true, binlogFormat: 'ROW', gtidMode: 'ON', gtidPosition: '' };
}

test('read_only bypass and SET GLOBAL read_only privileges per version (MariaDB 10.11 split READ_ONLY ADMIN from SUPER)', () => {
  assert.deepEqual(readOnlyBypassPrivileges(facts('mariadb', [10, 11, 19])), ['READ_ONLY ADMIN']);
  assert.deepEqual(readOnlyBypassPrivileges(facts('mariadb', [11, 4, 2])), ['READ_ONLY ADMIN']);
  assert.deepEqual(readOnlyBypassPrivileges(facts('mariadb', [10, 6, 0])), ['READ_ONLY ADMIN', 'SUPER']);
  assert.deepEqual(readOnlyBypassPrivileges(facts('mysql', [8, 0, 36])), ['SUPER', 'CONNECTION_ADMIN']);
  assert.deepEqual(setReadOnlyPrivileges(facts('mysql', [8, 0, 36])), ['SUPER', 'SYSTEM_VARIABLES_ADMIN']);
});

test('cutoverPrivileges: what each block needs, and the GRANT that fixes it', () => {
  const f = facts('mariadb', [10, 11, 19]);
  const cutoverPrivileges = (lines: string[], acct: string, fx: ServerFacts, block: 'lock' | 'read-only', db: string, tables: string[]) =>
    privileges(lines, acct, fx, block, db, tables, true);
  const acct = "'app'@'%'";
  const all = ['GRANT ALL PRIVILEGES ON *.* TO `app`@`%`'];
  assert.deepEqual(cutoverPrivileges(all, acct, f, 'lock', 'shop', ['orders']).missing, []);
  assert.deepEqual(cutoverPrivileges(all, acct, f, 'read-only', 'shop', ['orders']).missing, []);
  const dml = ['GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO `app`@`%`'];
  const lock = cutoverPrivileges(dml, acct, f, 'lock', 'shop', ['orders']);
  assert.deepEqual(lock.missing, ['LOCK TABLES ON `shop`.*', 'TRIGGER ON `shop`.*']);
  assert.deepEqual(lock.fix, ["GRANT LOCK TABLES ON `shop`.* TO 'app'@'%'", "GRANT TRIGGER ON `shop`.* TO 'app'@'%'"]);
  const perTable = ['GRANT SELECT, LOCK TABLES ON `shop`.* TO `app`@`%`', 'GRANT TRIGGER ON `shop`.`orders` TO `app`@`%`'];
  assert.deepEqual(cutoverPrivileges(perTable, acct, f, 'lock', 'shop', ['orders']).missing, []);
  assert.deepEqual(cutoverPrivileges(perTable, acct, f, 'lock', 'shop', ['orders', 'items']).missing, ['TRIGGER ON `shop`.*']);
  const superOnly = ['GRANT SUPER ON *.* TO `app`@`%`'];
  assert.deepEqual(cutoverPrivileges(superOnly, acct, f, 'read-only', 'shop', ['orders']).fix, ["GRANT READ_ONLY ADMIN ON *.* TO 'app'@'%'"]);
  assert.deepEqual(cutoverPrivileges(superOnly, acct, facts('mariadb', [10, 6, 0]), 'read-only', 'shop', ['orders']).missing, []);
  // CREATE TRIGGER with the binlog on needs SUPER unless log_bin_trust_function_creators is ON.
  const lockGrants = ['GRANT SELECT, LOCK TABLES, TRIGGER ON `shop`.* TO `app`@`%`'];
  assert.deepEqual(privileges(lockGrants, acct, f, 'lock', 'shop', ['orders'], true).missing, []);
  const untrusted = privileges(lockGrants, acct, f, 'lock', 'shop', ['orders'], false);
  assert.match(untrusted.missing.join(), /^SUPER ON \*\.\* \(CREATE TRIGGER with the binary log on/);
  assert.deepEqual(untrusted.fix, ["GRANT SUPER ON *.* TO 'app'@'%' (or SET GLOBAL log_bin_trust_function_creators = ON)"]);
  assert.deepEqual(privileges([...lockGrants, 'GRANT SUPER ON *.* TO `app`@`%`'], acct, f, 'lock', 'shop', ['orders'], false).missing, []);
});

test('the change stream passes over the blocker trigger DDL and its lift (no stop on a captured table)', () => {
  const tables = new Set(['orders']);
  const create =
    "CREATE DEFINER=`app`@`%` TRIGGER `shop`.`rwm_cutover_0123456789_d` BEFORE DELETE ON `shop`.`orders` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'x'";
  assert.equal(classifyStatement(create, 'shop', 'shop', tables).kind, 'ignore');
  assert.equal(classifyStatement('DROP TRIGGER IF EXISTS `shop`.`rwm_cutover_0123456789_d`', 'shop', 'shop', tables).kind, 'ignore');
});
