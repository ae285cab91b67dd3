/**
 * SQL checks: statements that are risky on a replicated topology, found in a script's text. Pure
 * (no I/O, no vscode): the worker serves the findings as diagnostics on .sql files, tests call
 * `checkSql` directly.
 */
import { splitStatements } from '../sqltext/statements.js';
import type { CheckContext, Finding, Rule } from './types.js';
import { writeWithoutWhere } from './rules/writeWithoutWhere.js';
import { ddlLargeTable } from './rules/ddlLargeTable.js';
import { limitWithoutOrder } from './rules/limitWithoutOrder.js';
import { nondeterministicFunction } from './rules/nondeterministicFunction.js';
import { insertSelectOrder } from './rules/insertSelectOrder.js';
import { lockTables } from './rules/lockTables.js';
import { flush } from './rules/flush.js';

export type { CheckContext, Finding, Rule, Severity, TableSize } from './types.js';
export { splitStatements, type StatementSlice as Statement } from '../sqltext/statements.js';
export type { Token } from '../sqltext/lexer.js';

export const RULES: readonly Rule[] = [writeWithoutWhere, ddlLargeTable, limitWithoutOrder, nondeterministicFunction, insertSelectOrder, lockTables, flush];

export const RULE_IDS = RULES.map((r) => r.id);

export const DEFAULT_LARGE_TABLE_ROWS = 1_000_000;

export interface CheckOptions {
  disabledRules?: readonly string[];
  context?: Partial<CheckContext>;
}

/** Every finding in `text`, in order of position. A rule that throws is reported, not fatal. */
export function checkSql(text: string, options: CheckOptions = {}): Finding[] {
  const disabled = new Set(options.disabledRules ?? []);
  const ctx: CheckContext = {
    tableSize: options.context?.tableSize ?? (() => null),
    largeTableRows: options.context?.largeTableRows ?? DEFAULT_LARGE_TABLE_ROWS,
  };
  const rules = RULES.filter((r) => !disabled.has(r.id));
  const out: Finding[] = [];
  for (const stmt of splitStatements(text).statements) {
    for (const rule of rules) {
      try {
        out.push(...rule.check(stmt, ctx));
      } catch (err) {
        out.push({ rule: rule.id, severity: 'information', message: `check ${rule.id} failed on this statement: ${err instanceof Error ? err.message : String(err)}`, start: stmt.codeStart, end: stmt.codeEnd });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
