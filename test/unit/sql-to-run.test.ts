import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sqlToRun, statementAt } from '../../src/ui/sqlToRun.js';

const text = "SELECT 1;\n-- next\nSELECT ';' AS x\n  FROM t;\n\nUPDATE t SET a = 2;";

describe('Run SQL: what runs', () => {
  test('the statement under the cursor, even with a ; inside a string', () => {
    const at = (needle: string, delta = 0) => text.indexOf(needle) + delta;
    assert.equal(statementAt(text, at('FROM t'))?.sql, "-- next\nSELECT ';' AS x\n  FROM t");
    assert.equal(statementAt(text, at("';'", 1))?.sql, "-- next\nSELECT ';' AS x\n  FROM t");
    assert.equal(statementAt(text, 0)?.sql, 'SELECT 1');
    assert.equal(statementAt(text, text.length)?.sql, 'UPDATE t SET a = 2');
  });

  test('after a statement\'s semicolon, that statement', () => {
    assert.equal(statementAt(text, text.indexOf(';') + 1)?.sql, 'SELECT 1');
  });

  test('a selection wins; an empty or blank one falls back to the statement', () => {
    const start = text.indexOf('SELECT 1');
    assert.deepEqual(sqlToRun(text, { start, end: start + 8 }, 0), { sql: 'SELECT 1', what: 'selection', start, end: start + 8 });
    assert.equal(sqlToRun(text, { start: 9, end: 10 }, 0)?.what, 'statement');
    assert.equal(sqlToRun('  -- only a comment  ', { start: 0, end: 0 }, 0), null);
  });
});
