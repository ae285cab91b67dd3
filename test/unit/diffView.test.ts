import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cellText, deltaText, initialUi, rangeText, repairSummary, repairableTables, statusText, summaryText, tableDetail, tableRows, toggleSort,
} from '../../src/webview-pages/diffView.js';
import { sampleVerifyReport } from './diffFixture.js';

const report = sampleVerifyReport();

test('default order puts errors and mismatches first, ties by name', () => {
  const rows = tableRows(report, initialUi);
  assert.deepEqual(rows.map((r) => r.table), ['audit_log', 'order_items', 'orders', 'sessions', 'customers', 'products']);
  assert.deepEqual(rows.map((r) => r.statusText), ['Error', 'Mismatch', 'Mismatch', 'Not checked', 'Match', 'Match']);
});

test('every column sorts both ways', () => {
  let ui = toggleSort(initialUi, 'table');
  assert.deepEqual(tableRows(report, ui).map((r) => r.table).slice(0, 2), ['audit_log', 'customers']);
  ui = toggleSort(ui, 'table');
  assert.equal(ui.descending, true);
  assert.equal(tableRows(report, ui)[0].table, 'sessions');
  ui = toggleSort(ui, 'sourceRows');
  assert.equal(ui.descending, false);
  assert.equal(tableRows(report, ui)[0].table, 'sessions');
  assert.equal(tableRows(report, toggleSort(ui, 'sourceRows'))[0].table, 'order_items');
  // Absent target rows sort below every number.
  assert.equal(tableRows(report, toggleSort(initialUi, 'targetRows'))[0].table, 'audit_log');
  const byDelta = tableRows(report, { ...initialUi, sort: 'delta', descending: true });
  assert.deepEqual(byDelta.map((r) => r.table).slice(0, 2), ['sessions', 'orders']);
  assert.equal(tableRows(report, { ...initialUi, sort: 'status', descending: true })[0].status, 'match');
});

test('mismatch filter keeps mismatches and errors', () => {
  const rows = tableRows(report, { ...initialUi, mismatchesOnly: true });
  assert.deepEqual(rows.map((r) => r.table), ['audit_log', 'order_items', 'orders']);
  assert.equal(rows.filter((r) => r.status === 'mismatch').length, 2);
});

test('delta, row and status texts', () => {
  const rows = Object.fromEntries(tableRows(report, initialUi).map((r) => [r.table, r]));
  assert.equal(rows.orders.deltaText, '−2');
  assert.equal(rows.orders.sourceText, '120,000');
  assert.equal(rows.sessions.deltaText, '~−20');
  assert.equal(rows.sessions.targetText, '~880');
  assert.equal(rows.audit_log.targetText, 'absent');
  assert.equal(rows.audit_log.deltaText, '–');
  assert.equal(rows.customers.deltaText, '0');
  assert.equal(deltaText(5, true), '+5');
  assert.equal(statusText('not-checked'), 'Not checked');
  assert.equal(rows.orders.canDrill, true);
  assert.equal(rows.customers.canDrill, false);
  assert.equal(summaryText(report), '6 tables: 2 match, 2 mismatch, 1 error, 1 not checked. 558,000 rows checked in 17 s (rows).');
});

test('drill-down: ranges, missing, extra and the differing columns', () => {
  const d = tableDetail(report.tables.find((t) => t.table === 'orders')!);
  assert.equal(d.title, 'orders: mismatch');
  assert.deepEqual(d.ranges, ['(10000 … 20000]', '(20000 … end]']);
  assert.deepEqual(d.missing, ['10017', '10018', '15002']);
  assert.deepEqual(d.extra, ['19999']);
  assert.deepEqual(d.different[0], {
    key: '20431',
    columns: [
      { name: 'status', source: 'shipped', target: 'pending' },
      { name: 'total', source: '129.90', target: '129.00' },
    ],
  });
  assert.deepEqual(d.different[1].columns[0], { name: 'note', source: 'NULL', target: '0xc3a9' });
  assert.ok(d.notes.includes('2 of 3 key ranges differ.'));
  assert.equal(d.repairable, true);
  const composite = tableDetail(report.tables.find((t) => t.table === 'order_items')!);
  assert.deepEqual(composite.ranges, ['((40000, 1) … (50000, 3)]']);
  assert.equal(rangeText({ lower: null, upper: null }), '[start … end]');
  assert.equal(cellText({ hex: '00ff' }), '0x00ff');
});

test('repair confirmation names every row written and where', () => {
  assert.deepEqual(repairableTables(report), ['orders', 'order_items']);
  const s = repairSummary(report, ['orders', 'order_items']);
  assert.equal(s.message, 'Repair 7 rows on target (127.0.0.1:3309) (database shop_copy)?');
  assert.equal(
    s.detail,
    'Only target (127.0.0.1:3309) is written; primary (127.0.0.1:3306) is read.\n' +
      'shop_copy.orders: 3 missing rows copied from the source, 2 different rows overwritten with the source\'s values, 1 extra row deleted.\n' +
      'shop_copy.order_items: 0 missing rows copied from the source, 1 different row overwritten with the source\'s values, 0 extra rows deleted.',
  );
});

test('the summary says "1 table", not "1 tables"', async () => {
  const { summaryText } = await import('../../src/webview-pages/diffView.js');
  const full = sampleVerifyReport();
  const one = { ...full, tables: full.tables.slice(0, 1), summary: { match: 1, mismatch: 0, notChecked: 0, error: 0 } };
  assert.match(summaryText(one), /^1 table: 1 match, 0 mismatch\./);
  assert.match(summaryText(full), /^\d+ tables: /);
});

test('a replica target: no Repair button, the reason and the fix instead', async () => {
  const { repairAction } = await import('../../src/webview-pages/diffView.js');
  const refusal = 'Repair refused: replica1 is a replica or read-only (it replicates from 127.0.0.1:3306). Nothing was written. ... re-clone it from the primary ...';
  const onReplica = { ...sampleVerifyReport(), repairRefusal: refusal };
  assert.deepEqual(repairAction(onReplica), { kind: 'refused', label: 'Repair not offered', explanation: refusal });
  assert.deepEqual(repairableTables(onReplica), []);
  const d = tableDetail(onReplica.tables.find((t) => t.table === 'orders')!, onReplica.repairRefusal);
  assert.equal(d.repairable, false);
  // The same report on a writable target offers Repair.
  assert.deepEqual(repairAction(report), { kind: 'repair', tables: ['orders', 'order_items'], label: 'Repair 2 tables…' });
  assert.equal(tableDetail(report.tables.find((t) => t.table === 'orders')!).repairable, true);
  const clean = { ...onReplica, tables: onReplica.tables.filter((t) => t.status !== 'mismatch') };
  assert.deepEqual(repairAction(clean), { kind: 'nothing', label: 'Nothing to repair' });
});
