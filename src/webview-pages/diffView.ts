/**
 * Pure view model of the verification (diff) panel: the sortable, filterable table of tables, the
 * drill-down into one table's differing ranges and rows, and the repair confirmation text. DOM-free,
 * unit-tested; the host uses repairSummary() for its modal.
 */
import type { CellValue, KeyRange, KeyTuple, TableStatus, TableVerdict, VerifyReport } from '../engine/verify/types.js';
import { formatDuration } from '../engine/jobs/format.js';

export type SortKey = 'table' | 'sourceRows' | 'targetRows' | 'delta' | 'status';

export interface DiffUiState {
  sort: SortKey;
  descending: boolean;
  mismatchesOnly: boolean;
  /** Table drilled into. */
  selected: string | null;
}

export const initialUi: DiffUiState = { sort: 'status', descending: false, mismatchesOnly: false, selected: null };

export interface TableRowView {
  table: string;
  sourceText: string;
  targetText: string;
  delta: number | null;
  deltaText: string;
  status: TableStatus;
  statusText: string;
  message: string;
  /** Has ranges or rows to show. */
  canDrill: boolean;
}

export const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'table', label: 'Table', numeric: false },
  { key: 'sourceRows', label: 'Source rows', numeric: true },
  { key: 'targetRows', label: 'Target rows', numeric: true },
  { key: 'delta', label: 'Delta', numeric: true },
  { key: 'status', label: 'Checksum', numeric: false },
];

const STATUS_TEXT: Record<TableStatus, string> = { match: 'Match', mismatch: 'Mismatch', 'not-checked': 'Not checked', error: 'Error' };
/** Problems first when sorting by status. */
const STATUS_ORDER: Record<TableStatus, number> = { error: 0, mismatch: 1, 'not-checked': 2, match: 3 };

const nf = new Intl.NumberFormat('en-US');

export function statusText(status: TableStatus): string {
  return STATUS_TEXT[status];
}

function rowsText(n: number | null, exact: boolean): string {
  if (n === null) return 'absent';
  return `${exact ? '' : '~'}${nf.format(n)}`;
}

/** Target minus source; null when either side is absent. */
export function delta(v: TableVerdict): number | null {
  return v.sourceRows === null || v.targetRows === null ? null : v.targetRows - v.sourceRows;
}

export function deltaText(d: number | null, exact: boolean): string {
  if (d === null) return '–';
  if (d === 0) return '0';
  return `${exact ? '' : '~'}${d > 0 ? '+' : '−'}${nf.format(Math.abs(d))}`;
}

/** Size of the difference; an absent side sorts below every number. */
function absDelta(v: TableVerdict): number {
  const d = delta(v);
  return d === null ? -1 : Math.abs(d);
}

function compare(a: TableVerdict, b: TableVerdict, key: SortKey): number {
  const num = (x: number | null) => (x === null ? Number.NEGATIVE_INFINITY : x);
  switch (key) {
    case 'table':
      return a.table.localeCompare(b.table);
    case 'sourceRows':
      return num(a.sourceRows) - num(b.sourceRows);
    case 'targetRows':
      return num(a.targetRows) - num(b.targetRows);
    case 'delta':
      return absDelta(a) - absDelta(b);
    case 'status':
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
  }
}

export function isProblem(status: TableStatus): boolean {
  return status === 'mismatch' || status === 'error';
}

/** Rows of the table of tables: filtered, then sorted (ties by table name, so the order is stable). */
export function tableRows(report: VerifyReport, ui: DiffUiState): TableRowView[] {
  const verdicts = report.tables.filter((t) => !ui.mismatchesOnly || isProblem(t.status));
  const sorted = [...verdicts].sort((a, b) => {
    const c = compare(a, b, ui.sort);
    return (ui.descending ? -c : c) || a.table.localeCompare(b.table);
  });
  return sorted.map((v) => {
    const d = delta(v);
    return {
      table: v.table,
      sourceText: rowsText(v.sourceRows, v.rowsExact),
      targetText: rowsText(v.targetRows, v.rowsExact),
      delta: d,
      deltaText: deltaText(d, v.rowsExact),
      status: v.status,
      statusText: STATUS_TEXT[v.status],
      message: v.message ?? '',
      canDrill: v.mismatchedRanges.length > 0 || v.diff !== undefined || v.chunks.some((c) => !c.match),
    };
  });
}

/** Clicking a header: the same column flips the direction, another column sorts ascending. */
export function toggleSort(ui: DiffUiState, key: SortKey): DiffUiState {
  return { ...ui, sort: key, descending: ui.sort === key ? !ui.descending : false };
}

export function summaryText(report: VerifyReport): string {
  const s = report.summary;
  const parts = [`${s.match} match`, `${s.mismatch} mismatch`];
  if (s.error) parts.push(`${s.error} error`);
  if (s.notChecked) parts.push(`${s.notChecked} not checked`);
  return `${report.tables.length} ${report.tables.length === 1 ? 'table' : 'tables'}: ${parts.join(', ')}. ${nf.format(report.rowsChecked)} rows checked in ${formatDuration(report.seconds * 1000)} (${report.mode}).`;
}

export function cellText(v: CellValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return v;
  return `0x${v.hex}`;
}

export function keyText(key: KeyTuple): string {
  return key.length === 1 ? cellText(key[0]) : `(${key.map(cellText).join(', ')})`;
}

export function rangeText(r: KeyRange): string {
  const lower = r.lower === null ? 'start' : keyText(r.lower);
  const upper = r.upper === null ? 'end' : keyText(r.upper);
  return `${r.lower === null ? '[' : '('}${lower} … ${upper}]`;
}

export interface ChangedRowView {
  key: string;
  columns: { name: string; source: string; target: string }[];
}

export interface TableDetailView {
  title: string;
  keyLabel: string;
  notes: string[];
  ranges: string[];
  missing: string[];
  extra: string[];
  different: ChangedRowView[];
  repairable: boolean;
}

/** `refusal`: the report's repairRefusal (the target is a replica or read_only): shown, and no repair. */
export function tableDetail(v: TableVerdict, refusal?: string): TableDetailView {
  const notes: string[] = [];
  if (v.message) notes.push(v.message);
  if (v.wholeTable) notes.push('No usable key: checked as a whole table, rows cannot be localised.');
  const badChunks = v.chunks.filter((c) => !c.match).length;
  if (v.chunks.length) notes.push(`${badChunks} of ${v.chunks.length} key ranges differ.`);
  if (v.diff?.truncated) notes.push('More rows differ than were sampled: the lists below are a sample.');
  return {
    title: `${v.table}: ${STATUS_TEXT[v.status].toLowerCase()}`,
    keyLabel: v.keyColumns.length ? v.keyColumns.join(', ') : '(no key)',
    notes,
    ranges: v.mismatchedRanges.map(rangeText),
    missing: v.diff?.missing.map(keyText) ?? [],
    extra: v.diff?.extra.map(keyText) ?? [],
    different:
      v.diff?.different.map((r) => ({
        key: keyText(r.key),
        columns: r.columns.map((c) => ({ name: c, source: cellText(r.source[c] ?? null), target: cellText(r.target[c] ?? null) })),
      })) ?? [],
    repairable: v.status === 'mismatch' && v.diff !== undefined && !refusal,
  };
}

/** Mismatched tables with row-level diffs: what Repair can fix (none on a replica or read_only target). */
export function repairableTables(report: VerifyReport): string[] {
  if (report.repairRefusal) return [];
  return report.tables.filter((t) => t.status === 'mismatch' && t.diff).map((t) => t.table);
}

/**
 * What the toolbar offers: Repair of the repairable tables, nothing to repair, or, for a target that
 * must not be written (a replica, read_only), the reason and the fix in place of a Repair button.
 */
export type RepairAction =
  | { kind: 'repair'; tables: string[]; label: string }
  | { kind: 'nothing'; label: string }
  | { kind: 'refused'; label: string; explanation: string };

export function repairAction(report: VerifyReport): RepairAction {
  const differs = report.tables.some((t) => t.status === 'mismatch' && t.diff);
  if (report.repairRefusal && differs) return { kind: 'refused', label: 'Repair not offered', explanation: report.repairRefusal };
  const tables = repairableTables(report);
  if (tables.length === 0) return { kind: 'nothing', label: 'Nothing to repair' };
  return { kind: 'repair', tables, label: `Repair ${tables.length} table${tables.length === 1 ? '' : 's'}…` };
}

/** The text of the host's confirmation modal: exactly which rows are written where. */
export function repairSummary(report: VerifyReport, tables: readonly string[]): { message: string; detail: string } {
  const lines: string[] = [];
  let total = 0;
  for (const name of tables) {
    const v = report.tables.find((t) => t.table === name);
    if (!v?.diff) continue;
    const { missing, extra, different, truncated } = v.diff;
    total += missing.length + extra.length + different.length;
    const parts = [
      `${nf.format(missing.length)} missing row${missing.length === 1 ? '' : 's'} copied from the source`,
      `${nf.format(different.length)} different row${different.length === 1 ? '' : 's'} overwritten with the source's values`,
      `${nf.format(extra.length)} extra row${extra.length === 1 ? '' : 's'} deleted`,
    ];
    lines.push(`${report.targetDatabase}.${name}: ${parts.join(', ')}${truncated ? ' (a sample: verify again afterwards)' : ''}.`);
  }
  return {
    message: `Repair ${nf.format(total)} row${total === 1 ? '' : 's'} on ${report.target} (database ${report.targetDatabase})?`,
    detail: `Only ${report.target} is written; ${report.source} is read.\n${lines.join('\n')}`,
  };
}
