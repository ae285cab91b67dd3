/**
 * SQL checks as a language feature: the worker keeps the text of open .sql documents (full sync) and
 * publishes src/engine/sqlcheck's findings as diagnostics, each with its rule id as the code. A
 * change is checked after a short pause in typing; settings and new table estimates re-check every
 * open document.
 */
import {
  CodeActionKind, type CodeAction, DiagnosticSeverity, TextDocumentSyncKind, type Connection, type Diagnostic, type InitializeParams, type ServerCapabilities,
} from 'vscode-languageserver/node';
import { checkSql, DEFAULT_LARGE_TABLE_ROWS, type Finding, type Severity } from '../engine/sqlcheck/index.js';
import type { SqlChecksSettings, WorkerInitializationOptions } from '../protocol/index.js';
import type { TableSizes } from './tableSizes.js';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const DEBOUNCE_MS = 200;

/** Offsets -> LSP positions (UTF-16 code units, which is what JS string offsets are). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function toDiagnostic(starts: number[], f: Finding): Diagnostic {
  return {
    range: { start: position(starts, f.start), end: position(starts, Math.max(f.start, f.end)) },
    severity: SEVERITY[f.severity],
    code: f.rule,
    codeDescription: f.docs ? { href: f.docs } : undefined,
    source: 'RW Migrate',
    message: f.message,
    // Kept by the client and handed back with codeAction requests (LSP 3.16 `data`).
    data: f.fix ? { fix: { title: f.fix.title, position: position(starts, f.fix.at), text: f.fix.text } } : undefined,
  };
}

interface FixData {
  fix?: { title: string; position: { line: number; character: number }; text: string };
}

function settingsFrom(value: unknown): SqlChecksSettings {
  const v = (value ?? {}) as { disabledRules?: unknown; largeTableRows?: unknown };
  return {
    disabledRules: Array.isArray(v.disabledRules) ? v.disabledRules.filter((r): r is string => typeof r === 'string') : [],
    largeTableRows: typeof v.largeTableRows === 'number' && v.largeTableRows >= 0 ? v.largeTableRows : DEFAULT_LARGE_TABLE_ROWS,
  };
}

export interface SqlChecks {
  capabilities: Partial<ServerCapabilities>;
  initialize(params: InitializeParams): void;
}

export function registerSqlChecks(connection: Connection, sizes: TableSizes): SqlChecks {
  const docs = new Map<string, { text: string; version: number }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings = settingsFrom(undefined);

  const publish = (uri: string) => {
    timers.delete(uri);
    const doc = docs.get(uri);
    if (!doc) return;
    const findings = checkSql(doc.text, {
      disabledRules: settings.disabledRules,
      context: { tableSize: (db, t) => sizes.lookup(db, t), largeTableRows: settings.largeTableRows },
    });
    const starts = lineStarts(doc.text);
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: findings.map((f) => toDiagnostic(starts, f)) });
  };
  const schedule = (uri: string, delay = DEBOUNCE_MS) => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => publish(uri), delay));
  };
  const recheckAll = () => {
    for (const uri of docs.keys()) schedule(uri, 0);
  };

  connection.onDidOpenTextDocument(({ textDocument }) => {
    docs.set(textDocument.uri, { text: textDocument.text, version: textDocument.version });
    schedule(textDocument.uri, 0);
  });
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    // Full sync: the last change carries the whole text.
    const last = contentChanges[contentChanges.length - 1];
    if (!last) return;
    docs.set(textDocument.uri, { text: last.text, version: textDocument.version });
    schedule(textDocument.uri);
  });
  connection.onDidCloseTextDocument(({ textDocument }) => {
    docs.delete(textDocument.uri);
    clearTimeout(timers.get(textDocument.uri));
    timers.delete(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });
  connection.onDidChangeConfiguration(({ settings: all }) => {
    settings = settingsFrom((all as { rwMigrate?: { sqlChecks?: unknown } } | null)?.rwMigrate?.sqlChecks);
    recheckAll();
  });
  sizes.onChange(recheckAll);
  connection.onCodeAction(({ textDocument, context }): CodeAction[] =>
    context.diagnostics.flatMap((d) => {
      const fix = (d.data as FixData | undefined)?.fix;
      if (!fix || !docs.has(textDocument.uri)) return [];
      return [{
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [textDocument.uri]: [{ range: { start: fix.position, end: fix.position }, newText: fix.text }] } },
      }];
    }),
  );

  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.Full, codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } },
    initialize(params) {
      settings = settingsFrom((params.initializationOptions as WorkerInitializationOptions | undefined)?.sqlChecks);
    },
  };
}
