import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportChunks, uniqueNames } from '../../src/engine/routing/export.js';
import type { SqlRunResult, SqlStatementResult } from '../../src/protocol/index.js';
import {
  applyDone, columnChars, defaultSelection, elapsedText, exportLabel, outcomeText, pagesToFetch, pageToRefetch, shortSql, whereText,
} from '../../src/webview-pages/sqlResultsView.js';

const s = (over: Partial<SqlStatementResult>): SqlStatementResult => ({
  index: 0, text: 'SELECT 1', classified: 'replica', route: 'replica', server: 'replica1', lagSeconds: 0.25, reason: 'r', columns: [], rowCount: 0, truncated: false, complete: true,
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

describe('a result answered on its first rows', () => {
  const loading = s({ index: 1, columns: ['a'], rowCount: 2962, complete: false, resultId: 'r9', elapsedMs: 40 });
  const run: SqlRunResult = { profile: 'p', forcePrimary: false, startedAt: 0, statements: [s({ index: 0, affectedRows: 1 }), loading] };

  test('says how many rows so far while loading, then the final count', () => {
    assert.equal(outcomeText(loading), '2,962 rows so far, loading…');
    assert.equal(exportLabel(loading, 'CSV'), 'Export all rows as CSV once they are in');
    const done = applyDone(run, { resultId: 'r9', rowCount: 100_000, truncated: false, elapsedMs: 1530, error: null });
    assert.ok(done);
    assert.deepEqual(done.statements[0], run.statements[0], 'other statements are left as they were');
    assert.equal(outcomeText(done.statements[1]), '100,000 rows');
    assert.equal(elapsedText(done.statements[1].elapsedMs), '1.53 s');
    assert.equal(exportLabel(done.statements[1], 'CSV'), 'Export the 100000 rows as CSV');
    assert.equal(loading.rowCount, 2962, 'the run it came from is not changed');
  });

  test('a failure mid-stream says after how many rows; a completion of another run changes nothing', () => {
    const failed = applyDone(run, { resultId: 'r9', rowCount: 4999, truncated: false, elapsedMs: 80, error: 'Subquery returns more than 1 row' });
    assert.equal(failed && outcomeText(failed.statements[1]), 'error after 4,999 rows: Subquery returns more than 1 row');
    assert.equal(applyDone(run, { resultId: 'r1', rowCount: 5, truncated: false, elapsedMs: 1, error: null }), null);
    assert.equal(outcomeText(s({ columns: ['a'], rowCount: 0, error: 'boom' })), 'error: boom', 'no rows before the error: just the error');
  });

  test('the grid asks again for the page that held the first row still missing', () => {
    assert.equal(pageToRefetch(200), 0);
    assert.equal(pageToRefetch(2962), 5);
    assert.equal(pageToRefetch(500), 1);
  });
});
