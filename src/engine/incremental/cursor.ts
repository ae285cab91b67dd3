/**
 * The cursor of an incremental job, pure: which columns order the rows (the watermark column, then
 * the key), which tables and columns can carry a watermark, and the stored form of a mark.
 *
 * Rows are read in (column, key) order after the stored (column, key) pair, compared as a row
 * constructor (db/keyset expands `(c, k) > (a, b)` into `c > a OR (c = a AND k > b)`, the form the
 * range optimizer uses), so rows sharing a column value across a chunk boundary are neither skipped
 * nor read twice.
 */
import type { KeyValue } from '../db/keyset.js';
import { keyValueOf } from '../db/keyset.js';
import type { TableDefinition } from '../schema/inspector.js';
import type { KeyPart, WatermarkSpec } from '../jobs/types.js';

/** Types whose order is the order changes happen in (and that compare exactly in SQL). */
const MONOTONIC = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|date|datetime|timestamp|year)$/i;
/** Types a safety window (seconds before the source's clock) applies to. */
const TEMPORAL = /^(date|datetime|timestamp)$/i;

export function isTemporalType(dataType: string): boolean {
  return TEMPORAL.test(dataType);
}

/** The columns rows are ordered and resumed by: the watermark column, then the key's other columns. */
export function cursorColumns(column: string, keyColumns: readonly string[]): string[] {
  return [column, ...keyColumns.filter((k) => k !== column)];
}

/**
 * Why a table cannot be copied incrementally by `w`, each with its fix (empty: it can). Only what its
 * definition says; NULL rows are counted in the run's snapshot (run.ts).
 */
export function watermarkProblems(info: TableDefinition, w: WatermarkSpec): string[] {
  const t = `${info.database}.${info.name}`;
  const out: string[] = [];
  const col = info.columns.find((c) => c.name === w.column);
  if (!col) {
    out.push(`${t}: no column ${w.column} to use as the watermark (name a column this table has, or copy the table in a job of its own with its own --watermark)`);
  } else if (!MONOTONIC.test(col.dataType)) {
    out.push(
      `${t}.${w.column} is ${col.columnType.toUpperCase()}, which cannot carry a watermark (its order is not the order rows change in, or not exact); ` +
        'choose an integer, DECIMAL, DATE, DATETIME or TIMESTAMP column such as an auto-increment id or updated_at',
    );
  } else if ((w.safetySeconds ?? 0) > 0 && !isTemporalType(col.dataType)) {
    out.push(`${t}.${w.column} is ${col.columnType.toUpperCase()}: a safety window is measured in seconds and applies to DATE, DATETIME and TIMESTAMP columns only; drop --watermark-safety`);
  }
  if (!info.key) {
    out.push(`${t} has no primary key or unique key over NOT NULL columns: an incremental copy upserts rows by their key; add a PRIMARY KEY`);
  } else if (info.key.columns.some((k) => info.columns.find((c) => c.name === k)?.nullable)) {
    out.push(`${t}: its only key (${info.key.name}) has nullable columns, so a row read twice could not be upserted onto itself; add a PRIMARY KEY`);
  }
  return out;
}

/** Whether some index starts with the column (without one, every run scans the table). */
export function hasLeadingIndex(info: TableDefinition, column: string): boolean {
  return info.indexes.some((i) => i.columns[0] === column);
}

/** A mark as stored with the job: the column's value as the server prints it, and the key after it. */
export interface StoredMark {
  value: string | null;
  key: KeyPart[];
}

function partOf(b: Buffer | null): KeyPart {
  if (b === null) return null;
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : { hex: b.toString('hex') };
}

/** The stored form of the cursor of a row (column first, then the key's other columns). */
export function markOf(cursor: KeyValue): StoredMark {
  if (cursor.length === 0) throw new Error('empty cursor');
  const [value, ...key] = cursor;
  return { value: value === null ? null : value.toString('utf8'), key: key.map(partOf) };
}

/** The cursor a stored mark stands for (what the next chunk reads after). */
export function cursorOf(mark: StoredMark): KeyValue {
  return [mark.value === null ? null : Buffer.from(mark.value, 'utf8'), ...keyValueOf(mark.key)];
}

/**
 * Where the stored mark may go after a chunk. Rows are read in two passes: first those whose column
 * is at or below the cutoff (source clock minus the safety window), where the mark follows the
 * chunks; then those above it, copied while the mark stays where the first pass left it, so the
 * next run reads them again (a late commit with an older timestamp lands among them, not behind the mark).
 */
export function nextMark(pass: 'settled' | 'recent', stored: StoredMark | null, lastRow: KeyValue | null): StoredMark | null {
  if (pass === 'recent' || lastRow === null) return stored;
  return markOf(lastRow);
}
