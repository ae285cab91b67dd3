import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildJobSpec, checkChoices, confirmationText, DEFAULT_OPTIONS, describeOptions, OPTION_RULES, readOptions, serverSpec, STRATEGIES,
  replicaTargetText, SAFETY_RULE, truncateText, validateNumber, watermarkCandidates, watermarkLimit, type MigrateChoices, type ProfileSetting,
} from '../../src/ui/migratePlan.js';
import type { ColumnSummary } from '../../src/engine/topology/types.js';
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

  test('full, incremental and hybrid are offered, each with a one-line explanation', () => {
    assert.deepEqual(STRATEGIES.map((s) => s.id), ['full', 'incremental', 'hybrid']);
    assert.equal(STRATEGIES[0].label, 'Full copy');
    for (const s of STRATEGIES) {
      assert.ok(s.detail.length > 20 && !s.detail.includes('\n'), `${s.id}: ${s.detail}`);
    }
  });
});

describe('migrate flow: incremental and hybrid', () => {
  const col = (table: string, name: string, dataType: string, over: Partial<ColumnSummary> = {}): ColumnSummary => ({
    table, name, dataType, columnType: dataType, nullable: false, autoIncrement: false, indexed: true, ...over,
  });
  const columns = [
    col('orders', 'id', 'bigint', { columnType: 'bigint(20) unsigned', autoIncrement: true }),
    col('orders', 'note', 'varchar'),
    col('orders', 'total', 'decimal', { indexed: false }),
    col('orders', 'updated_at', 'timestamp'),
    col('customers', 'id', 'int', { columnType: 'int(11)', autoIncrement: true }),
    col('customers', 'updated_at', 'datetime', { indexed: false, nullable: true }),
  ];

  test('the watermark pick lists numeric and temporal columns of the table, each stating the limit', () => {
    const c = watermarkCandidates(columns, ['orders']);
    assert.deepEqual(c.map((x) => x.column), ['id', 'updated_at', 'total']);
    assert.equal(c[0].description, 'bigint(20) unsigned · auto-increment');
    assert.equal(c[0].detail, 'Copies rows whose id is above the stored mark; sees neither deletes nor updates that leave id alone.');
    assert.equal(c[1].temporal, true);
    assert.equal(c[0].temporal, false);
    assert.match(c[2].detail, /Not indexed in orders: each run reads the whole table\./);
    assert.match(c[1].detail, /sees neither deletes nor updates that leave updated_at alone/);
  });

  test('for several tables only the columns every table has are offered', () => {
    const c = watermarkCandidates(columns, ['orders', 'customers']);
    assert.deepEqual(c.map((x) => x.column), ['id', 'updated_at']);
    assert.equal(c[0].description, 'bigint(20) unsigned / int(11) · auto-increment · in all 2 tables');
    assert.equal(c[1].description, 'timestamp / datetime · nullable · in all 2 tables');
    assert.match(c[1].detail, /Not indexed in customers/);
    assert.deepEqual(watermarkCandidates(columns, ['orders', 'missing']), []);
    assert.equal(watermarkLimit('seq'), 'sees neither deletes nor updates that leave seq alone');
  });

  test('incremental: the spec carries the mode and the watermark (a zero safety window is left out)', () => {
    const spec = buildJobSpec(choices({ strategy: 'incremental', watermark: { column: 'updated_at', safetySeconds: 30 }, first: ['orders'] }));
    assert.equal(spec.mode, 'incremental');
    assert.deepEqual(spec.watermark, { column: 'updated_at', safetySeconds: 30 });
    assert.equal('first' in spec, false, 'first is hybrid only');
    assert.deepEqual(buildJobSpec(choices({ strategy: 'incremental', watermark: { column: 'id', safetySeconds: 0 } })).watermark, { column: 'id' });
    assert.equal(checkChoices(choices({ strategy: 'incremental' })), 'The incremental strategy needs a watermark column (an auto-increment id or a timestamp such as updated_at).');
    assert.equal(checkChoices(choices({ strategy: 'incremental', watermark: { column: 'id' } })), undefined);
    const { detail } = confirmationText(spec);
    assert.match(detail, /Strategy: incremental on updated_at: copies the rows whose updated_at is above the stored mark/);
    assert.match(detail, /it sees neither deletes nor updates that leave updated_at alone\./);
    assert.match(detail, /within 30 s of the source's clock/);
  });

  test('hybrid: the spec carries the mode and the tables to copy first, and the default sync threshold', () => {
    const spec = buildJobSpec(choices({ strategy: 'hybrid', tables: ['orders', 'customers', 'items'], first: ['customers'], watermark: { column: 'id' } }));
    assert.equal(spec.mode, 'hybrid');
    assert.deepEqual(spec.first, ['customers']);
    assert.equal('watermark' in spec, false, 'the watermark is incremental only');
    assert.equal('syncThresholdSeconds' in spec, false);
    assert.equal('first' in buildJobSpec(choices({ strategy: 'hybrid', first: [] })), false);
    const { detail } = confirmationText(spec);
    assert.match(detail, /Reads from 127\.0\.0\.1:3306, database shop; nothing is written there until you ask for the cut-over\./);
    assert.match(detail, /Strategy: hybrid: a snapshot copy \(customers first\), then the source's binlog changes applied until you cut over/);
    assert.match(detail, /blocks writes on 127\.0\.0\.1:3306/);
  });

  test('full: no watermark, no first, and the confirmation says one snapshot', () => {
    const spec = buildJobSpec(choices({ watermark: { column: 'id' }, first: ['orders'] }));
    assert.equal('watermark' in spec || 'first' in spec, false);
    assert.match(confirmationText(spec).detail, /Strategy: full copy from one consistent snapshot\./);
  });

  test('the safety window is a whole number of seconds from 0 to a day', () => {
    assert.equal(validateNumber('0', SAFETY_RULE), undefined);
    assert.equal(validateNumber('300', SAFETY_RULE), undefined);
    assert.equal(validateNumber('-1', SAFETY_RULE), 'Enter a number from 0 to 86400.');
    assert.equal(validateNumber('1.5', SAFETY_RULE), 'Enter a whole number.');
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
