// Keyset SQL for every key shape: the bound must select exactly what ORDER BY over the index puts
// after it (the integration corpus proves it on a server: test/integration/copy-corpus.test.ts).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { afterCondition, chunkQuery, keyEqualsCondition, keyMayRepeat, keySelectList, upToCondition, type KeyColumn } from '../../src/engine/db/keyset';
import { codecFor, keyLiteral, maxOrdinal, memberOrdinal, parseMembers, readSql } from '../../src/engine/db/sql';

const b = (s: string) => Buffer.from(s, 'utf8');
const sqlOf = (c: { sql: string; values: { toSqlString(): string }[] }) => {
  let i = 0;
  return c.sql.replace(/\?/g, () => c.values[i++].toSqlString());
};
const members = (...m: string[]) => m.map(b);

describe('keyset: ENUM and SET bind the number they sort by', () => {
  const e: KeyColumn = { name: 'e', codec: codecFor('enum', 'utf8mb4', 'utf8mb4_general_ci', { members: members('zeta', 'alpha', 'mid') }) };
  const id: KeyColumn = { name: 'id', codec: codecFor('int', null, null) };

  it('ENUM: declaration index, the error value as 0, IN lists for the values after a bound', () => {
    assert.equal(memberOrdinal(e.codec, b('alpha')), 2n);
    assert.equal(memberOrdinal(e.codec, b('')), 0n);
    assert.throws(() => memberOrdinal(e.codec, b('nope')), /not a member/);
    assert.equal(keyLiteral(e.codec, b('mid')).toSqlString(), '3');
    assert.equal(sqlOf(afterCondition([e, id], [b('alpha'), b('7')])), '(`e` IN (3) OR (`e` = 2 AND `id` > 7))');
    // Nothing sorts after the last member: only the rest of its own group.
    assert.equal(sqlOf(afterCondition([e, id], [b('mid'), b('7')])), '(`e` = 3 AND `id` > 7)');
    assert.equal(sqlOf(upToCondition([e, id], [b('alpha'), b('7')])), '(`e` IN (0, 1) OR (`e` = 2 AND `id` <= 7))');
    assert.equal(sqlOf(afterCondition([e], [b('mid')])), 'FALSE');
  });

  it('ENUM with more members than an IN list: a numeric comparison', () => {
    const many = Array.from({ length: 2000 }, (_, i) => `m${i}`);
    const k: KeyColumn = { name: 'e', codec: codecFor('enum', 'utf8mb4', 'utf8mb4_bin', { members: members(...many) }) };
    assert.equal(sqlOf(afterCondition([k], [b('m5')])), '`e` > 6');
    assert.equal(sqlOf(afterCondition([k], [b('m1990')])), '`e` IN (1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999, 2000)');
  });

  it('SET: the bit value of the members listed, in declaration order', () => {
    const s = codecFor('set', 'latin1', 'latin1_swedish_ci', { members: [Buffer.from('x'), Buffer.from('y,z'.replace(',', '')), Buffer.from([0xfc])] });
    assert.equal(memberOrdinal(s, Buffer.from('')), 0n);
    assert.equal(memberOrdinal(s, Buffer.from('x,yz')), 3n);
    assert.equal(memberOrdinal(s, Buffer.concat([Buffer.from('x,'), Buffer.from([0xfc])])), 5n);
    assert.equal(maxOrdinal(s), 7n);
    assert.throws(() => memberOrdinal(s, Buffer.from('yz,x')), /not a SET/);
    assert.equal(sqlOf(afterCondition([{ name: 's', codec: s }], [Buffer.from('yz')])), '`s` IN (3, 4, 5, 6, 7)');
  });

  it('parses members from COLUMN_TYPE with doubled quotes and backslashes', () => {
    assert.deepEqual(parseMembers("enum('a''b','c\\\\d','é,x',' sp','')"), ["a'b", 'c\\d', 'é,x', ' sp', '']);
    assert.deepEqual(parseMembers("set('x','y')"), ['x', 'y']);
  });
});

describe('keyset: other shapes', () => {
  it('BIT binds its unsigned value (a binary literal compares differently with and without the index)', () => {
    const bit = codecFor('bit', null, null);
    assert.equal(keyLiteral(bit, Buffer.from([0x01, 0xf4])).toSqlString(), '500');
    assert.equal(keyLiteral(bit, Buffer.alloc(8, 0xff)).toSqlString(), '18446744073709551615');
  });

  it('FLOAT keys and values are read through DOUBLE; INET6 and UUID in their binary form', () => {
    assert.equal(readSql('f', codecFor('float', null, null)), 'CAST(`f` AS DOUBLE)');
    assert.equal(readSql('d', codecFor('double', null, null)), '`d`');
    assert.equal(readSql('a', codecFor('inet6', null, null)), 'CAST(`a` AS BINARY)');
    assert.equal(readSql('u', codecFor('uuid', null, null)), 'CAST(`u` AS BINARY)');
    const k: KeyColumn[] = [{ name: 'f', codec: codecFor('float', null, null) }, { name: 'id', codec: codecFor('int', null, null) }];
    assert.equal(keySelectList(k), 'CAST(`f` AS DOUBLE), `id`');
  });

  it('strings compare in their own collation', () => {
    const s: KeyColumn = { name: 'k', codec: codecFor('varchar', 'utf8mb4', 'utf8mb4_unicode_ci') };
    assert.equal(sqlOf(afterCondition([s], [b('a ')])), "`k` > _utf8mb4 X'6120' COLLATE utf8mb4_unicode_ci");
  });

  it('NULLs sort first: bounds with NULL and nullable columns say so', () => {
    const a: KeyColumn = { name: 'a', codec: codecFor('varchar', 'utf8mb4', 'utf8mb4_general_ci', { nullable: true }) };
    const c: KeyColumn = { name: 'c', codec: codecFor('int', null, null, { nullable: true }) };
    assert.equal(keyMayRepeat([a, c]), true);
    assert.equal(keyMayRepeat([{ name: 'id', codec: codecFor('int', null, null) }]), false);
    assert.equal(sqlOf(afterCondition([a, c], [null, b('5')])), '(`a` IS NOT NULL OR (`a` IS NULL AND `c` > 5))');
    assert.equal(sqlOf(afterCondition([a, c], [null, null])), '(`a` IS NOT NULL OR (`a` IS NULL AND `c` IS NOT NULL))');
    assert.equal(sqlOf(upToCondition([a, c], [null, b('5')])), '(`a` IS NULL AND (`c` <= 5 OR `c` IS NULL))');
    assert.equal(
      sqlOf(upToCondition([a, c], [b('x'), null])),
      "((`a` < _utf8mb4 X'78' COLLATE utf8mb4_general_ci OR `a` IS NULL) OR (`a` = _utf8mb4 X'78' COLLATE utf8mb4_general_ci AND `c` IS NULL))",
    );
    assert.equal(sqlOf(keyEqualsCondition([a, c], [null, b('5')])), '(`a` IS NULL AND `c` = 5)');
  });

  it('chunk queries: a LIMIT, a probe OFFSET, or a whole range', () => {
    const id: KeyColumn[] = [{ name: 'id', codec: codecFor('int', null, null) }];
    assert.equal(chunkQuery('t', '*', id, { after: null, upTo: null }, 10).sql, 'SELECT * FROM t ORDER BY `id` LIMIT 10');
    assert.equal(chunkQuery('t', '`id`', id, { after: [b('3')], upTo: null }, 1, 9).sql, 'SELECT `id` FROM t WHERE `id` > ? ORDER BY `id` LIMIT 1 OFFSET 9');
    assert.equal(chunkQuery('t', '*', id, { after: [b('3')], upTo: [b('9')] }, Infinity).sql, 'SELECT * FROM t WHERE `id` > ? AND `id` <= ? ORDER BY `id`');
  });
});
