import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { decodeRows, encodeRows } from '../../src/engine/copy/encoder';
import type { RawRow } from '../../src/engine/db/rawRows';
import { codecFor, keyLiteral, quoteIdent, qualified, valueLiteral } from '../../src/engine/db/sql';
import { afterCondition, chunkQuery, upToCondition } from '../../src/engine/db/keyset';
import { ChunkSizer } from '../../src/engine/copy/chunkSizer';
import { missingRange, decodeKey, encodeKey, type CommittedChunk } from '../../src/engine/jobs/checkpoint';
import { redactSpec } from '../../src/engine/jobs/redact';
import { CommitSequencer } from '../../src/engine/copy/sequencer';
import { chooseKey, type ColumnInfo } from '../../src/engine/schema/inspector';

describe('engine: LOAD DATA encoding', () => {
  it('round-trips every byte value, NULL vs empty, and a literal \\N', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const rows: RawRow[] = [
      [all, null, Buffer.alloc(0)],
      [Buffer.from('\\N'), Buffer.from('tab\there\nnew\\line\r'), Buffer.from('😀 漢字', 'utf8')],
      [Buffer.from([0xe9]), Buffer.from('x'), null],
    ];
    const enc = encodeRows(rows, [0, 1, 2]);
    assert.deepEqual(decodeRows(enc, 3), rows);
  });

  it('writes only the chosen columns', () => {
    const enc = encodeRows([[Buffer.from('a'), Buffer.from('gen'), Buffer.from('b')]], [0, 2]);
    assert.equal(enc.toString(), 'a\tb\n');
  });
});

describe('engine: SQL identifiers and literals', () => {
  it('quotes identifiers, doubling backticks', () => {
    assert.equal(quoteIdent('odd`name'), '`odd``name`');
    assert.equal(qualified('d b', 'order notes'), '`d b`.`order notes`');
  });

  it('builds typed key literals only from digits or hex', () => {
    const num = codecFor('bigint', null, null);
    assert.equal(keyLiteral(num, Buffer.from('-9223372036854775808')).toSqlString(), '-9223372036854775808');
    assert.throws(() => keyLiteral(num, Buffer.from('1 OR 1=1')));
    const str = codecFor('varchar', 'utf8mb4', 'utf8mb4_unicode_ci');
    assert.equal(keyLiteral(str, Buffer.from("a'b")).toSqlString(), "_utf8mb4 X'612762' COLLATE utf8mb4_unicode_ci");
    assert.equal(keyLiteral(codecFor('datetime', null, null), Buffer.from('0000-00-00')).toSqlString(), "_binary X'303030302d30302d3030'");
    assert.equal(keyLiteral(codecFor('varbinary', 'binary', null), Buffer.alloc(0)).toSqlString(), "_binary X''");
    assert.equal(valueLiteral(codecFor('json', 'utf8mb4', 'utf8mb4_bin'), Buffer.from('{}')), "_binary X'7b7d'");
    assert.equal(valueLiteral(num, null), 'NULL');
  });
});

describe('engine: keyset chunks', () => {
  const keys = [
    { name: 'a', codec: codecFor('int', null, null) },
    { name: 'b`c', codec: codecFor('varchar', 'latin1', 'latin1_swedish_ci') },
  ];
  it('expands composite keys into OR-ed prefixes', () => {
    const c = afterCondition(keys, [Buffer.from('5'), Buffer.from('x')]);
    assert.equal(c.sql, '(`a` > ? OR (`a` = ? AND `b``c` > ?))');
    assert.deepEqual(c.values.map(String), ['5', '5', "_latin1 X'78' COLLATE latin1_swedish_ci"]);
    assert.equal(upToCondition(keys, [Buffer.from('7'), Buffer.from('y')]).sql, '(`a` < ? OR (`a` = ? AND `b``c` <= ?))');
  });

  it('builds the chunk query with order and limit', () => {
    const q = chunkQuery('`d`.`t`', '`a`, `b``c`', keys, { after: null, upTo: null }, 100);
    assert.equal(q.sql, 'SELECT `a`, `b``c` FROM `d`.`t` ORDER BY `a`, `b``c` LIMIT 100');
  });

  it('sizes chunks toward the target time and under the byte cap', () => {
    const s = new ChunkSizer({ targetSeconds: 0.5, initialRows: 1000, minRows: 1, maxRows: 100_000, maxBytes: 1_000_000 });
    assert.equal(s.next(), 1000);
    s.observe(1000, 100_000, 0.1); // 10k rows/s, 100 B/row
    assert.equal(s.next(), 5000);
    for (let i = 0; i < 20; i++) s.observe(5000, 500_000, 5); // slows to 1k rows/s
    assert.ok(s.next() < 700, `slowed down: ${s.next()}`);
    const wide = new ChunkSizer({ targetSeconds: 0.5, initialRows: 1000, minRows: 1, maxRows: 100_000, maxBytes: 1_000_000 });
    wide.observeWidth(10, 5_000_000); // 500 KB rows
    assert.equal(wide.next(), 2);
  });
});

describe('engine: checkpoint', () => {
  const k = (s: string) => [Buffer.from(s)];
  const chunk = (seq: number, lo: string | null, hi: string): CommittedChunk => ({
    seq, lo: lo === null ? null : k(lo), hi: k(hi), loText: encodeKey(lo === null ? null : k(lo)), hiText: encodeKey(k(hi)), rows: 1, bytes: 1,
  });
  it('stores keys exactly, NULL included', () => {
    const key = [Buffer.from([0, 255, 10]), null];
    assert.deepEqual(decodeKey(encodeKey(key)), key);
  });
  it('resumes after the last committed chunk, and detects holes', () => {
    assert.deepEqual(missingRange([]), { after: null, upTo: null });
    assert.deepEqual(missingRange([chunk(1, '10', '20'), chunk(0, null, '10')]).after, k('20'));
    assert.throws(() => missingRange([chunk(0, null, '10'), chunk(2, '30', '40')]), /not contiguous/);
  });
  it('never stores passwords', () => {
    const s = redactSpec({
      source: { host: 'a', port: 1, user: 'u', password: 'p1' }, target: { host: 'b', port: 2, user: 'u', password: 'p2' },
      replicas: [{ host: 'r', port: 3, user: 'u', password: 'p3' }], sourceDatabase: 's', targetDatabase: 't', tables: 'all', mode: 'full',
    });
    assert.ok(!JSON.stringify(s).includes('"password"'));
  });
});

describe('engine: commit order', () => {
  it('lets chunk n commit only after 0..n-1', async () => {
    const seq = new CommitSequencer();
    const log: number[] = [];
    const later = seq.turn(2).then(() => log.push(2));
    const mid = seq.turn(1).then(() => log.push(1));
    await seq.turn(0);
    log.push(0);
    seq.committed(0);
    await mid;
    seq.committed(1);
    await later;
    assert.deepEqual(log, [0, 1, 2]);
  });
  it('releases waiters with the failure', async () => {
    const seq = new CommitSequencer();
    const w = seq.turn(3);
    seq.fail(new Error('writer died'));
    await assert.rejects(w, /writer died/);
  });
});

describe('engine: key choice', () => {
  const col = (name: string, nullable: boolean): ColumnInfo => ({
    name, dataType: 'int', columnType: 'int(11)', nullable, charset: null, collation: null, generated: false, generationExpression: null, codec: codecFor('int', null, null),
  });
  it('prefers PRIMARY, else the narrowest NOT NULL unique key, else a unique key with nullable columns', () => {
    const cols = [col('a', false), col('b', false), col('c', true)];
    assert.equal(chooseKey([{ name: 'u2', unique: true, columns: ['a', 'b'], prefix: false }, { name: 'PRIMARY', unique: true, columns: ['b'], prefix: false }], cols)?.name, 'PRIMARY');
    assert.equal(chooseKey([{ name: 'u2', unique: true, columns: ['a', 'b'], prefix: false }, { name: 'u1', unique: true, columns: ['a'], prefix: false }], cols)?.name, 'u1');
    assert.equal(chooseKey([{ name: 'uc', unique: true, columns: ['c'], prefix: false }, { name: 'i', unique: false, columns: ['a'], prefix: false }], cols)?.name, 'uc');
    assert.equal(chooseKey([{ name: 'uc', unique: true, columns: ['c'], prefix: false }, { name: 'uab', unique: true, columns: ['a', 'b'], prefix: false }], cols)?.name, 'uab');
    assert.equal(chooseKey([{ name: 'i', unique: false, columns: ['a'], prefix: false }, { name: 'up', unique: true, columns: ['c'], prefix: true }], cols), null);
  });
});
