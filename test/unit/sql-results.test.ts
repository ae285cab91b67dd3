import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportChunks, uniqueNames } from '../../src/engine/routing/export.js';
import type { SqlRunResult, SqlStatementResult } from '../../src/protocol/index.js';
import { columnChars, defaultSelection, elapsedText, outcomeText, pagesToFetch, shortSql, whereText } from '../../src/webview-pages/sqlResultsView.js';

const s = (over: Partial<SqlStatementResult>): SqlStatementResult => ({
  index: 0, text: 'SELECT 1', classified: 'replica', route: 'replica', server: 'replica1', lagSeconds: 0.25, reason: 'r', columns: [], rowCount: 0, truncated: false,
  affectedRows: null, insertId: null, elapsedMs: 3, error: null, resultId: null, firstRows: [], ...over,
});

describe('export', () => {
  test('CSV: RFC 4180 quoting; NULL empty, the empty string quoted', () => {
    const text = [...exportChunks('csv', ['a', 'b,c'], [['x"y', null], ['', 'line\nbreak'], [1.5, 'plain']], 2)].join('');
    assert.equal(text, 'a,"b,c"\r\n"x""y",\r\n"",line\nbreak\r\n1.5,plain\r\n'.replace('line\nbreak', '"line\nbreak"'));
  });

  test('JSON: objects by column name, repeated names kept apart, chunks join into valid JSON', () => {
    const rows = Array.from({ length: 5 }, (_, i) => [i, i % 2 ? null : `v${i}`, 'z']);
    const parsed = JSON.parse([...exportChunks('json', ['id', 'v', 'v'], rows, 2)].join('')) as Record<string, unknown>[];
    assert.equal(parsed.length, 5);
    assert.deepEqual(parsed[1], { id: 1, v: null, v_2: 'z' });
    assert.deepEqual(JSON.parse([...exportChunks('json', ['a'], [])].join('')), []);
    assert.deepEqual(uniqueNames(['a', 'a', 'b', 'a']), ['a', 'a_2', 'b', 'a_3']);
  });
});

describe('results page model', () => {
  test('where it ran, with the lag on a replica', () => {
    assert.equal(whereText(s({})), 'replica1 (replica, lag 0.3s)');
    assert.equal(whereText(s({ route: 'primary', server: 'primary', lagSeconds: null })), 'primary');
    assert.equal(whereText(s({ route: 'primary', server: 'db1', lagSeconds: null })), 'db1 (primary)');
    assert.equal(whereText(s({ route: null, server: null })), 'not run');
  });

  test('outcome text', () => {
    assert.equal(outcomeText(s({ columns: ['a'], rowCount: 100_000 })), '100,000 rows');
    assert.equal(outcomeText(s({ columns: ['a'], rowCount: 1, truncated: true })), '1 row (truncated)');
    assert.equal(outcomeText(s({ affectedRows: 3, insertId: '42' })), '3 rows affected, insert id 42');
    assert.equal(outcomeText(s({ error: 'boom' })), 'error: boom');
  });

  test('the statement shown first: the last with rows, else the failure, else the last', () => {
    const run = (statements: SqlStatementResult[]): SqlRunResult => ({ profile: 'p', forcePrimary: false, startedAt: 0, statements });
    assert.equal(defaultSelection(run([s({ index: 0, resultId: 'r1' }), s({ index: 1 }), s({ index: 2, resultId: 'r2' }), s({ index: 3 })])), 2);
    assert.equal(defaultSelection(run([s({ index: 0 }), s({ index: 1, error: 'x' }), s({ index: 2, error: 'not run: an earlier statement failed' })])), 1);
    assert.equal(defaultSelection(run([s({ index: 0 }), s({ index: 1 })])), 1);
  });

  test('pages to fetch, column widths, one-line SQL without leading comments', () => {
    assert.deepEqual(pagesToFetch(450, 1100, new Set([1])), [0, 2]);
    assert.equal(columnChars('id', [1, 22, null]), 8, 'NULL is 4 wide');
    assert.equal(columnChars('x', ['a'.repeat(200)]), 60);
    assert.equal(shortSql('-- why\n/* c */ SELECT  a,\n  b FROM t'), 'SELECT a, b FROM t');
    assert.equal(shortSql('SELECT ' + 'x'.repeat(200), 20).length, 20);
  });
});

test('a statement that did not run shows a dash for its time, not 0 ms', () => {
  assert.equal(elapsedText(0, false), '–');
  assert.equal(elapsedText(12.4), '12 ms');
  assert.equal(elapsedText(1530), '1.53 s');
});
