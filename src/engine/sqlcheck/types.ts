/**
 * What a SQL check rule sees and returns. Plain data: the worker turns findings into LSP diagnostics,
 * tests read them directly.
 */
import type { StatementSlice as Statement } from '../sqltext/statements.js';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Finding {
  /** The rule's id: the diagnostic's code, and the name to switch it off by. */
  rule: string;
  severity: Severity;
  message: string;
  /** Offsets into the checked text. */
  start: number;
  end: number;
  /** A page that explains the risk (the diagnostic's code description). */
  docs?: string;
  /** A text edit that removes the risk: insert `text` at offset `at` (the editor's quick fix). */
  fix?: { title: string; at: number; text: string };
}

export interface TableSize {
  rows: number;
  bytes: number;
}

export interface CheckContext {
  /** Estimated size of a table, or null when unknown. `database` is null for an unqualified name. */
  tableSize(database: string | null, table: string): TableSize | null;
  /** Tables with at least this many estimated rows count as large (DDL rule). */
  largeTableRows: number;
}

export interface Rule {
  id: string;
  /** One line for the settings description and the README. */
  description: string;
  check(stmt: Statement, ctx: CheckContext): Finding[];
}
