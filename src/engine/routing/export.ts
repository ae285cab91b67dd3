/**
 * A kept result as CSV or JSON, written in pieces so 100,000 rows never become one giant string.
 * CSV follows RFC 4180 (quotes doubled, fields with a comma, quote or line break quoted); NULL is an
 * empty unquoted field and the empty string a quoted one (`""`), so the two stay apart. JSON is an
 * array of objects keyed by column name (a repeated name gets a `_2` suffix so no value is lost).
 * Pure: no I/O; the worker writes the chunks to the file the user chose.
 */
import type { Cell } from './execute.js';

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return s === '' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function uniqueNames(columns: string[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c) ?? 0) + 1;
    seen.set(c, n);
    return n === 1 ? c : `${c}_${n}`;
  });
}

/** Yields the export in chunks of about `rowsPerChunk` rows. */
export function* exportChunks(format: 'csv' | 'json', columns: string[], rows: Cell[][], rowsPerChunk = 2000): Generator<string> {
  if (format === 'csv') {
    yield columns.map(csvField).join(',') + '\r\n';
    for (let i = 0; i < rows.length; i += rowsPerChunk) {
      yield rows.slice(i, i + rowsPerChunk).map((r) => r.map(csvField).join(',') + '\r\n').join('');
    }
    return;
  }
  const names = uniqueNames(columns);
  yield '[';
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    const part = rows.slice(i, i + rowsPerChunk).map((r) => JSON.stringify(Object.fromEntries(names.map((n, j) => [n, r[j]]))));
    yield (i === 0 ? '\n' : ',\n') + part.join(',\n');
  }
  yield '\n]\n';
}
