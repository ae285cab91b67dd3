import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secretKey, toServerRef, validateHost, validatePort, validateProfileName, type ProfileSetting } from '../../src/engine/topology/profileModel.js';
import { suggestReplicaName, type LagUpdate, type ReplicaLag, type ServerSummary, type TableSummary } from '../../src/engine/topology/types.js';
import { lagStatusView } from '../../src/statusbar/lagStatusView.js';
import { fixFor, nodeView, type TopologyNode } from '../../src/tree/nodes.js';
import { formatBytes } from '../../src/engine/jobs/format.js';
import { sparkPoints } from '../../src/webview-pages/lagPageView.js';

const profile: ProfileSetting = { name: 'prod', primary: { host: 'db1', port: 3306, user: 'app' }, replicas: [{ host: 'db2', user: 'app', name: 'replica1' }] };
const summary = (readOnly: boolean, replication: ServerSummary['replication'] = []): ServerSummary => ({
  facts: { version: '10.11.19-MariaDB-0+deb12u1-log', flavor: 'mariadb', versionNumber: [10, 11, 19], serverId: readOnly ? 2 : 1, readOnly, logBin: true, binlogFormat: 'ROW', gtidMode: 'ON', gtidPosition: '0-1-31' },
  replication,
});
const channel = { channel: '', sourceHost: 'db1', sourcePort: 3306, ioRunning: 'yes' as const, sqlRunning: true, secondsBehind: 0, lastIoError: '', lastSqlError: '', sourceServerId: 1, usingGtid: true };
const table = (name: string, hasPrimaryKey: boolean): TableSummary => ({ name, engine: 'InnoDB', estimatedRows: 12_345, dataBytes: 1_572_864, indexBytes: 524_288, hasPrimaryKey, isView: false });

describe('tree nodes', () => {
  test('profile context value and description', () => {
    const v = nodeView({ kind: 'profile', profile, active: true });
    assert.equal(v.contextValue, 'type=profile,active=yes');
    assert.equal(v.description, 'active');
    assert.equal(nodeView({ kind: 'profile', profile: { ...profile, target: true }, active: false }).contextValue, 'type=profile,active=no,target=yes');
  });

  test('servers: role, version, lag badge, state', () => {
    const primary = nodeView({ kind: 'server', profile, server: profile.primary, role: 'primary', summary: summary(false), error: null, lag: null });
    assert.equal(primary.contextValue, 'type=server,role=primary,state=ok');
    assert.equal(primary.description, 'primary · MariaDB 10.11.19');
    assert.equal(primary.icon, 'database');
    const replica = nodeView({ kind: 'server', profile, server: profile.replicas![0], role: 'replica', summary: summary(true, [channel]), error: null, lag: null });
    assert.equal(replica.label, 'replica1');
    assert.equal(replica.description, 'replica · lag 0.0s · MariaDB 10.11.19');
    assert.equal(replica.contextValue, 'type=server,role=replica,state=ok');
    const stopped = nodeView({ kind: 'server', profile, server: profile.replicas![0], role: 'replica', summary: summary(true, [{ ...channel, sqlRunning: false, secondsBehind: null, lastSqlError: 'dup key' }]), error: null, lag: null });
    assert.equal(stopped.contextValue, 'type=server,role=replica,state=error');
    assert.equal(stopped.description, 'replica · MariaDB 10.11.19 · SQL thread stopped: dup key');
    assert.equal(stopped.icon, 'error');
  });

  test('a live lag sample overrides the summary', () => {
    const lag: ReplicaLag = { name: 'replica1', host: 'db2', port: 3306, state: 'warning', reason: 'lag 2.5s > 1s', lagSeconds: 2.5, source: 'heartbeat', reachable: true, ioRunning: 'yes', sqlRunning: true, lastIoError: '', lastSqlError: '', history: [] };
    const v = nodeView({ kind: 'server', profile, server: profile.replicas![0], role: 'replica', summary: summary(true, [channel]), error: null, lag });
    assert.equal(v.description, 'replica · lag 2.5s · MariaDB 10.11.19 · lag 2.5s > 1s');
    assert.equal(v.contextValue, 'type=server,role=replica,state=warning');
  });

  test('unreachable and auth errors: error nodes with a fix action', () => {
    const error = { kind: 'auth' as const, message: 'Access denied for app on db2:3306: wrong password or user' };
    const server = nodeView({ kind: 'server', profile, server: profile.replicas![0], role: 'replica', summary: null, error, lag: null });
    assert.equal(server.contextValue, 'type=server,role=replica,state=error');
    const node: TopologyNode = { kind: 'error', profile, server: profile.replicas![0], error, action: fixFor(error) };
    const v = nodeView(node);
    assert.equal(v.label, 'Access denied for app on db2:3306: wrong password or user — Re-enter password');
    assert.deepEqual(v.command, { title: 'Re-enter password', command: 'rwMigrate.setPassword' });
    assert.equal(v.contextValue, 'type=error,kind=auth');
    assert.deepEqual(fixFor({ kind: 'unreachable', message: 'x' }), { title: 'Test connection', command: 'rwMigrate.testConnection' });
    assert.deepEqual(fixFor({ kind: 'no-password', message: 'x' }), { title: 'Set password', command: 'rwMigrate.setPassword' });
    assert.deepEqual(fixFor({ kind: 'tls', message: 'x' }), { title: 'Edit profile (TLS settings)', command: 'rwMigrate.editProfile' });
  });

  test('databases and tables: primary-key mark, rows and size', () => {
    assert.equal(nodeView({ kind: 'database', profile, server: profile.primary, role: 'primary', database: 'shop' }).contextValue, 'type=database,role=primary');
    const withPk = nodeView({ kind: 'table', profile, server: profile.primary, role: 'primary', database: 'shop', table: table('orders', true) });
    assert.equal(withPk.contextValue, 'type=table,pk=yes,role=primary');
    assert.equal(withPk.description, '~12k rows · 2.0 MiB');
    const noPk = nodeView({ kind: 'table', profile, server: profile.replicas![0], role: 'replica', database: 'shop', table: table('log', false) });
    assert.equal(noPk.contextValue, 'type=table,pk=no,role=replica');
    assert.equal(noPk.icon, 'warning');
    assert.match(noPk.description ?? '', /no primary key$/);
    assert.equal(formatBytes(512), '512 B');
  });
});

describe('profiles', () => {
  test('secret key, defaults, validation', () => {
    assert.equal(secretKey('prod', profile.replicas![0]), 'rwMigrate:prod:db2:3306:app');
    assert.deepEqual(toServerRef(profile.replicas![0], 'pw'), { name: 'replica1', host: 'db2', port: 3306, user: 'app', password: 'pw', tls: 'off', caFile: undefined });
    assert.equal(validateProfileName(' ', []), 'A profile needs a name.');
    assert.equal(validateProfileName('prod', ['prod']), 'A profile named "prod" already exists.');
    assert.equal(validateProfileName('stage', ['prod']), undefined);
    assert.equal(validateHost('db1:3306'), 'Enter the port in the next step.');
    assert.equal(validatePort('70000'), 'A port is a number from 1 to 65535.');
    assert.equal(validatePort('3307'), undefined);
  });
});

describe('discovered replicas', () => {
  test('named after their server_id (report_host is often a shared IP), never a taken name', () => {
    assert.equal(suggestReplicaName({ host: '127.0.0.1', port: 3307, serverId: 2 }, []), 'replica (server_id 2)');
    assert.equal(suggestReplicaName({ host: '127.0.0.1', port: 3307, serverId: 2 }, ['replica (server_id 2)']), 'replica (server_id 2) #2');
    assert.equal(suggestReplicaName({ host: 'db3', port: 3306, serverId: null }, []), 'db3:3306');
  });
});

describe('status bar lag indicator', () => {
  const t = { warnSeconds: 1, errorSeconds: 10 };
  const r = (over: Partial<ReplicaLag>): ReplicaLag => ({ name: 'replica1', host: '127.0.0.1', port: 3307, state: 'ok', reason: 'lag 0.3s', lagSeconds: 0.3, source: 'replica-status', reachable: true, ioRunning: 'yes', sqlRunning: true, lastIoError: '', lastSqlError: '', history: [], ...over });
  const live = (replicas: ReplicaLag[], state: LagUpdate['state'], worst: number | null): LagUpdate => ({ profile: 'sandbox', at: 0, state, worstLagSeconds: worst, replicas });

  test('ok: pulse and the worst lag, no background', () => {
    const v = lagStatusView({ kind: 'live', update: live([r({}), r({ name: 'replica2', lagSeconds: 0.1 })], 'ok', 0.3) }, t);
    assert.equal(v.text, '$(pulse) 0.3s');
    assert.equal(v.background, null);
    assert.equal(v.command, 'rwMigrate.showLag');
    assert.match(v.tooltip, /\$\(check\) \*\*replica1\*\* \(127\\\.0\\\.0\\\.1:3307\): lag 0\.3s \(replica status\)/);
  });
  test('warning and error backgrounds', () => {
    assert.equal(lagStatusView({ kind: 'live', update: live([r({ state: 'warning', lagSeconds: 2.5 })], 'warning', 2.5) }, t).background, 'warning');
    const e = lagStatusView({ kind: 'live', update: live([r({ state: 'error', lagSeconds: 12 })], 'error', 12) }, t);
    assert.equal(e.text, '$(error) 12.0s');
    // 10.0-10.5 s in error never reads "10s" next to "error above 10s".
    const justOver = lagStatusView({ kind: 'live', update: live([r({ state: 'error', lagSeconds: 10.3, reason: 'lag 10.3s > 10s' })], 'error', 10.3) }, t);
    assert.equal(justOver.text, '$(error) 10.3s');
    assert.match(justOver.tooltip, /worst lag 10\.3s \(warning above 1s, error above 10s\)/);
    assert.equal(e.background, 'error');
  });
  test('a stopped SQL thread names the replica and shows Last_SQL_Error', () => {
    const v = lagStatusView({ kind: 'live', update: live([r({ state: 'error', sqlRunning: false, lagSeconds: null, reason: 'SQL thread stopped: dup', lastSqlError: 'dup' }), r({ name: 'replica2' })], 'error', 0.3) }, t);
    assert.equal(v.text, '$(error) replica1: SQL stopped');
    assert.match(v.tooltip, /Last\\_SQL\\_Error: dup/);
    const down = lagStatusView({ kind: 'live', update: live([r({ state: 'error', reachable: false, lagSeconds: null }), r({ name: 'r2', state: 'error', reachable: false })], 'error', null) }, t);
    assert.equal(down.text, '$(error) 2 replicas');
  });
  test('a stopped SQL thread: the state first, the heartbeat age labelled as the last applied one', () => {
    const stopped = r({ state: 'error', sqlRunning: false, lagSeconds: 1.7, lagMeaning: 'last-applied', source: 'heartbeat', reason: 'SQL thread stopped' });
    const v = lagStatusView({ kind: 'live', update: live([stopped, r({ name: 'replica2', lagSeconds: 0.1 })], 'error', 0.3) }, t);
    assert.equal(v.text, '$(error) replica1: SQL stopped');
    assert.match(v.tooltip, /\$\(error\) \*\*replica1\*\* \(127\\\.0\\\.0\\\.1:3307\): SQL thread stopped — last applied 1\.7s ago \(heartbeat\)/);
    assert.doesNotMatch(v.tooltip, /lag 1\.7s/);
    // Without a heartbeat there is no number at all, only the state.
    const plain = lagStatusView({ kind: 'live', update: live([r({ state: 'error', sqlRunning: false, lagSeconds: null, reason: 'SQL thread stopped' })], 'error', null) }, t);
    assert.match(plain.tooltip, /\*\*replica1\*\* \(127\\\.0\\\.0\\\.1:3307\): SQL thread stopped\n/);
  });
  test('first heartbeat on its way: "…" and ok, then "≥" for a lower bound', () => {
    const pending = r({ lagSeconds: null, lagMeaning: 'pending', source: 'heartbeat', reason: "lag pending: this session's first heartbeat has not reached the replica yet" });
    const v = lagStatusView({ kind: 'live', update: live([pending, { ...pending, name: 'replica2' }], 'ok', null) }, t);
    assert.equal(v.text, '$(pulse) …');
    assert.equal(v.background, null);
    assert.match(v.tooltip, /\$\(check\) \*\*replica1\*\* \(127\\\.0\\\.0\\\.1:3307\): lag pending: this session's first heartbeat has not reached the replica yet \(heartbeat\)/);
    const behind = r({ state: 'error', lagSeconds: 12, lagMeaning: 'at-least', source: 'heartbeat', reason: 'lag ≥ 12.0s > 10s' });
    const e = lagStatusView({ kind: 'live', update: live([behind, pending], 'error', 12) }, t);
    assert.equal(e.text, '$(error) ≥12.0s');
    assert.match(e.tooltip, /: lag ≥ 12\.0s \(heartbeat\)/);
  });
  test('inactive, starting, no profiles', () => {
    assert.equal(lagStatusView({ kind: 'inactive' }, t).text, '$(pulse) off');
    assert.equal(lagStatusView({ kind: 'starting', profile: 'p' }, t).text, '$(pulse) …');
    assert.equal(lagStatusView({ kind: 'no-profiles' }, t).visible, false);
  });
  test('sparkline points', () => {
    assert.equal(sparkPoints([[0, 0], [1, 2], [2, null], [3, 4]], 4), '0,40 80,20 240,0');
  });
});
