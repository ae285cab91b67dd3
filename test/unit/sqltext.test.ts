// The one SQL lexer (engine/sqltext) as routing, the SQL checks and Run SQL's splitter see it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenize } from '../../src/engine/sqltext/lexer.js';
import { isWord, splitStatements, tableNameAt } from '../../src/engine/sqltext/statements.js';

describe('sqltext lexer', () => {
  test('strings and quoted identifiers keep their text and give their value', () => {
    const t = tokenize("SELECT 'it''s', \"a\\\"b\", `we``ird` FROM t").tokens;
    assert.deepEqual(
      t.filter((x) => x.kind === 'string' || x.kind === 'quoted').map((x) => [x.kind, x.text, x.value]),
      [
        ['string', "'it''s'", "it's"],
        ['string', '"a\\"b"', 'a"b'],
        ['quoted', '`we``ird`', 'we`ird'],
      ],
    );
  });
  test('three-character operators are one token', () => {
    const t = tokenize('a <=> b AND j->>"$.x"').tokens;
    assert.deepEqual(t.filter((x) => x.kind === 'punct').map((x) => x.text), ['<=>', '->>']);
  });
  test('a quoted identifier is never a keyword', () => {
    const [quoted, word] = tokenize('`and` and').tokens;
    assert.equal(isWord(quoted, 'AND'), false);
    assert.equal(isWord(word, 'AND'), true);
  });
  test('unterminated input is reported', () => {
    assert.equal(tokenize("SELECT 'abc").unterminated, 'string');
    assert.equal(tokenize('SELECT /* x').unterminated, 'comment');
    assert.equal(tokenize('SELECT `x').unterminated, 'quoted identifier');
  });
});

describe('sqltext statements', () => {
  test('DELIMITER splits a script with a stored routine the way the client does, with text and code offsets', () => {
    const sql = 'DELIMITER $$\nCREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; END$$\nDELIMITER ;\n-- note\nSELECT 1 /* tail */;';
    const { statements } = splitStatements(sql);
    assert.deepEqual(statements.map((s) => s.text), ['CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; END', '-- note\nSELECT 1 /* tail */']);
    const last = statements[1];
    assert.equal(sql.slice(last.codeStart, last.codeEnd), 'SELECT 1');
  });
  test('a table name, qualified or quoted', () => {
    const { tokens } = tokenize('UPDATE `shop`.`or ders` SET x = 1');
    assert.deepEqual(tableNameAt(tokens, 1), { database: 'shop', table: 'or ders', next: 4, start: 7, end: 23 });
  });
});
