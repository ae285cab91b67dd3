import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfileSetting } from '../../src/engine/topology/profileModel.js';
import { nodeView } from '../../src/tree/nodes.js';

const profile: ProfileSetting = { name: 'sandbox', primary: { host: '127.0.0.1', port: 3307, user: 'rwadmin' }, replicas: [] };

test('a server without a stored password is a key to click, not an error', () => {
  const v = nodeView({
    kind: 'server', profile, server: profile.primary, role: 'primary', summary: null, lag: null,
    error: { kind: 'no-password', message: 'No password stored for rwadmin@127.0.0.1:3307' },
  });
  assert.equal(v.icon, 'key');
  assert.equal(v.iconColor, undefined);
  assert.equal(v.contextValue, 'type=server,role=primary,state=locked');
  assert.equal(v.description, 'primary · password needed: click to enter it');
  assert.deepEqual(v.command, { title: 'Set password', command: 'rwMigrate.setPassword' });
});

test('a wrong password stays an error with its fix', () => {
  const v = nodeView({
    kind: 'server', profile, server: profile.primary, role: 'primary', summary: null, lag: null,
    error: { kind: 'auth', message: 'Access denied for rwadmin' },
  });
  assert.equal(v.icon, 'error');
  assert.match(v.contextValue, /state=error/);
});

test("a stopped replica's row says how long ago it last applied, not 'lag'", () => {
  const replica = { host: '127.0.0.1', port: 3308, user: 'rwadmin', name: 'replica1' };
  const v = nodeView({
    kind: 'server', profile: { ...profile, replicas: [replica] }, server: replica, role: 'replica', summary: null, error: null,
    lag: {
      name: 'replica1', host: '127.0.0.1', port: 3308, state: 'error', reason: 'SQL thread stopped', lagSeconds: 2, lagMeaning: 'last-applied',
      source: 'heartbeat', reachable: true, ioRunning: 'yes', sqlRunning: false, lastIoError: '', lastSqlError: '', history: [],
    },
  });
  assert.equal(v.description, 'replica · last applied 2.0s ago · SQL thread stopped');
  assert.equal(v.icon, 'error');
});
