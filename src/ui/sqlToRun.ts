/**
 * What Run SQL runs: the selection when there is one, else the statement under the cursor (found
 * with the product's SQL lexer (engine/sqltext), so a `;` inside a string or comment never cuts a statement), or the
 * whole file when the command came from the explorer. Pure: unit-tested without VS Code.
 */
import { splitStatements } from '../engine/sqltext/statements.js';

export interface SqlPick {
  sql: string;
  what: 'selection' | 'statement' | 'file';
  /** Offsets of what is run in the document (to highlight it). */
  start: number;
  end: number;
}

/**
 * The statement that holds the cursor; between two statements, the one just before it (the cursor
 * usually sits after the `;` just typed); before the first, the first.
 */
export function statementAt(text: string, cursor: number): SqlPick | null {
  const { statements } = splitStatements(text);
  if (statements.length === 0) return null;
  let pick = statements[0];
  for (const s of statements) {
    if (s.start <= cursor) pick = s;
    if (cursor >= s.start && cursor <= s.end) break;
  }
  return { sql: pick.text, what: 'statement', start: pick.start, end: pick.end };
}

export function sqlToRun(text: string, selection: { start: number; end: number }, cursor: number): SqlPick | null {
  if (selection.end > selection.start) {
    const sql = text.slice(selection.start, selection.end);
    if (sql.trim()) return { sql, what: 'selection', start: selection.start, end: selection.end };
  }
  return statementAt(text, cursor);
}
