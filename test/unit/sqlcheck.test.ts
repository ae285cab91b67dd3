import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSql, RULE_IDS, splitStatements, type Finding } from '../../src/engine/sqlcheck/index.js';
import { alwaysTrue } from '../../src/engine/sqlcheck/constantWhere.js';

const sizes: Record<string, { rows: number; bytes: number }> = { 'shop.orders': { rows: 2_500_000, bytes: 700 * 1024 * 1024 }, 'shop.small': { rows: 10, bytes: 16384 } };
const ctx = {
  tableSize: (db: string | null, t: string) => sizes[`${db ?? 'shop'}.${t}`] ?? null,
  largeTableRows: 1_000_000,
};

function rules(sql: string, only?: string): string[] {
  return checkSql(sql, { context: ctx })
    .filter((f) => !only || f.rule === only)
    .map((f) => f.rule);
}

function one(sql: string, rule: string): Finding {
  const found = checkSql(sql, { context: ctx }).filter((f) => f.rule === rule);
  assert.equal(found.length, 1, `${sql}: expected one ${rule}, got ${JSON.stringify(found)}`);
  return found[0];
}

const text = (sql: string, f: Finding) => sql.slice(f.start, f.end);

describe('tokenizer and statement split', () => {
  test('splits on ; outside strings, identifiers and comments', () => {
    const s = splitStatements("SELECT ';' AS a; -- x; y\nSELECT `a;b` FROM t /* ; */; SELECT \"q\\\";\"").statements;
    assert.deepEqual(s.map((x) => x.tokens[0].upper), ['SELECT', 'SELECT', 'SELECT']);
    assert.equal(s[1].tokens[1].kind, 'quoted');
    assert.equal(s[1].tokens[1].value, 'a;b');
  });
  test('honours the client DELIMITER command', () => {
    const s = splitStatements('DELIMITER $$\nCREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; END$$\nDELIMITER ;\nSELECT 1;').statements;
    assert.equal(s.length, 2);
    assert.equal(s[0].tokens[0].upper, 'CREATE');
    assert.equal(s[1].tokens[0].upper, 'SELECT');
  });
  test('executable comments are code, other comments are not', () => {
    assert.deepEqual(rules('/*!40101 UPDATE t SET a = 1 */;'), ['write-without-where']);
    assert.deepEqual(rules('/*M!100100 DELETE FROM t */;'), ['write-without-where']);
    assert.deepEqual(rules('/* UPDATE t SET a = 1 */ SELECT 1;'), []);
  });
  test('-- needs a space to be a comment; # is a comment', () => {
    assert.deepEqual(rules('# DELETE FROM t\nSELECT 1'), []);
    assert.deepEqual(rules('UPDATE t SET a = a--1\n'), ['write-without-where']);
  });
});

describe('constant WHERE evaluation', () => {
  const cond = (sql: string) => splitStatements(`SELECT 1 WHERE ${sql}`).statements[0].tokens.slice(3);
  for (const c of ['1', '1=1', 'true', 'TRUE', "'a' = 'A'", '1 OR id = 5', 'id = 5 OR 2 > 1', 'NOT 0', '(1)', '1 IS TRUE', 'NULL IS NULL', '2-1', "'1x'", '1 <=> 1', '1 XOR 0'])
    test(`always true: ${c}`, () => assert.equal(alwaysTrue(cond(c)), true));
  for (const c of ['id = 1', '1=1 AND id = 5', '0', 'false', 'NULL', "'abc'", '1 = 2', 'f(1)', 'id', '1 AND NULL', 'NOT 1', 'id IS NULL', '@v = 1', '(SELECT 1)'])
    test(`not always true: ${c}`, () => assert.equal(alwaysTrue(cond(c)), false));
});

describe('rule write-without-where', () => {
  test('UPDATE and DELETE without WHERE, multi-table forms too', () => {
    for (const sql of ['UPDATE t SET a = 1', 'DELETE FROM t', 'DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id', 'UPDATE a JOIN b ON a.id = b.id SET a.x = b.x', 'update LOW_PRIORITY t set a = 1'])
      assert.deepEqual(rules(sql, 'write-without-where'), ['write-without-where'], sql);
  });
  test('an always-true WHERE is flagged and points at the WHERE', () => {
    const sql = 'UPDATE t SET a = 1 WHERE 1 = 1 LIMIT 5';
    assert.equal(text(sql, one(sql, 'write-without-where')), 'WHERE 1 = 1');
    assert.equal(one('DELETE FROM t WHERE true', 'write-without-where').severity, 'warning');
  });
  test('negatives: a real WHERE, keywords in strings and comments, subquery WHERE does not count', () => {
    for (const sql of [
      'UPDATE t SET a = 1 WHERE id = 3',
      "UPDATE t SET note = 'no WHERE here' WHERE id = 3",
      'DELETE FROM t WHERE id IN (SELECT id FROM u WHERE 1)',
      'SELECT * FROM t',
      "SELECT 'UPDATE t SET a = 1'",
      '-- DELETE FROM t\nSELECT 1',
      'INSERT INTO t VALUES (1)',
    ])
      assert.deepEqual(rules(sql, 'write-without-where'), [], sql);
    assert.deepEqual(rules('UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = 1)', 'write-without-where'), ['write-without-where']);
  });
});

describe('rule ddl-large-table', () => {
  test('warns for a large table with its size', () => {
    const sql = 'ALTER TABLE shop.orders ADD COLUMN note TEXT';
    const f = one(sql, 'ddl-large-table');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /~2\.5M rows, 700 MB/);
    assert.match(f.message, /Alter Table Online… is not available yet/);
    assert.equal(text(sql, f), 'ALTER TABLE shop.orders');
    assert.equal(one('CREATE INDEX i ON orders (a)', 'ddl-large-table').severity, 'warning');
    assert.equal(one('DROP INDEX i ON `shop`.`orders`', 'ddl-large-table').severity, 'warning');
    assert.equal(one('OPTIMIZE TABLE orders', 'ddl-large-table').severity, 'warning');
    assert.match(one('ALTER ONLINE TABLE orders ADD INDEX (a), LOCK=NONE', 'ddl-large-table').message, /LOCK=NONE keeps the primary writable/);
  });
  test('ALGORITHM=INSTANT or NOCOPY, and small tables, pass', () => {
    for (const sql of ['ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INSTANT', 'ALTER TABLE orders DROP COLUMN c, ALGORITHM = NOCOPY', 'ALTER TABLE small ADD COLUMN c INT', "SELECT 'ALTER TABLE orders'", '# ALTER TABLE orders ADD c INT'])
      assert.deepEqual(rules(sql, 'ddl-large-table'), [], sql);
  });
  test('unknown size is a hint that says so', () => {
    const f = one('ALTER TABLE other.t ADD COLUMN c INT', 'ddl-large-table');
    assert.equal(f.severity, 'hint');
    assert.match(f.message, /size unknown/);
    assert.equal(checkSql('ALTER TABLE orders ADD c INT', { context: { largeTableRows: 1 } })[0].severity, 'hint');
  });
  test('quick fix: ALGORITHM=INSTANT appended where no ALGORITHM was chosen', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN c INT ;';
    const f = one(sql, 'ddl-large-table');
    assert.ok(f.fix);
    assert.equal(sql.slice(0, f.fix.at) + f.fix.text + sql.slice(f.fix.at), 'ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INSTANT ;');
    assert.equal(one('ALTER TABLE orders ADD INDEX (a), ALGORITHM=INPLACE, LOCK=NONE', 'ddl-large-table').fix, undefined, 'never overrides a chosen algorithm');
    assert.equal(one('CREATE INDEX i ON orders (a)', 'ddl-large-table').fix, undefined);
  });
  test('the threshold comes from the context', () => {
    assert.deepEqual(checkSql('ALTER TABLE small ADD c INT', { context: { ...ctx, largeTableRows: 5 } }).map((f) => f.rule), ['ddl-large-table']);
  });
});

describe('rule binlog-limit-without-order', () => {
  test('positives', () => {
    const sql = 'DELETE FROM t WHERE created < NOW() LIMIT 1000';
    assert.equal(text(sql, one(sql, 'binlog-limit-without-order')), 'LIMIT 1000');
    assert.deepEqual(rules('UPDATE t SET a = 1 WHERE b = 2 LIMIT 10', 'binlog-limit-without-order'), ['binlog-limit-without-order']);
  });
  test('negatives: ORDER BY, LIMIT 0, LIMIT in a subquery or a SELECT, in a string', () => {
    for (const sql of [
      'DELETE FROM t WHERE a = 1 ORDER BY id LIMIT 1000',
      'UPDATE t SET a = 1 WHERE b = 2 LIMIT 0',
      'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM (SELECT id FROM u LIMIT 5) x)',
      'SELECT * FROM t LIMIT 10',
      "UPDATE t SET note = 'LIMIT 10' WHERE id = 1",
    ])
      assert.deepEqual(rules(sql, 'binlog-limit-without-order'), [], sql);
  });
});

describe('rule binlog-nondeterministic-function', () => {
  test('UUID, RAND, SYSDATE, USER in writes', () => {
    assert.deepEqual(rules('INSERT INTO t (id, who) VALUES (UUID(), USER())', 'binlog-nondeterministic-function'), [
      'binlog-nondeterministic-function',
      'binlog-nondeterministic-function',
    ]);
    const sql = 'UPDATE t SET r = RAND() WHERE id = 1';
    assert.equal(text(sql, one(sql, 'binlog-nondeterministic-function')), 'RAND');
    assert.equal(one('DELETE FROM t WHERE ts < sysdate()', 'binlog-nondeterministic-function').rule, 'binlog-nondeterministic-function');
    assert.equal(one('REPLACE INTO t SELECT uuid_short(), a FROM u ORDER BY a', 'binlog-nondeterministic-function').rule, 'binlog-nondeterministic-function');
  });
  test('negatives: NOW(), reads, a column or table named user, strings and comments', () => {
    for (const sql of [
      'INSERT INTO t (ts) VALUES (NOW())',
      'SELECT UUID(), RAND()',
      'UPDATE t SET u.user = 1 WHERE id = 1',
      'INSERT INTO user (a) VALUES (1)',
      "INSERT INTO t (s) VALUES ('UUID()')",
      'INSERT INTO t (s) VALUES (1) -- RAND()',
      'INSERT INTO t (id) VALUES (LAST_INSERT_ID())',
    ])
      assert.deepEqual(rules(sql, 'binlog-nondeterministic-function'), [], sql);
  });
});

describe('rule binlog-insert-select-order', () => {
  test('INSERT/REPLACE ... SELECT FROM without ORDER BY', () => {
    for (const sql of ['INSERT INTO t SELECT * FROM u', 'INSERT IGNORE INTO t (a) SELECT a FROM u WHERE a > 1', 'REPLACE INTO t SELECT * FROM u', 'INSERT INTO t (SELECT * FROM u)'])
      assert.deepEqual(rules(sql, 'binlog-insert-select-order'), ['binlog-insert-select-order'], sql);
  });
  test('negatives: ORDER BY, constants, VALUES with a scalar subquery, strings', () => {
    for (const sql of [
      'INSERT INTO t SELECT * FROM u ORDER BY id',
      'INSERT INTO t SELECT 1, 2',
      'INSERT INTO t VALUES ((SELECT max(id) FROM u))',
      "INSERT INTO t VALUES ('SELECT a FROM u')",
      'SELECT * FROM u',
    ])
      assert.deepEqual(rules(sql, 'binlog-insert-select-order'), [], sql);
  });
});

describe('rules lock-tables and flush-on-primary', () => {
  test('LOCK TABLES', () => {
    const sql = 'LOCK TABLES t WRITE, u READ';
    assert.equal(text(sql, one(sql, 'lock-tables')), 'LOCK TABLES');
    assert.deepEqual(rules('UNLOCK TABLES'), []);
    assert.deepEqual(rules("SELECT 'LOCK TABLES t WRITE'"), []);
    assert.deepEqual(rules('SELECT * FROM t LOCK IN SHARE MODE'), []);
  });
  test('FLUSH', () => {
    assert.match(one('FLUSH TABLES WITH READ LOCK', 'flush-on-primary').message, /blocks every write/);
    assert.match(one('FLUSH PRIVILEGES', 'flush-on-primary').message, /binary log/);
    assert.match(one('FLUSH TABLES t1', 'flush-on-primary').message, /waits for running queries/);
    assert.deepEqual(rules('FLUSH NO_WRITE_TO_BINLOG PRIVILEGES'), []);
    assert.deepEqual(rules('FLUSH LOCAL STATUS'), []);
    assert.deepEqual(rules('/* FLUSH TABLES */ SELECT 1'), []);
  });
});

describe('settings', () => {
  test('disabled rules report nothing, and every rule id is known', () => {
    const sql = 'UPDATE t SET a = UUID(); LOCK TABLES t WRITE;';
    assert.deepEqual(checkSql(sql).map((f) => f.rule), ['write-without-where', 'binlog-nondeterministic-function', 'lock-tables']);
    assert.deepEqual(checkSql(sql, { disabledRules: ['write-without-where', 'lock-tables'] }).map((f) => f.rule), ['binlog-nondeterministic-function']);
    assert.equal(new Set(RULE_IDS).size, RULE_IDS.length);
  });
  test('package.json offers exactly the engine rule ids', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { items?: { enum?: string[] } }> } };
    };
    assert.deepEqual(pkg.contributes.configuration.properties['rwMigrate.sqlChecks.disabledRules'].items?.enum, [...RULE_IDS]);
  });
});
