import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { classifySql, newSessionState } from '../../src/engine/routing/classify.js';
import { tokenize } from '../../src/engine/sqltext/lexer.js';
import { splitStatements } from '../../src/engine/sqltext/statements.js';

interface CorpusEntry {
  sql: string;
  route: 'primary' | 'replica';
  /** A substring the reason must contain. */
  reason: string;
}

const corpus = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'routing-corpus.json'), 'utf8')) as CorpusEntry[];

describe('routing corpus (MaxScale readwritesplit rules)', () => {
  test('the corpus is large enough and covers both routes', () => {
    assert.ok(corpus.length >= 80, `${corpus.length} statements`);
    assert.ok(corpus.filter((c) => c.route === 'replica').length >= 30);
    assert.ok(corpus.filter((c) => c.route === 'primary').length >= 60);
  });
  for (const entry of corpus) {
    test(`${entry.route}: ${entry.sql.replace(/\s+/g, ' ').slice(0, 70)}`, () => {
      const { statements } = classifySql(entry.sql);
      assert.equal(statements.length, 1, 'one statement');
      const [s] = statements;
      assert.equal(s.route, entry.route, s.reason);
      assert.ok(s.reason.includes(entry.reason), `reason "${s.reason}" should contain "${entry.reason}"`);
    });
  }
});

describe('multi-statement input', () => {
  test('split at top-level semicolons only, each statement routed, offsets point into the input', () => {
    const sql = "SELECT ';' FROM t; /* ; */ UPDATE t SET a = 'x;y';\n-- ;\nSELECT `a;b` FROM u # ;\n;;  SELECT 2";
    const { statements } = classifySql(sql);
    assert.deepEqual(
      statements.map((s) => [s.route, s.text]),
      [
        ['replica', "SELECT ';' FROM t"],
        ['primary', "/* ; */ UPDATE t SET a = 'x;y'"],
        ['replica', '-- ;\nSELECT `a;b` FROM u # ;'],
        ['replica', 'SELECT 2'],
      ],
    );
    for (const s of statements) assert.equal(sql.slice(s.start, s.end), s.text);
  });

  test('an executable comment keeps its closing marker in the statement text', () => {
    const { statements } = classifySql('/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_FK=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;');
    assert.deepEqual(statements.map((s) => s.text), ['/*!40101 SET NAMES utf8mb4 */', '/*!40014 SET @OLD_FK=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */']);
    assert.deepEqual(statements.map((s) => s.route), ['primary', 'primary']);
  });

  test('only comments: nothing to run', () => {
    assert.deepEqual(classifySql('-- nothing\n/* here */ ;  ;').statements, []);
  });
});

describe('transaction state', () => {
  const routes = (sql: string) => classifySql(sql).statements.map((s) => `${s.route}: ${s.reason}`);

  test('a read inside an open read-write transaction goes to the primary; after COMMIT it may go to a replica', () => {
    const r = routes('BEGIN; SELECT * FROM t; COMMIT; SELECT * FROM t');
    assert.equal(r[1], 'primary: inside a read-write transaction (BEGIN): read-only query');
    assert.equal(r[2], 'primary: ends the transaction (COMMIT)');
    assert.equal(r[3], 'replica: read-only query');
  });

  test('START TRANSACTION READ ONLY keeps its reads and its COMMIT on the replica', () => {
    const r = classifySql('START TRANSACTION READ ONLY; SELECT 1; SELECT 2; COMMIT; UPDATE t SET a = 1').statements.map((s) => s.route);
    assert.deepEqual(r, ['replica', 'replica', 'replica', 'replica', 'primary']);
  });

  test('a write inside a READ ONLY transaction still goes to the primary', () => {
    const r = classifySql('START TRANSACTION READ ONLY; UPDATE t SET a = 1').statements.map((s) => s.route);
    assert.deepEqual(r, ['replica', 'primary']);
  });

  test('DDL commits implicitly: the transaction ends', () => {
    const r = classifySql('START TRANSACTION; CREATE TABLE x (a INT); SELECT 1').statements.map((s) => s.route);
    assert.deepEqual(r, ['primary', 'primary', 'replica']);
  });

  test('autocommit off pins everything to the primary until it is turned back on', () => {
    const r = classifySql('SET autocommit = 0; SELECT 1; COMMIT; SELECT 2; SET autocommit=1; SELECT 3').statements.map((s) => s.route);
    assert.deepEqual(r, ['primary', 'primary', 'primary', 'primary', 'primary', 'replica']);
  });

  test('SET TRANSACTION READ ONLY makes the next BEGIN read-only', () => {
    const r = classifySql('SET TRANSACTION READ ONLY; BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 1').statements.map((s) => s.route);
    assert.deepEqual(r, ['primary', 'primary', 'replica', 'replica', 'primary', 'primary']);
  });

  test('SERIALIZABLE pins reads to the primary', () => {
    const r = classifySql('SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE; SELECT 1; SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT 1').statements.map((s) => s.route);
    assert.deepEqual(r, ['primary', 'primary', 'primary', 'replica']);
  });

  test('a temporary table pins reads of it to the primary until it is dropped', () => {
    const r = routes('CREATE TEMPORARY TABLE IF NOT EXISTS `tmp_x` (a INT); SELECT * FROM tmp_x; SELECT * FROM other; DROP TEMPORARY TABLE tmp_x; SELECT * FROM tmp_x');
    assert.match(r[1], /^primary: reads the temporary table tmp_x/);
    assert.match(r[2], /^replica/);
    assert.match(r[4], /^replica/);
  });

  test('the state carries across calls (an editor session)', () => {
    const state = newSessionState();
    classifySql('BEGIN', state);
    assert.equal(classifySql('SELECT 1', state).statements[0].route, 'primary');
    classifySql('ROLLBACK', state);
    assert.equal(classifySql('SELECT 1', state).statements[0].route, 'replica');
  });
});

describe('tokenizer', () => {
  test('strings, quoted identifiers, variables and comments are single tokens', () => {
    const { tokens, comments } = tokenize("SELECT 'a''b', \"c\\\"d\", `e``f`, @v, @'w x', @@session.sql_mode /* c */ -- d\n# e");
    assert.deepEqual(
      tokens.map((t) => `${t.kind}:${t.text}`),
      ['word:SELECT', "string:'a''b'", 'punct:,', 'string:"c\\"d"', 'punct:,', 'quoted:`e``f`', 'punct:,', 'uservar:@v', 'punct:,', "uservar:@'w x'", 'punct:,', 'sysvar:@@session.sql_mode'],
    );
    assert.deepEqual(comments.map((c) => c.text), ['/* c */', '-- d', '# e']);
  });

  test('executable comments are tokenized, plain ones are not', () => {
    const { tokens } = tokenize('/*!50001 SELECT */ /* UPDATE */ /*M!100500 1 */');
    assert.deepEqual(tokens.map((t) => t.text), ['SELECT', '1']);
  });

  test('parenthesis depth', () => {
    const { tokens } = tokenize('WITH x AS (SELECT (1)) SELECT');
    assert.deepEqual(tokens.filter((t) => t.upper === 'SELECT').map((t) => t.depth), [1, 0]);
  });

  test('splitStatements reports an unterminated string', () => {
    assert.equal(splitStatements("SELECT 'x").unterminated, 'string');
  });
});
