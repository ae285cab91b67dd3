/**
 * `rw-migrate verify`: compares a database on two servers (or a primary and its replica) and, with
 * --repair --yes, re-copies the differing rows to the --to server only. Registered on the program
 * by registerVerifyCommand so the copy commands' file stays the copy engineer's.
 *
 * Exit codes: 0 every table matches (after repair, when repairing), 5 differences remain,
 * 1 a table could not be checked (error), 2 bad input, 3 repair refused before anything was
 * written (the --to server replicates from another server, has read_only on, or was named a
 * replica with --target-is-replica: repairing it would make errant transactions).
 */
import type { Command } from 'commander';
import { repair, RepairRefusedError } from '../engine/verify/index.js';
import { verify } from '../engine/verify/index.js';
import type { CellValue, RepairResult, TableVerdict, VerifyMode, VerifyProgress, VerifyReport, VerifySpec } from '../engine/verify/index.js';
import { EXIT, UsageError } from './exit-codes.js';
import { parseTableList } from './options.js';
import { passwordFor } from './password.js';
import { formatServerUrl, parseServerUrl } from './url.js';

export const EXIT_DIFFERENCES = 5;

export interface VerifyOptions {
  from?: string;
  to?: string;
  tables?: string;
  all?: boolean;
  rows?: boolean;
  count?: boolean;
  repair?: boolean;
  yes?: boolean;
  json?: boolean;
  chunkRows?: string;
  maxLag?: string;
  replica?: string[];
  targetIsReplica?: boolean;
  hash?: string;
}

export function buildVerifySpec(o: VerifyOptions): VerifySpec {
  if (!o.from || !o.to) throw new UsageError('--from and --to are required');
  if (o.all && o.tables) throw new UsageError('use either --tables or --all, not both');
  if (!o.all && !o.tables) throw new UsageError('choose what to verify: --tables a,b or --all');
  if (o.repair && !o.yes) throw new UsageError('--repair writes the differing rows to the --to server: add --yes to confirm');
  if (o.count && (o.rows || o.repair)) throw new UsageError('--count compares row counts only: it cannot be combined with --rows or --repair');
  const from = parseServerUrl(o.from, '--from', true);
  const to = parseServerUrl(o.to, '--to', true);
  const mode: VerifyMode = o.count ? 'count' : o.rows || o.repair ? 'rows' : 'checksum';
  const chunkRows = o.chunkRows === undefined ? undefined : Number(o.chunkRows);
  if (chunkRows !== undefined && (!Number.isInteger(chunkRows) || chunkRows < 1 || chunkRows > 10_000_000)) throw new UsageError('--chunk-rows must be an integer from 1 to 10000000');
  const maxLag = o.maxLag === undefined ? undefined : Number(o.maxLag);
  if (maxLag !== undefined && !(maxLag >= 0)) throw new UsageError('--max-lag must be a number of seconds');
  if (o.hash !== undefined && o.hash !== 'crc32' && o.hash !== 'md5') throw new UsageError('--hash must be crc32 or md5');
  return {
    hash: o.hash as VerifySpec['hash'],
    source: { ...from.server, name: formatServerUrl(from.server) },
    target: { ...to.server, name: formatServerUrl(to.server) },
    database: from.database as string,
    targetDatabase: to.database as string,
    tables: o.all ? undefined : parseTableList(o.tables as string),
    mode,
    chunkRows,
    maxLagSeconds: maxLag,
    replicas: (o.replica ?? []).map((r) => parseServerUrl(r, '--replica', false).server),
    targetIsReplica: !!o.targetIsReplica,
  };
}

/** A value as JSON (quotes show trailing spaces; NULL as null; bytes as {hex}), cut at 60 characters. */
function cell(v: CellValue | undefined): string {
  const t = JSON.stringify(v ?? null);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

function line(v: TableVerdict): string {
  const rows = `${v.sourceRows ?? '-'} / ${v.targetRows ?? '-'} rows${v.rowsExact ? '' : ' (est.)'}`;
  let s = `${v.status.padEnd(11)} ${v.table}  ${rows}`;
  if (v.status === 'mismatch' && v.chunks.length) s += `  ${v.mismatchedRanges.length} of ${v.chunks.length} ranges differ`;
  if (v.message) s += `  (${v.message})`;
  if (v.diff) {
    const d = v.diff;
    s += `\n            missing on target ${d.missing.length}, extra on target ${d.extra.length}, different ${d.different.length}${d.truncated ? ' (sample, truncated)' : ''}`;
    for (const c of d.different.slice(0, 5)) {
      // Both values, so a difference the server's own text would hide (a FLOAT digit, a trailing space) is visible.
      const values = c.columns.slice(0, 3).map((n) => `${n} ${cell(c.source[n])} -> ${cell(c.target[n])}`);
      s += `\n              ${JSON.stringify(c.key)}: ${c.columns.join(', ')}${values.length ? `  (${values.join('; ')})` : ''}`;
    }
  }
  return s;
}

function exitFor(r: VerifyReport): number {
  if (r.summary.error > 0) return EXIT.failed;
  return r.clean ? EXIT.ok : EXIT_DIFFERENCES;
}

export async function verifyCommand(o: VerifyOptions, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const spec = buildVerifySpec(o);
  spec.source.password = await passwordFor('from', spec.source.name ?? 'source');
  spec.target.password = await passwordFor('to', spec.target.name ?? 'target');
  if (spec.replicas?.length) {
    const pw = await passwordFor('replica', 'the replicas');
    spec.replicas = spec.replicas.map((r) => ({ ...r, password: pw }));
  }
  const onEvent = (e: VerifyProgress): void => {
    if (o.json) out(JSON.stringify(e) + '\n');
    else if (e.type === 'table-done') out(line(e.verdict) + '\n');
    else if (e.type === 'throttle' && e.throttle.throttled) out(`waiting: ${e.throttle.reason ?? 'throttled'}\n`);
    else if (e.type === 'log') out(`${e.level}: ${e.message}\n`);
  };
  let report = await verify(spec, { onEvent });
  let repaired: RepairResult | null = null;
  if (o.repair && !report.clean && report.repairRefusal) return refuse(report, report.repairRefusal, o, out);
  if (o.repair && !report.clean) {
    const tables = report.tables.filter((t) => t.diff).map((t) => ({ table: t.table, diff: t.diff as NonNullable<TableVerdict['diff']> }));
    const keyless = report.tables.filter((t) => t.status === 'mismatch' && t.wholeTable).map((t) => t.table);
    if (keyless.length && !o.json) out(`cannot repair row by row (no key): ${keyless.join(', ')}\n`);
    try {
      repaired = await repair({ source: spec.source, target: spec.target, database: spec.database, targetDatabase: spec.targetDatabase, tables, confirm: true, targetIsReplica: spec.targetIsReplica });
    } catch (err) {
      // The repair re-checks the target itself before its first write (it may have changed since).
      if (err instanceof RepairRefusedError) return refuse(report, err.message, o, out);
      throw err;
    }
    if (!o.json) for (const t of repaired.tables) out(`repaired ${t.table}: ${t.upserted} written, ${t.deleted + t.vanished} deleted${t.error ? `, error: ${t.error}` : ''}\n`);
    // The exit code reports the state after the repair, so verify again.
    report = await verify({ ...spec, tables: report.tables.map((t) => t.table) }, { onEvent: o.json ? onEvent : undefined });
  }
  if (o.json) out(JSON.stringify({ type: 'report', report, repaired }) + '\n');
  else {
    const s = report.summary;
    out(`${report.clean ? 'clean' : 'differences found'}: ${s.match} match, ${s.mismatch} mismatch, ${s.error} error, ${s.notChecked} not checked; ${report.rowsChecked} rows in ${report.seconds.toFixed(1)} s\n`);
  }
  return exitFor(report);
}

function refuse(report: VerifyReport, why: string, o: VerifyOptions, out: (s: string) => void): number {
  if (o.json) out(JSON.stringify({ type: 'report', report, repaired: null, refused: why }) + '\n');
  else {
    const s = report.summary;
    out(`differences found: ${s.match} match, ${s.mismatch} mismatch, ${s.error} error, ${s.notChecked} not checked\n`);
    out(`${why}\n`);
  }
  return EXIT.refused;
}

/** Adds `verify` to the program; `setExit` receives the exit code, like the other commands. */
export function registerVerifyCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description('compare tables between two servers (or a primary and a replica); optionally repair the target')
    .requiredOption('--from <url>', 'source (or primary), mysql://USER@HOST:PORT/DB')
    .requiredOption('--to <url>', 'target (or replica), mysql://USER@HOST:PORT/DB')
    .option('--tables <list>', 'comma-separated table names')
    .option('--all', 'every base table of the source database')
    .option('--count', 'exact row counts only')
    .option('--rows', 'narrow differing ranges down to rows and name the columns')
    .option('--repair', 'write the differing rows to the --to server (implies --rows; needs --yes; never a replica or read_only server)')
    .option('--yes', 'confirm --repair')
    .option('--chunk-rows <n>', 'rows per checksum range (default 10000)')
    .option('--max-lag <s>', 'wait while a --replica lags more (default 1)')
    .option('--replica <url>', 'a replica to watch for lag (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--target-is-replica', '--to replicates from --from: re-check a differing range after the replica catches up')
    .option('--hash <algorithm>', 'range hash: crc32 (fast, default) or md5 (stronger, about twice the server CPU)')
    .option('--json', 'JSON lines on stdout')
    .addHelpText(
      'after',
      '\nExit codes: 0 all match, 5 differences found (remaining after --repair), 1 error, 2 bad input,\n' +
        '3 repair refused, nothing written (the --to server is a replica or read_only: fix replicas from their primary).\n',
    )
    .action(async (o: VerifyOptions) => setExit(await verifyCommand(o)));
}
