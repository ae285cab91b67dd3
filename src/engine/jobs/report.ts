/**
 * The migration report: a job's settings (no passwords), timings, throughput, time throttled, the
 * verification verdict per table and the snapshot binlog position, as Markdown for people and JSON
 * for tools. Pure and vscode-free.
 */
import type { JobRecord } from './jobRecord.js';
import { redactSpec } from './redact.js';
import type { ServerSpec } from './types.js';

export interface MigrationReportJson {
  format: 'rw-migrate.report/1';
  jobId: string;
  state: string;
  settings: JobRecord['spec'];
  timings: { startedAt: string; finishedAt: string | null; seconds: number | null };
  throughput: { rows: number; bytes: number; rowsPerSecond: number | null; bytesPerSecond: number | null; peakRowsPerSecond: number };
  throttle: { seconds: number; episodes: number; reasons: string[] };
  tables: { table: string; keyName: string | null; estimatedRows: number; rowsCopied: number | null; verify: string | null; sourceRows: number | null; targetRows: number | null }[];
  /** The first snapshot's position (apply changes from here); `snapshots` counts every snapshot read. */
  binlog: { file: string | null; position: number | null; gtid: string | null; exact: boolean | null; snapshots: number } | null;
  retries: { count: number; messages: string[] };
  verification: { mode: string; clean: boolean; seconds: number; rowsChecked: number; summary: Record<string, number> } | null;
  message: string | null;
  warnings: string[];
}

const nf = new Intl.NumberFormat('en-US');

function server(s: ServerSpec): string {
  return `${s.name ? `${s.name} ` : ''}${s.user}@${s.host}:${s.port}`;
}

export function reportJson(record: JobRecord): MigrationReportJson {
  const r = record.result;
  const seconds = r ? r.seconds : null;
  const verify = record.verify;
  const byTable = new Map(verify?.tables.map((t) => [t.table, t]) ?? []);
  const names = [...record.events.tables.map((t) => t.table), ...(verify?.tables.map((t) => t.table) ?? [])];
  const tables = [...new Set(names)].map((name) => {
    const t = record.events.tables.find((x) => x.table === name);
    const v = byTable.get(name);
    return {
      table: name,
      keyName: t?.keyName ?? null,
      estimatedRows: t?.estimatedRows ?? 0,
      rowsCopied: t?.rows ?? null,
      verify: v?.status ?? null,
      sourceRows: v?.sourceRows ?? null,
      targetRows: v?.targetRows ?? null,
    };
  });
  const snap = record.events.snapshot;
  return {
    format: 'rw-migrate.report/1',
    jobId: record.jobId,
    state: r?.state ?? record.events.states[record.events.states.length - 1]?.state ?? 'running',
    settings: record.spec ? redactSpec(record.spec, { omitInlineCa: true }) : null,
    timings: { startedAt: record.startedAt, finishedAt: record.finishedAt, seconds },
    throughput: {
      rows: r?.rows ?? 0,
      bytes: r?.bytes ?? 0,
      rowsPerSecond: r && r.seconds > 0 ? Math.round(r.rows / r.seconds) : null,
      bytesPerSecond: r && r.seconds > 0 ? Math.round(r.bytes / r.seconds) : null,
      peakRowsPerSecond: Math.round(record.events.peakRowsPerSecond),
    },
    throttle: { seconds: Math.round(record.events.throttledMs / 100) / 10, episodes: record.events.throttleEpisodes, reasons: record.events.throttleReasons },
    tables,
    binlog: snap
      ? { file: snap.binlogFile, position: snap.binlogPosition, gtid: snap.gtidBinlogPos, exact: snap.exact ?? null, snapshots: record.events.snapshotCount || 1 }
      : null,
    retries: { count: record.events.retries, messages: record.events.retryMessages },
    verification: verify
      ? { mode: verify.mode, clean: verify.clean, seconds: verify.seconds, rowsChecked: verify.rowsChecked, summary: { ...verify.summary } }
      : null,
    message: r?.message ?? null,
    warnings: record.events.warnings,
  };
}

/** What the snapshot count means for the data, in words (the report and the CLI say the same). */
export function snapshotsText(count: number): string {
  if (count <= 1) return 'The copy read one consistent snapshot of the source at:';
  return (
    `The copy took ${count} snapshots (it was resumed): rows copied after a resume reflect a later point than the first snapshot, ` +
    "so the target is not one snapshot until changes are applied from the first snapshot's position, which is:"
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function reportMarkdown(record: JobRecord): string {
  const j = reportJson(record);
  const out: string[] = [`# Migration report: job ${j.jobId}`, '', `**Result:** ${j.state}${j.message ? ` (${j.message})` : ''}`, ''];
  out.push('## Settings', '');
  const s = record.spec;
  if (s) {
    out.push(`- Source: ${server(s.source)}, database \`${s.sourceDatabase}\``);
    out.push(`- Target: ${server(s.target)}, database \`${s.targetDatabase}\``);
    out.push(`- Tables: ${s.tables === 'all' ? 'all' : s.tables.join(', ')}`);
    out.push(`- Mode: ${s.mode}; method: ${s.method ?? 'load'}; if the table exists: ${s.ifExists ?? 'abort'}; writers: ${s.writers ?? 'default'}`);
    out.push(`- Throttle: max replica lag ${s.maxLagSeconds ?? 1} s, max Threads_running ${s.maxLoad ?? 50}`);
    const replicas = [...(s.replicas ?? []), ...(s.sourceReplicas ?? [])];
    out.push(`- Replicas watched: ${replicas.length ? replicas.map(server).join(', ') : 'none'}`);
  } else out.push('Settings unknown (the job was resumed without its spec).');
  out.push('', '## Timings and throughput', '');
  out.push(`- Started: ${j.timings.startedAt}`, `- Finished: ${j.timings.finishedAt ?? 'not yet'}`);
  if (j.timings.seconds !== null) out.push(`- Duration: ${j.timings.seconds.toFixed(1)} s`);
  out.push(`- Rows copied: ${nf.format(j.throughput.rows)} (${nf.format(j.throughput.bytes)} bytes)`);
  if (j.throughput.rowsPerSecond !== null) out.push(`- Average: ${nf.format(j.throughput.rowsPerSecond)} rows/s; peak ${nf.format(j.throughput.peakRowsPerSecond)} rows/s`);
  out.push('', '## Throttling', '');
  out.push(`- Time throttled: ${j.throttle.seconds} s in ${j.throttle.episodes} episode${j.throttle.episodes === 1 ? '' : 's'}`);
  for (const reason of j.throttle.reasons) out.push(`- Reason: ${reason}`);
  out.push('', '## Tables', '', '| Table | Key | Estimated rows | Rows copied | Verification | Source rows | Target rows |', '| --- | --- | ---: | ---: | --- | ---: | ---: |');
  const num = (n: number | null) => (n === null ? '–' : nf.format(n));
  for (const t of j.tables) {
    out.push(`| ${cell(t.table)} | ${cell(t.keyName ?? '(none)')} | ${nf.format(t.estimatedRows)} | ${num(t.rowsCopied)} | ${t.verify ?? 'not verified'} | ${num(t.sourceRows)} | ${num(t.targetRows)} |`);
  }
  out.push('', '## Verification', '');
  if (j.verification) {
    const v = j.verification;
    out.push(`- Mode: ${v.mode}; ${v.clean ? 'clean: every checked table matches' : 'NOT clean'}`);
    out.push(`- ${v.summary.match} match, ${v.summary.mismatch} mismatch, ${v.summary.error} error, ${v.summary.notChecked} not checked; ${nf.format(v.rowsChecked)} rows checked in ${v.seconds.toFixed(1)} s`);
    for (const t of record.verify?.tables ?? []) if (t.message && t.status !== 'match') out.push(`- ${t.table}: ${t.message}`);
  } else out.push('Not verified.');
  out.push('', '## Binlog position', '');
  if (j.binlog) {
    out.push(`${snapshotsText(j.binlog.snapshots)}`, '');
    out.push(`- File: \`${j.binlog.file ?? 'unknown'}\``, `- Position: ${j.binlog.position ?? 'unknown'}`, `- GTID: \`${j.binlog.gtid ?? 'none'}\``);
    if (j.binlog.exact === false) out.push('- Approximate: read just after the snapshot started, not at it (this server has no Binlog_snapshot_* status); it may be later than the snapshot.');
  } else out.push('Unknown (the job was not planned).');
  if (j.retries.count > 0) {
    out.push('', '## Retries', '', `${j.retries.count} transient fault${j.retries.count === 1 ? ' was' : 's were'} retried:`, '');
    for (const m of j.retries.messages) out.push(`- ${m}`);
  }
  if (j.warnings.length) {
    out.push('', '## Warnings', '');
    for (const w of j.warnings) out.push(`- ${w}`);
  }
  return `${out.join('\n')}\n`;
}
