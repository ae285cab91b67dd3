import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VerifyReport } from '../../src/engine/verify/types.js';
import { serverSpec } from '../../src/ui/migratePlan.js';
import { buildVerifySpec, countsMarkdown, reportLine, VERIFY_MODES } from '../../src/ui/verifyPlan.js';

const source = serverSpec({ host: '127.0.0.1', port: 3306, user: 'u' });
const target = serverSpec({ host: '127.0.0.1', port: 3309, user: 'u' });

const verdict = (table: string, status: 'match' | 'mismatch' | 'error', sourceRows: number | null, targetRows: number | null) => ({
  table, sourceRows, targetRows, rowsExact: true, status, keyColumns: ['id'], wholeTable: false, chunks: [], mismatchedRanges: [], seconds: 0.1,
});

const report: VerifyReport = {
  source: '127.0.0.1:3306', target: '127.0.0.1:3309', database: 'shop', targetDatabase: 'shop_copy', mode: 'count', startedAt: '2026-01-01T00:00:00Z', seconds: 1,
  tables: [verdict('orders', 'match', 1200, 1200), verdict('customers', 'mismatch', 10, 9), verdict('audit', 'error', 5, null)],
  clean: false, rowsChecked: 2424, summary: { match: 1, mismatch: 1, notChecked: 0, error: 1 },
};

describe('verify flow', () => {
  test('the spec names the target database only when it differs, and the tables only when chosen', () => {
    const same = buildVerifySpec({ source, target, database: 'shop', targetDatabase: 'shop', mode: 'count', maxLagSeconds: 1 });
    assert.deepEqual(same, { source, target, database: 'shop', mode: 'count', maxLagSeconds: 1 });
    const other = buildVerifySpec({ source, target, database: 'shop', targetDatabase: 'shop_copy', tables: ['orders'], mode: 'rows', maxLagSeconds: 2 });
    assert.equal(other.targetDatabase, 'shop_copy');
    assert.deepEqual(other.tables, ['orders']);
  });

  test('checksums are offered first', () => {
    assert.equal(VERIFY_MODES[0].mode, 'checksum');
  });

  test('a report reads as one line naming the mismatched and failed tables', () => {
    assert.equal(reportLine(report), '1 match, 1 mismatch (customers), 0 not checked, 1 error (audit)');
  });

  test('counts render as a table with absent tables marked', () => {
    const md = countsMarkdown(report);
    assert.match(md, /\| orders \| 1,200 \| 1,200 \| match \|/);
    assert.match(md, /\| audit \| 5 \| absent \| error \|/);
  });
});
