/**
 * The results page's pure model: how a statement's route, server, lag and outcome read, which
 * statement is shown first, and which row pages the grid still needs. No DOM, unit-tested.
 */
import { formatLag } from '../engine/lag/lagState.js';
import { tokenize } from '../engine/sqltext/lexer.js';
import type { SqlResultDone, SqlRunResult, SqlStatementResult } from '../protocol/index.js';

/** Rows the grid asks the worker for at a time. */
export const PAGE_ROWS = 500;

const nf = new Intl.NumberFormat('en-US');

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${nf.format(n)} ${n === 1 ? one : many}`;
}

/** "replica1 (replica, lag 0.4s)" / "primary" / "db1 (primary)" / "not run". */
export function whereText(s: SqlStatementResult): string {
  if (!s.route || !s.server) return 'not run';
  if (s.route === 'replica') return `${s.server} (replica, lag ${formatLag(s.lagSeconds)})`;
  return s.server === 'primary' ? 'primary' : `${s.server} (primary)`;
}

/**
 * A column's width in characters from its header and the rows at hand, with room for longer values
 * further down (widths are fixed once: later pages must not re-measure 100,000 rows).
 */
export function columnChars(header: string, sample: readonly (string | number | null)[]): number {
  const longest = sample.reduce<number>((m, v) => Math.max(m, v === null ? 4 : String(v).length), header.length);
  return Math.min(60, longest + 4);
}

/** What came back: rows (so far, while loading), affected rows or the error (after how many rows). */
export function outcomeText(s: SqlStatementResult): string {
  if (s.error) return s.columns.length > 0 && s.rowCount > 0 ? `error after ${plural(s.rowCount, 'row')}: ${s.error}` : `error: ${s.error}`;
  if (!s.complete) return `${plural(s.rowCount, 'row')} so far, loading…`;
  if (s.columns.length > 0) return `${plural(s.rowCount, 'row')}${s.truncated ? ' (truncated)' : ''}`;
  const parts = [s.affectedRows === null ? 'done' : plural(s.affectedRows, 'row') + ' affected'];
  if (s.insertId) parts.push(`insert id ${s.insertId}`);
  return parts.join(', ');
}

export function elapsedText(ms: number, ran = true): string {
  // A statement that did not run (an earlier one failed) took no time: a dash, not "0 ms".
  if (!ran) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The statement shown when a run arrives: the last one with rows, else the first error, else the last. */
export function defaultSelection(run: SqlRunResult): number {
  const withRows = [...run.statements].reverse().find((s) => s.resultId !== null);
  if (withRows) return withRows.index;
  const failed = run.statements.find((s) => s.error && !s.error.startsWith('not run'));
  return failed ? failed.index : Math.max(0, run.statements.length - 1);
}

/** One line of statement text for lists, from its first token (leading comments are left out). */
export function shortSql(text: string, max = 90): string {
  const first = tokenize(text).tokens[0];
  const flat = text.slice(first ? first.start : 0).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Pages (by number) that hold rows [first, last] and are neither loaded nor being fetched. */
export function pagesToFetch(first: number, last: number, have: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let p = Math.floor(first / PAGE_ROWS); p <= Math.floor(last / PAGE_ROWS); p++) if (!have.has(p)) out.push(p);
  return out;
}

export function runTitle(run: SqlRunResult): string {
  return `${run.forcePrimary ? 'Run on Primary' : 'Run SQL'}: ${run.profile} (${plural(run.statements.length, 'statement')})`;
}

/**
 * The run with a loading result's final state applied (its count, time, or the error that cut it
 * short); null when no statement of this run has that result (a newer run replaced it).
 */
export function applyDone(run: SqlRunResult, done: SqlResultDone): SqlRunResult | null {
  if (!run.statements.some((s) => s.resultId === done.resultId)) return null;
  const statements = run.statements.map((s) =>
    s.resultId === done.resultId ? { ...s, rowCount: done.rowCount, truncated: done.truncated, elapsedMs: done.elapsedMs, error: done.error, complete: true } : s,
  );
  return { ...run, statements };
}

/**
 * The grid page to ask for again once a loading result is complete: the one holding the first row
 * that had not arrived yet, which may have been served only in part. Pages before it were whole.
 */
export function pageToRefetch(rowsSoFar: number): number {
  return Math.floor(rowsSoFar / PAGE_ROWS);
}

/** The export button's accessible name: the count once known. */
export function exportLabel(s: SqlStatementResult, format: string): string {
  return s.complete ? `Export the ${s.rowCount} rows as ${format}` : `Export all rows as ${format} once they are in`;
}
