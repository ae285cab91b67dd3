// Unit tests of the verification engine's pure parts: checksum SQL building and row classification.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundaryQuery, hashShape, rangeChecksumSql, rowBytesSql, rowHashesSql, rowsByKeySql } from '../../src/engine/verify/checksum.js';
import type { ColumnInfo, TableDefinition } from '../../src/engine/schema/inspector.js';
import { classifyRows, differingColumns, toCell, type HashedRow } from '../../src/engine/verify/rowDiff.js';
import { cellBytes, upsertSql } from '../../src/engine/verify/repair.js';
import { codecFor } from '../../src/engine/db/sql.js';
import { buildVerifySpec } from '../../src/cli/verifyCommand.js';

function col(name: string, dataType: string, opts: Partial<ColumnInfo> = {}): ColumnInfo {
  const charset = opts.charset ?? (/char|text|json/.test(dataType) ? 'utf8mb4' : null);
  const collation = opts.collation ?? (charset ? `${charset}_unicode_ci` : null);
  return {
    name,
    dataType,
    columnType: dataType,
    nullable: opts.nullable ?? true,
    charset,
    collation,
    generated: opts.generated ?? false,
    generationExpression: null,
    codec: codecFor(dataType, charset, collation),
  };
}

function table(name: string, columns: ColumnInfo[], key: string[] | null): TableDefinition {
  return {
    database: 'd`b',
    name,
    engine: 'InnoDB',
    estimatedRows: 0,
    avgRowLength: 0,
    columns,
    indexes: key ? [{ name: 'PRIMARY', unique: true, columns: key, prefix: false }] : [],
    createStatement: '',
    key: key ? { name: 'PRIMARY', unique: true, columns: key, prefix: false } : null,
  };
}

const odd = table(
  'odd`name',
  [col('i`d', 'int', { nullable: false }), col('na me', 'varchar'), col('blob', 'blob'), col('gen', 'int', { generated: true })],
  ['i`d'],
);

test('odd identifiers are quoted everywhere, values are placeholders', () => {
  const shape = hashShape(odd);
  const q = rangeChecksumSql('d`b', 'odd`name', shape, { after: [Buffer.from('5')], upTo: [Buffer.from('9')] });
  assert.match(q.sql, /FROM `d``b`\.`odd``name`/);
  assert.match(q.sql, /`i``d` > \? AND `i``d` <= \?/);
  assert.match(q.sql, /`na me`/);
  assert.equal(q.values.length, 2);
  assert.equal(String(q.values[0]), '5');
  const b = boundaryQuery('d`b', 'odd`name', shape.keyColumns, null, 1000);
  assert.match(b.sql, /ORDER BY `i``d` LIMIT 1 OFFSET 999$/);
  assert.equal(b.values.length, 0);
});

test('generated columns are left out of the hash unless asked for, on both sides alike', () => {
  const without = hashShape(odd);
  assert.deepEqual(without.columns, ['i`d', 'na me', 'blob']);
  assert.deepEqual(without.skipped, ['gen']);
  assert.doesNotMatch(without.rowBytes, /`gen`/);
  const withGen = hashShape(odd, { includeGenerated: true });
  assert.deepEqual(withGen.columns, ['i`d', 'na me', 'blob', 'gen']);
  assert.match(withGen.rowBytes, /`gen`/);
  // The same definition always gives the same SQL: both servers run identical text.
  assert.equal(hashShape(odd).rowBytes, without.rowBytes);
});

test('the row bytes carry NULL flags and string lengths, so NULL vs empty and separators are unambiguous', () => {
  const sql = rowBytesSql(odd.columns.slice(0, 3));
  assert.match(sql, /CONCAT\(ISNULL\(`na me`\), ISNULL\(`blob`\)\)/);
  assert.doesNotMatch(sql, /ISNULL\(`i``d`\)/, 'NOT NULL columns need no flag');
  assert.match(sql, /CONCAT_WS\(',', LENGTH\(`na me`\), LENGTH\(`blob`\)\)/);
});

test('mixed collations are hashed as binary; a single collation needs no cast', () => {
  const one = rowBytesSql([col('a', 'varchar'), col('b', 'text')]);
  assert.doesNotMatch(one, /CAST/);
  const mixed = rowBytesSql([col('a', 'varchar'), col('b', 'varchar', { charset: 'latin1', collation: 'latin1_swedish_ci' })]);
  assert.match(mixed, /CAST\(`a` AS BINARY\), CAST\(`b` AS BINARY\)/);
});

test('range aggregates: crc32 sums, md5 xors 64 bits', () => {
  const crc = rangeChecksumSql('d', 't', hashShape(odd), { after: null, upTo: null });
  assert.match(crc.sql, /^SELECT COUNT\(\*\) AS cnt, COALESCE\(SUM\(CRC32\(CONCAT_WS/);
  assert.doesNotMatch(crc.sql, /WHERE/);
  const md5 = rangeChecksumSql('d', 't', hashShape(odd, { algorithm: 'md5' }), { after: null, upTo: null });
  assert.match(md5.sql, /BIT_XOR\(CAST\(CONV\(LEFT\(MD5\(/);
});

test('row listing pairs string keys by collation weight, numbers by value', () => {
  const t = table('p', [col('sku', 'varchar', { nullable: false }), col('n', 'int', { nullable: false }), col('x', 'text')], ['sku', 'n']);
  const q = rowHashesSql('d', 'p', hashShape(t), { after: null, upTo: null });
  // Numbers pair by their exact value (HEX of a number is the hex of its integer part: 1.1 and 1.2 would pair).
  assert.match(q.sql, /CONCAT_WS\(':', HEX\(WEIGHT_STRING\(`sku`\)\), `n`\) AS rw_ident/);
  const byKey = rowsByKeySql('d', 'p', hashShape(t), [[Buffer.from('A'), Buffer.from('1')], [Buffer.from('b'), Buffer.from('2')]]);
  assert.match(byKey.sql, /WHERE \(`sku` = \? AND `n` = \?\) OR \(`sku` = \? AND `n` = \?\)$/);
  assert.equal(String(byKey.values[0]), "_utf8mb4 X'41' COLLATE utf8mb4_unicode_ci");
});

const row = (ident: string, hash: string): HashedRow => ({ ident, key: [Buffer.from(ident)], hash });

test('classification: missing, extra and different rows, in any order', () => {
  const source = [row('1', 'a'), row('2', 'b'), row('3', 'c'), row('5', 'e')];
  const target = [row('5', 'E'), row('4', 'd'), row('1', 'a'), row('3', 'c')];
  const c = classifyRows(source, target);
  assert.deepEqual(c.missing.map((r) => r.ident), ['2']);
  assert.deepEqual(c.extra.map((r) => r.ident), ['4']);
  assert.deepEqual(c.different.map((d) => [d.source.ident, d.source.hash, d.target.hash]), [['5', 'e', 'E']]);
  assert.deepEqual(classifyRows([], []), { missing: [], extra: [], different: [] });
  assert.equal(classifyRows(source, []).missing.length, 4);
  assert.equal(classifyRows([], target).extra.length, 4);
});

test('column comparison is byte-exact: trailing space, case, NULL vs empty', () => {
  const names = ['a', 'b', 'c', 'd'];
  const s = [Buffer.from('x '), Buffer.from('a'), null, Buffer.from([1, 2])];
  const t = [Buffer.from('x'), Buffer.from('A'), Buffer.from(''), Buffer.from([1, 2])];
  assert.deepEqual(differingColumns(names, s, t), ['a', 'b', 'c']);
  assert.deepEqual(differingColumns(names, s, s), []);
});

test('cells: text stays text, bytes become hex, and both come back byte for byte', () => {
  const utf = codecFor('varchar', 'utf8mb4', 'utf8mb4_bin');
  const latin = codecFor('varchar', 'latin1', 'latin1_swedish_ci');
  const bin = codecFor('blob', null, null);
  assert.equal(toCell(utf, Buffer.from('héllo 😀')), 'héllo 😀');
  assert.deepEqual(toCell(utf, Buffer.from([0xff, 0x41])), { hex: 'ff41' });
  assert.deepEqual(toCell(bin, Buffer.from('AB')), { hex: '4142' });
  assert.equal(toCell(latin, Buffer.from([0xe9])), 'é');
  assert.equal(toCell(utf, null), null);
  for (const [codec, bytes] of [[utf, Buffer.from('ü€')], [utf, Buffer.from([0xff])], [latin, Buffer.from([0xe9, 0x20])], [bin, Buffer.from([0, 1])]] as const) {
    assert.deepEqual(cellBytes(codec, toCell(codec, bytes)), bytes);
  }
});

test('repair upserts every written column as a binary literal and updates on duplicate keys', () => {
  const sql = upsertSql('d', 't`x', ['id', 'v'], [codecFor('int', null, null), codecFor('varchar', 'utf8mb4', 'utf8mb4_bin')], [[Buffer.from('7'), Buffer.from("it's")], [Buffer.from('8'), null]]);
  assert.equal(sql, "INSERT INTO `d`.`t``x` (`id`, `v`) VALUES (7, _binary X'69742773'), (8, NULL) ON DUPLICATE KEY UPDATE `id` = VALUES(`id`), `v` = VALUES(`v`)");
});

test('CLI: repair needs --yes, and the mode follows the flags', () => {
  const base = { from: 'mysql://u@h:3306/a', to: 'mysql://u@h2:3307/b', tables: 'x,y' };
  assert.throws(() => buildVerifySpec({ ...base, repair: true }), /--yes/);
  assert.throws(() => buildVerifySpec({ from: base.from, to: base.to }), /--tables a,b or --all/);
  assert.equal(buildVerifySpec(base).mode, 'checksum');
  assert.equal(buildVerifySpec({ ...base, rows: true }).mode, 'rows');
  assert.equal(buildVerifySpec({ ...base, repair: true, yes: true }).mode, 'rows');
  const s = buildVerifySpec({ ...base, count: true });
  assert.equal(s.mode, 'count');
  assert.deepEqual([s.database, s.targetDatabase, s.tables], ['a', 'b', ['x', 'y']]);
  assert.equal(buildVerifySpec({ from: base.from, to: base.to, all: true }).tables, undefined);
});

test('exact values: FLOAT/DOUBLE as exact DOUBLE text with the sign of zero, ENUM/SET with their number', async () => {
  const { hashParts, valueSql, keyIdentSql, storedType } = await import('../../src/engine/verify/exactValue.js');
  const f = col('f', 'float');
  assert.deepEqual(hashParts(f), ["IF(`f` = 0 AND ATAN2(`f`, -1) < 0, '-0', CAST(`f` AS DOUBLE))"]);
  assert.equal(valueSql(col('d', 'double')), "IF(`d` = 0 AND ATAN2(`d`, -1) < 0, '-0', CAST(`d` AS DOUBLE))");
  const e = col('e', 'enum', { charset: 'utf8mb4', collation: 'utf8mb4_bin' });
  assert.deepEqual(hashParts(e), ['`e`', '`e` + 0']);
  assert.equal(valueSql(e), '`e`');
  assert.deepEqual(hashParts(col('n', 'decimal')), ['`n`']);
  assert.equal(keyIdentSql(col('n', 'decimal')), '`n`');
  assert.equal(keyIdentSql(f), 'CAST(`f` AS DOUBLE)');
  assert.equal(keyIdentSql(col('b', 'varbinary')), 'HEX(`b`)');
  assert.equal(storedType({ columnType: 'int(11) unsigned' }), 'int unsigned');
  assert.equal(storedType({ columnType: "enum('x','y')" }), "enum('x','y')");
  // The row bytes of a FLOAT table hash the exact text, never the column's 6-digit rendering.
  assert.match(rowBytesSql([col('id', 'int', { nullable: false }), f]), /CAST\(`f` AS DOUBLE\)/);
  assert.doesNotMatch(rowBytesSql([col('id', 'int', { nullable: false }), f]), /, `f`[,)]/);
});

test('repair refusal: a replica, a read_only server, a declared replica, an unknown role; a writable server is allowed', async () => {
  const { repairRefusal } = await import('../../src/engine/verify/replicaGuard.js');
  assert.equal(repairRefusal('t', { channels: [], readOnly: false }), null);
  assert.match(repairRefusal('r1', { channels: [{ source: '10.0.0.1:3306', channel: '' }], readOnly: true }) ?? '', /^Repair refused: r1 is a replica or read-only \(it replicates from 10\.0\.0\.1:3306; read_only is ON\)\. Nothing was written\./);
  assert.match(repairRefusal('t', { channels: [], readOnly: false }, true) ?? '', /compared as a replica/);
  assert.match(repairRefusal('t', { channels: [], readOnly: false, unknown: { code: 'ER_SPECIFIC_ACCESS_DENIED_ERROR', message: 'Access denied', error: null } }) ?? '', /could not check whether t is a replica \(Access denied\).*SLAVE MONITOR/);
  assert.match(repairRefusal('r1', { channels: [{ source: 'p:1', channel: '' }], readOnly: false }) ?? '', /pt-table-sync --sync-to-master/);
});
