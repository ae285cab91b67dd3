/**
 * The pure half of Compare / Verify: choices in, a read-only VerifySpec and a one-line summary of
 * a report out. No vscode here.
 */
import type { ServerSpec } from '../engine/jobs/types.js';
import type { VerifyMode, VerifyReport, VerifySpec } from '../engine/verify/types.js';

export interface VerifyChoices {
  source: ServerSpec;
  target: ServerSpec;
  database: string;
  targetDatabase: string;
  /** Undefined: every base table of the source database. */
  tables?: string[];
  mode: VerifyMode;
  maxLagSeconds: number;
}

export const VERIFY_MODES: readonly { mode: VerifyMode; label: string; detail: string }[] = [
  { mode: 'checksum', label: 'Checksums', detail: 'COUNT and a hash per key range on both sides; finds which ranges differ.' },
  { mode: 'rows', label: 'Rows', detail: 'Checksums, then narrows each differing range down to the rows (missing, extra, changed).' },
  { mode: 'count', label: 'Row counts', detail: 'Exact COUNT(*) on both sides.' },
];

export function buildVerifySpec(c: VerifyChoices): VerifySpec {
  return {
    source: c.source,
    target: c.target,
    database: c.database,
    ...(c.targetDatabase !== c.database ? { targetDatabase: c.targetDatabase } : {}),
    ...(c.tables ? { tables: c.tables } : {}),
    mode: c.mode,
    maxLagSeconds: c.maxLagSeconds,
  };
}

/** "3 match, 1 mismatch (orders), 0 not checked, 0 errors" */
export function reportLine(report: VerifyReport): string {
  const s = report.summary;
  const bad = report.tables.filter((t) => t.status === 'mismatch').map((t) => t.table);
  const errors = report.tables.filter((t) => t.status === 'error').map((t) => t.table);
  return [
    `${s.match} match`,
    `${s.mismatch} mismatch${bad.length ? ` (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''})` : ''}`,
    `${s.notChecked} not checked`,
    `${s.error} error${s.error === 1 ? '' : 's'}${errors.length ? ` (${errors.slice(0, 5).join(', ')})` : ''}`,
  ].join(', ');
}

/** Markdown table of per-table counts, for Compare Row Counts. */
export function countsMarkdown(report: VerifyReport): string {
  const lines = [
    `# Row counts: ${report.source}/${report.database} vs ${report.target}/${report.targetDatabase}`,
    '',
    '| Table | Source | Target | Status |',
    '|---|---|---|---|',
  ];
  for (const t of report.tables) {
    const n = (v: number | null) => (v === null ? 'absent' : `${t.rowsExact ? '' : '~'}${v.toLocaleString('en-US')}`);
    lines.push(`| ${t.table} | ${n(t.sourceRows)} | ${n(t.targetRows)} | ${t.status}${t.message ? `: ${t.message}` : ''} |`);
  }
  lines.push('', reportLine(report));
  return lines.join('\n') + '\n';
}
