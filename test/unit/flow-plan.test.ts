import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildJobSpec, checkChoices, confirmationText, DEFAULT_OPTIONS, describeOptions, OPTION_RULES, readOptions, serverSpec, STRATEGIES,
  replicaTargetText, truncateText, validateNumber, type MigrateChoices, type ProfileSetting,
} from '../../src/ui/migratePlan.js';
import { locate, nodeFacts } from '../../src/ui/nodeFacts.js';

const source = serverSpec({ host: '127.0.0.1', port: 3306, user: 'rwadmin' }, 'primary');
const target = serverSpec({ host: '127.0.0.1', port: 3309, user: 'rwadmin' }, 'sandbox-target');

function choices(over: Partial<MigrateChoices> = {}): MigrateChoices {
  return {
    source,
    sourceDatabase: 'shop',
    tables: ['orders'],
    target,
    targetDatabase: 'shop',
    targetReplicas: [],
    strategy: 'full',
    options: DEFAULT_OPTIONS,
    ...over,
  };
}

describe('migrate flow: options', () => {
  test('numbers are validated with a message naming the allowed range', () => {
    assert.equal(validateNumber('4', OPTION_RULES.writers), undefined);
    assert.equal(validateNumber(' 0.5 ', OPTION_RULES.chunkTimeSeconds), undefined);
    assert.equal(validateNumber('', OPTION_RULES.writers), 'Enter a number.');
    assert.equal(validateNumber('abc', OPTION_RULES.writers), 'Enter a number.');
    assert.equal(validateNumber('2.5', OPTION_RULES.writers), 'Enter a whole number.');
    assert.equal(validateNumber('0', OPTION_RULES.writers), 'Enter a number from 1 to 32.');
    assert.equal(validateNumber('100', OPTION_RULES.writers), 'Enter a number from 1 to 32.');
  });

  test('remembered options are read back safely; a remembered truncate falls back to abort', () => {
    assert.deepEqual(readOptions(undefined), DEFAULT_OPTIONS);
    assert.deepEqual(readOptions('junk'), DEFAULT_OPTIONS);
    assert.deepEqual(readOptions({ writers: 8, chunkTimeSeconds: 1, maxLagSeconds: 3, ifExists: 'upsert' }), {
      writers: 8,
      chunkTimeSeconds: 1,
      maxLagSeconds: 3,
      ifExists: 'upsert',
    });
    assert.equal(readOptions({ writers: 999 }).writers, DEFAULT_OPTIONS.writers);
    assert.equal(readOptions({ writers: '8' }).writers, DEFAULT_OPTIONS.writers);
    assert.equal(readOptions({ ifExists: 'truncate' }).ifExists, 'abort');
    assert.equal(readOptions({ ifExists: 'drop' }).ifExists, 'abort');
  });

  test('options read as one line', () => {
    assert.equal(describeOptions(DEFAULT_OPTIONS), 'chunks of 0.5 s · 4 writers · wait when lag > 1 s · non-empty tables: abort');
  });

  test('full is the one strategy offered', () => {
    assert.deepEqual(STRATEGIES.map((s) => s.id), ['full']);
  });
});

describe('migrate flow: spec and confirmation', () => {
  test('the spec carries the choices, the target replicas and no password', () => {
    const replica = serverSpec({ host: '127.0.0.1', port: 3310, user: 'rwadmin' });
    const spec = buildJobSpec(choices({ targetReplicas: [replica], targetDatabase: ' shop_copy ' }));
    assert.deepEqual(spec, {
      source,
      target,
      sourceDatabase: 'shop',
      targetDatabase: 'shop_copy',
      tables: ['orders'],
      mode: 'full',
      writers: 4,
      chunkTimeSeconds: 0.5,
      maxLagSeconds: 1,
      ifExists: 'abort',
      replicas: [replica],
    });
    assert.equal(JSON.stringify(spec).includes('password'), false);
  });

  test('truncate carries the extra confirmation flag only when given', () => {
    const opts = { ...DEFAULT_OPTIONS, ifExists: 'truncate' as const };
    assert.equal(buildJobSpec(choices({ options: opts })).confirmTruncate, false);
    assert.equal(buildJobSpec(choices({ options: opts, confirmTruncate: true })).confirmTruncate, true);
    assert.equal('confirmTruncate' in buildJobSpec(choices({ confirmTruncate: true })), false);
  });

  test('the confirmation names the target server, database, tables and the non-empty policy', () => {
    const { message, detail } = confirmationText(buildJobSpec(choices({ tables: ['orders', 'customers'], targetDatabase: 'shop_copy' })));
    assert.equal(message, 'Write to 127.0.0.1:3309, database shop_copy?');
    assert.match(detail, /Writes 2 tables: orders, customers/);
    assert.match(detail, /to server 127\.0\.0\.1:3309 \(sandbox-target\), database shop_copy/);
    assert.match(detail, /rw_migrate schema on 127\.0\.0\.1:3309/);
    assert.match(detail, /Reads from 127\.0\.0\.1:3306, database shop; nothing is written there/);
    assert.match(detail, /Non-empty target tables: abort/);
    const all = confirmationText(buildJobSpec(choices({ tables: 'all' })));
    assert.match(all.detail, /Writes every table of shop/);
  });

  test('truncate has its own warning naming what is deleted where', () => {
    const t = truncateText(buildJobSpec(choices({ options: { ...DEFAULT_OPTIONS, ifExists: 'truncate' } })));
    assert.equal(t.message, 'Delete all rows of the target tables on 127.0.0.1:3309, database shop?');
    assert.match(t.detail, /empties table orders on 127\.0\.0\.1:3309/);
  });

  test('copying a database onto itself, an empty table list or an empty name is refused', () => {
    const same = serverSpec({ host: '127.0.0.1', port: 3306, user: 'x' });
    assert.match(checkChoices(choices({ target: same })) ?? '', /source and the target are the same: 127\.0\.0\.1:3306, database shop/);
    assert.equal(checkChoices(choices({ target: same, targetDatabase: 'shop_copy' })), undefined);
    assert.equal(checkChoices(choices({ tables: [] })), 'No table was chosen.');
    assert.equal(checkChoices(choices({ targetDatabase: '  ' })), 'The target database name is empty.');
    assert.equal(checkChoices(choices()), undefined);
  });
});

describe('migrate flow: tree node facts', () => {
  const profiles: ProfileSetting[] = [
    { name: 'sandbox', primary: { host: '127.0.0.1', port: 3306, user: 'a' }, replicas: [{ host: '127.0.0.1', port: 3307 }] },
    { name: 'target', primary: { host: '127.0.0.1', port: 3309 }, target: true },
  ];

  test('no argument, or a non-node argument, gives no facts', () => {
    assert.deepEqual(nodeFacts(undefined), {});
    assert.deepEqual(nodeFacts('rwMigrate.topology'), {});
    assert.deepEqual(nodeFacts([1, 2]), {});
  });

  test('a table node gives its profile, server, database and table', () => {
    const facts = nodeFacts({ kind: 'table', profile: profiles[0], server: { host: '127.0.0.1', port: 3307 }, role: 'replica', database: 'shop', table: { name: 'orders', hasPrimaryKey: true } });
    assert.deepEqual(facts, { profile: 'sandbox', server: { host: '127.0.0.1', port: 3307 }, role: 'replica', database: 'shop', table: 'orders' });
    assert.deepEqual(locate(facts, profiles), { profile: profiles[0], server: { host: '127.0.0.1', port: 3307 }, role: 'replica' });
  });

  test('a database node with only a name, and a profile without a server, fall back sensibly', () => {
    const facts = nodeFacts({ kind: 'database', profile: 'sandbox', name: 'shop' });
    assert.deepEqual(facts, { profile: 'sandbox', database: 'shop' });
    assert.equal(locate(facts, profiles)?.role, 'primary');
    assert.equal(locate({ profile: 'gone' }, profiles), undefined);
    assert.equal(locate({ profile: 'sandbox', server: { host: 'elsewhere' } }, profiles), undefined);
  });
});

describe('migrate flow: a replica as the target', () => {
  const facts = { version: '10.11.19', flavor: 'mariadb' as const, versionNumber: [10, 11, 19] as [number, number, number], serverId: 2, readOnly: true, logBin: false, binlogFormat: 'ROW', gtidMode: 'ON', gtidPosition: '0-1-5' };
  const channel = { channel: '', sourceHost: '10.0.0.1', sourcePort: 3306, ioRunning: 'yes' as const, sqlRunning: true, secondsBehind: 0, lastIoError: '', lastSqlError: '' };
  test('a replicating, read_only target gets a modal that says why and what to do instead', () => {
    const spec = buildJobSpec(choices());
    const w = replicaTargetText(spec, { facts, replication: [channel] as never });
    assert.ok(w);
    assert.equal(w.message, '127.0.0.1:3309 is a replica. Write to it anyway?');
    assert.match(w.detail, /It replicates from 10\.0\.0\.1:3306\./);
    assert.match(w.detail, /read_only set/);
    assert.match(w.detail, /Changes reach replicas through their primary/);
  });
  test('a plain primary gets no warning', () => {
    assert.equal(replicaTargetText(buildJobSpec(choices()), { facts: { ...facts, readOnly: false }, replication: [] }), null);
  });
});
