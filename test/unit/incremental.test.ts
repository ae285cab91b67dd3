// The pure parts of --mode incremental: the cursor's columns, which tables/columns may carry a
// watermark, the stored form of a mark, where the mark may go, which job a copy continues, and the
// CLI's usage rules.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { cursorColumns, cursorOf, hasLeadingIndex, markOf, nextMark, watermarkProblems } from '../../src/engine/incremental/cursor.js';
import { sameIncrementalJob } from '../../src/engine/incremental/identity.js';
import { codecFor } from '../../src/engine/db/sql.js';
import { afterCondition } from '../../src/engine/db/keyset.js';
import type { ColumnInfo, TableDefinition } from '../../src/engine/schema/inspector.js';
import type { JobSpec } from '../../src/engine/jobs/types.js';
import { INCREMENTAL_BLIND_SPOTS } from '../../src/engine/jobs/modes.js';
import { buildCopySpec } from '../../src/cli/options';

function col(name: string, dataType: string, nullable = false, columnType = dataType): ColumnInfo {
  return { name, dataType, columnType, nullable, charset: null, collation: null, generated: false, generationExpression: null, codec: codecFor(dataType, null, null, { nullable }) };
}

function table(columns: ColumnInfo[], key: string[] | null, indexes: string[][] = []): TableDefinition {
  return {
    database: 'db',
    name: 't',
    engine: 'InnoDB',
    estimatedRows: 0,
    avgRowLength: 0,
    columns,
    indexes: [...(key ? [{ name: 'PRIMARY', unique: true, columns: key, prefix: false }] : []), ...indexes.map((c, i) => ({ name: `k${i}`, unique: false, columns: c, prefix: false }))],
    createStatement: '',
    key: key ? { name: 'PRIMARY', unique: true, columns: key, prefix: false } : null,
  };
}

describe('incremental: cursor', () => {
  it('orders by the column, then the key (the column once when it is the key)', () => {
    assert.deepEqual(cursorColumns('updated_at', ['id']), ['updated_at', 'id']);
    assert.deepEqual(cursorColumns('id', ['id']), ['id']);
    assert.deepEqual(cursorColumns('b', ['a', 'b', 'c']), ['b', 'a', 'c']);
  });

  it('reads after the mark as a row constructor: equal column values continue by key', () => {
    const keys = [{ name: 'updated_at', codec: codecFor('datetime', null, null) }, { name: 'id', codec: codecFor('int', null, null) }];
    const c = afterCondition(keys, cursorOf({ value: '2026-01-01 00:00:11.250001', key: ['42'] }));
    assert.equal(c.sql, '(`updated_at` > ? OR (`updated_at` = ? AND `id` > ?))');
    assert.equal(c.values.length, 3);
  });

  it('stores a mark as the printed value plus the key, and reads it back byte for byte', () => {
    const cursor = [Buffer.from('2026-01-01 00:00:11.250001'), Buffer.from('42'), Buffer.from([0xff, 0x00])];
    const m = markOf(cursor);
    assert.deepEqual(m, { value: '2026-01-01 00:00:11.250001', key: ['42', { hex: 'ff00' }] });
    assert.deepEqual(cursorOf(JSON.parse(JSON.stringify(m)) as typeof m), cursor);
  });

  it('moves the mark in the settled pass only', () => {
    const stored = { value: '5', key: [] };
    assert.deepEqual(nextMark('settled', stored, [Buffer.from('9')]), { value: '9', key: [] });
    assert.equal(nextMark('recent', stored, [Buffer.from('12')]), stored, 'rows inside the safety window leave the mark where it was');
    assert.equal(nextMark('recent', null, [Buffer.from('12')]), null);
  });
});

describe('incremental: which tables and columns', () => {
  const ok = table([col('id', 'int'), col('updated_at', 'datetime')], ['id'], [['updated_at']]);

  it('accepts integers and temporal columns with a key', () => {
    assert.deepEqual(watermarkProblems(ok, { column: 'updated_at', safetySeconds: 5 }), []);
    assert.deepEqual(watermarkProblems(ok, { column: 'id' }), []);
    assert.ok(hasLeadingIndex(ok, 'updated_at'));
    assert.ok(!hasLeadingIndex(table([col('id', 'int'), col('ts', 'timestamp')], ['id']), 'ts'));
  });

  it('refuses, each with its fix', () => {
    assert.match(watermarkProblems(ok, { column: 'nope' }).join(), /no column nope .*name a column this table has/);
    for (const t of ['float', 'double', 'json', 'blob', 'varchar', 'enum', 'bit', 'time']) {
      const p = watermarkProblems(table([col('id', 'int'), col('c', t)], ['id']), { column: 'c' });
      assert.match(p.join(), /cannot carry a watermark.*choose an integer, DECIMAL, DATE, DATETIME or TIMESTAMP/, t);
    }
    assert.match(watermarkProblems(ok, { column: 'id', safetySeconds: 3 }).join(), /temporal|DATE, DATETIME and TIMESTAMP columns only; drop --watermark-safety/);
    assert.match(watermarkProblems(table([col('ts', 'datetime')], null), { column: 'ts' }).join(), /add a PRIMARY KEY/);
    const nullableKey = table([col('u', 'int', true), col('ts', 'datetime')], ['u']);
    assert.match(watermarkProblems(nullableKey, { column: 'ts' }).join(), /nullable columns.*add a PRIMARY KEY/);
  });
});

describe('incremental: which job a copy continues', () => {
  const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
    source: { host: 'a', port: 1, user: 'u' },
    target: { host: 'b', port: 2, user: 'u' },
    sourceDatabase: 's',
    targetDatabase: 't',
    tables: ['x', 'y'],
    mode: 'incremental',
    watermark: { column: 'id' },
    ...over,
  });

  it('the same source, databases, tables (any order) and column', () => {
    assert.ok(sameIncrementalJob(spec(), spec({ tables: ['y', 'x'], watermark: { column: 'id', safetySeconds: 9 }, writers: 3 })));
    assert.ok(!sameIncrementalJob(spec(), spec({ watermark: { column: 'updated_at' } })));
    assert.ok(!sameIncrementalJob(spec(), spec({ tables: ['x'] })));
    assert.ok(!sameIncrementalJob(spec(), spec({ sourceDatabase: 'other' })));
    assert.ok(!sameIncrementalJob(spec({ mode: 'full' }), spec()));
    assert.ok(!sameIncrementalJob(spec(), spec({ source: { host: 'a', port: 3, user: 'u' } })));
  });
});

describe('incremental: CLI options', () => {
  const base = { from: 'mysql://u@a:1/src', to: 'mysql://u@b:2/dst', tables: 'a' };

  it('builds an incremental spec that upserts', () => {
    const s = buildCopySpec({ ...base, mode: 'incremental', watermark: 'updated_at', watermarkSafety: '30' });
    assert.equal(s.mode, 'incremental');
    assert.deepEqual(s.watermark, { column: 'updated_at', safetySeconds: 30 });
    assert.equal(s.ifExists, 'upsert');
    assert.deepEqual(buildCopySpec({ ...base, mode: 'incremental', watermark: 'id' }).watermark, { column: 'id' });
  });

  it('refuses --watermark without --mode incremental and the reverse', () => {
    assert.throws(() => buildCopySpec({ ...base, watermark: 'id' }), /--watermark is for --mode incremental/);
    assert.throws(() => buildCopySpec({ ...base, watermarkSafety: '5' }), /--watermark-safety is for --mode incremental/);
    assert.throws(() => buildCopySpec({ ...base, mode: 'incremental' }), /needs --watermark COLUMN/);
    assert.throws(() => buildCopySpec({ ...base, mode: 'incremental', watermark: 'id', watermarkSafety: '-1' }), /--watermark-safety must be/);
    assert.throws(() => buildCopySpec({ ...base, mode: 'incremental', watermark: 'id', ifExists: 'truncate', yes: true }), /never empties/);
  });

  it('says what the mode does not see', () => {
    assert.match(INCREMENTAL_BLIND_SPOTS, /neither deletes nor updates that leave that column alone/);
    assert.match(INCREMENTAL_BLIND_SPOTS, /sync.*hybrid/);
  });
});
