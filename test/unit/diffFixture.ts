// A realistic verification report (shop database, checksum + rows mode) shared by the diff view unit
// tests, the report tests and the diff page e2e test.
import type { TableVerdict, VerifyReport } from '../../src/engine/verify/types.js';

function verdict(over: Partial<TableVerdict> & { table: string }): TableVerdict {
  return {
    sourceRows: 1000,
    targetRows: 1000,
    rowsExact: true,
    status: 'match',
    keyColumns: ['id'],
    wholeTable: false,
    chunks: [],
    mismatchedRanges: [],
    seconds: 0.4,
    ...over,
  };
}

export function sampleVerifyReport(): VerifyReport {
  const tables: TableVerdict[] = [
    verdict({ table: 'customers', sourceRows: 20_000, targetRows: 20_000, seconds: 1.2 }),
    verdict({
      table: 'orders',
      sourceRows: 120_000,
      targetRows: 119_998,
      status: 'mismatch',
      chunks: [
        { index: 0, lower: null, upper: ['10000'], sourceCount: 10_000, targetCount: 10_000, sourceHash: 'a'.repeat(32), targetHash: 'a'.repeat(32), match: true },
        { index: 1, lower: ['10000'], upper: ['20000'], sourceCount: 10_000, targetCount: 9_998, sourceHash: 'b'.repeat(32), targetHash: 'c'.repeat(32), match: false },
        { index: 2, lower: ['20000'], upper: null, sourceCount: 100_000, targetCount: 100_000, sourceHash: 'd'.repeat(32), targetHash: 'e'.repeat(32), match: false },
      ],
      mismatchedRanges: [
        { lower: ['10000'], upper: ['20000'] },
        { lower: ['20000'], upper: null },
      ],
      diff: {
        keyColumns: ['id'],
        missing: [['10017'], ['10018'], ['15002']],
        extra: [['19999']],
        different: [
          { key: ['20431'], columns: ['status', 'total'], source: { status: 'shipped', total: '129.90' }, target: { status: 'pending', total: '129.00' } },
          { key: ['88012'], columns: ['note'], source: { note: null }, target: { note: { hex: 'c3a9' } } },
        ],
        truncated: false,
      },
      seconds: 6.5,
    }),
    verdict({
      table: 'order_items',
      keyColumns: ['order_id', 'line'],
      sourceRows: 361_000,
      targetRows: 361_000,
      status: 'mismatch',
      chunks: [{ index: 4, lower: ['40000', '1'], upper: ['50000', '3'], sourceCount: 10_000, targetCount: 10_000, sourceHash: 'f'.repeat(32), targetHash: '0'.repeat(32), match: false }],
      mismatchedRanges: [{ lower: ['40000', '1'], upper: ['50000', '3'] }],
      diff: {
        keyColumns: ['order_id', 'line'],
        missing: [],
        extra: [],
        different: [{ key: ['41007', '2'], columns: ['qty'], source: { qty: '3' }, target: { qty: '2' } }],
        truncated: false,
      },
      seconds: 9.1,
    }),
    verdict({ table: 'products', sourceRows: 5_000, targetRows: 5_000 }),
    verdict({ table: 'audit_log', sourceRows: 52_000, targetRows: null, status: 'error', keyColumns: [], message: "Table 'shop_copy.audit_log' doesn't exist" }),
    verdict({ table: 'sessions', sourceRows: 900, targetRows: 880, rowsExact: false, status: 'not-checked', message: 'estimate mode: counts only' }),
  ];
  return {
    source: 'primary (127.0.0.1:3306)',
    target: 'target (127.0.0.1:3309)',
    database: 'shop',
    targetDatabase: 'shop_copy',
    mode: 'rows',
    startedAt: '2026-01-12T09:40:00.000Z',
    seconds: 17.2,
    tables,
    clean: false,
    rowsChecked: 558_000,
    summary: { match: 2, mismatch: 2, notChecked: 1, error: 1 },
  };
}
