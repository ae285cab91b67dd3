import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildCopySpec } from '../../src/cli/options';
import { connectionFix, connectionMessage } from '../../src/cli/connectionHelp';
import { transientCause } from '../../src/engine/copy/retry';

const base = { from: 'mysql://u@a:1/src', to: 'mysql://u@b:2/dst', tables: 't' };

describe('cli: replica targets, heartbeat, retries', () => {
  it('--allow-replica-target needs --yes, and only then reaches the spec', () => {
    assert.throws(() => buildCopySpec({ ...base, allowReplicaTarget: true }), /changes reach replicas through their primary.*Add --yes/);
    assert.equal(buildCopySpec({ ...base, allowReplicaTarget: true, yes: true }).allowReplicaTarget, true);
    assert.equal(buildCopySpec({ ...base }).allowReplicaTarget, undefined);
  });

  it('--heartbeat names a database and needs a --replica to read it on', () => {
    assert.throws(() => buildCopySpec({ ...base, heartbeat: 'hb' }), /add at least one --replica/);
    assert.throws(() => buildCopySpec({ ...base, heartbeat: ' ', replica: ['mysql://u@r:3'] }), /needs a database name/);
    assert.deepEqual(buildCopySpec({ ...base, heartbeat: 'hb', replica: ['mysql://u@r:3'] }).heartbeat, { database: 'hb' });
  });

  it('--retries is a whole number from 0 to 100', () => {
    assert.equal(buildCopySpec({ ...base, retries: '0' }).retries, 0);
    assert.equal(buildCopySpec({ ...base }).retries, undefined);
    assert.throws(() => buildCopySpec({ ...base, retries: '-1' }), /--retries/);
  });
});

describe('cli: connection failures name the side and the fix', () => {
  it('a wrong password names the variable of that role', () => {
    const f = { role: 'target' as const, server: '127.0.0.1:3307', kind: 'auth' as const, error: 'Access denied for rw on 127.0.0.1:3307' };
    assert.match(connectionFix(f), /RW_MIGRATE_TO_PASSWORD/);
    assert.match(connectionFix({ ...f, role: 'source' }), /RW_MIGRATE_FROM_PASSWORD/);
    assert.match(connectionFix({ ...f, role: 'replica' }), /RW_MIGRATE_REPLICA_PASSWORD.*--replica/);
    assert.equal(connectionMessage(f).split('\n')[0], 'cannot connect to the target 127.0.0.1:3307: Access denied for rw on 127.0.0.1:3307');
  });
  it('an unreachable server names the option that gave it', () => {
    assert.match(connectionFix({ role: 'source', server: 'h:1', kind: 'unreachable', error: 'refused' }), /host and port in --from/);
  });
});

describe('copy: which faults are retried', () => {
  // Shaped as mysql2 reports them (code, errno, fatal), as seen in the integration tests.
  it('deadlock, lock wait timeout and a lost connection are transient', () => {
    assert.equal(transientCause({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }), 'deadlock');
    assert.equal(transientCause({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }), 'lock wait timeout');
    assert.equal(transientCause({ code: 'ER_CONNECTION_KILLED', errno: 1927 }), 'connection lost');
    assert.equal(transientCause({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'connection lost');
    assert.equal(transientCause(new Error("Can't add new command when connection is in closed state")), 'connection lost');
  });
  it('anything else is not: a retry would only repeat it', () => {
    assert.equal(transientCause({ code: 'ER_DUP_ENTRY', errno: 1062 }), null);
    assert.equal(transientCause({ code: 'ER_QUERY_INTERRUPTED', errno: 1317 }), null);
    assert.equal(transientCause(new Error('target rejected rows')), null);
    assert.equal(transientCause(null), null);
  });
});
