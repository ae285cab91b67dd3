/**
 * `rw-migrate sync JOB_ID`: the incremental mode of a job that was copied before. Applies every
 * change since the job's last committed position (at first its full copy's snapshot) up to the
 * source's position when the run starts, then stops and reports. Run it again later to continue.
 *
 * An incremental job (--mode incremental --watermark COLUMN) has no binlog position: `sync` runs its
 * next increment instead (rows above the stored mark), reported as its copy is.
 *
 * Exit codes: 0 in sync up to that position, 1 failed (stopped by DDL, purged binlog, conflict,
 * lost source; the message says what to do), 2 bad input, 3 refused before anything was written
 * (pre-flight), 4 cancelled (run sync again to continue).
 */
import { Option, type Command } from 'commander';
import { FOLLOW_OTHER_SERVER_BINLOG_ONLY, syncJob, formatPosition, type SyncEvent, type SyncResult } from '../engine/cdc/index.js';
import { loadJob, resumeMigration, type ServerSpec } from '../engine/index.js';
import { humanRenderer, jsonRenderer } from './render.js';
import { EXIT, exitForState, UsageError } from './exit-codes.js';
import { untilDone } from './interrupt.js';
import { passwordFor } from './password.js';
import { lookup } from './registry.js';
import { formatServerUrl, parseServerUrl } from './url.js';

interface SyncCliOptions {
  to?: string;
  source?: string;
  json?: boolean;
  stallSeconds?: string;
  batchEvents?: string;
  bufferEvents?: string;
  apply?: 'auto' | 'binlog' | 'sql';
}

function exitFor(r: SyncResult): number {
  return exitForState(r.state);
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

async function syncCommand(jobId: string, o: SyncCliOptions): Promise<number> {
  const text = o.to ?? lookup(jobId)?.to;
  if (!text) throw new UsageError(`job ${jobId} is not in the local job list: pass --to mysql://USER@HOST:PORT`);
  const target = parseServerUrl(text, '--to', false).server;
  const stallSeconds = positiveNumber(o.stallSeconds, '--stall-seconds');
  const batchEvents = positiveNumber(o.batchEvents, '--batch-events');
  const bufferEvents = positiveNumber(o.bufferEvents, '--buffer-events');
  const newSource = o.source ? parseServerUrl(o.source, '--source', false).server : undefined;
  target.password = await passwordFor('to', formatServerUrl(target));
  const source = await passwordFor('from', newSource ? formatServerUrl(newSource) : 'the job\'s source');
  const job = await loadJob(target, jobId);
  if (job?.spec.mode === 'incremental') {
    if (newSource) throw new UsageError(`--source ${FOLLOW_OTHER_SERVER_BINLOG_ONLY}`);
    if (o.apply) throw new UsageError(`--apply is for a job that follows the binlog; job ${jobId} is incremental (it upserts the rows above its mark)`);
    return incrementalSync(target, jobId, source, !!o.json);
  }
  const out = (line: string) => process.stdout.write(line + '\n');
  const onEvent = (e: SyncEvent) => {
    if (o.json) return out(JSON.stringify(e));
    if (e.type === 'sync-start') process.stderr.write(`sync ${jobId}: from ${formatPosition(e.from)} up to ${formatPosition(e.stopAt)}\n`);
    else if (e.type === 'sync-progress') process.stderr.write(`  ${e.events} row events, ${e.transactions} transactions, ${e.eventsPerSecond}/s, at ${formatPosition(e.position)}\n`);
    else process.stderr.write(`  ${e.level}: ${e.message}\n`);
  };
  const handle = syncJob(target, jobId, { source, target: target.password }, {
    source: newSource,
    onEvent,
    stallMs: stallSeconds ? stallSeconds * 1000 : undefined,
    batchEvents,
    bufferEvents,
    apply: o.apply,
  });
  const r = await untilDone(() => handle.done, () => handle.cancel());
  if (o.json) out(JSON.stringify({ type: 'result', ...r }));
  else if (r.state === 'done') {
    out(`done: ${r.events} row events in ${r.transactions} transactions, ${r.seconds.toFixed(1)} s, now at ${formatPosition(r.position)} (source was at ${formatPosition(r.stopAt)} when the sync started)`);
  } else {
    process.stderr.write(`${r.state}: ${r.message ?? ''}\n`);
    for (const d of r.details ?? []) process.stderr.write(`  - ${d}\n`);
  }
  return exitFor(r);
}

/** The next increment of an incremental job: its rows above the stored marks, upserted. */
async function incrementalSync(target: ServerSpec, jobId: string, source: string | undefined, json: boolean): Promise<number> {
  const r = json ? jsonRenderer() : humanRenderer();
  const handle = await resumeMigration(target, jobId, { source, target: target.password }, { onEvent: (e) => r.event(e) });
  const result = await untilDone(() => handle.done, () => handle.cancel());
  r.result(result);
  return result.connection ? EXIT.badInput : exitForState(result.state);
}

export function registerSyncCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('sync')
    .description("apply the source's changes since the job's last sync (at first, since its full copy) up to now, then stop; for an incremental job, copy its rows above the stored mark")
    .argument('<job>', 'job id of a finished copy, or of an incremental job')
    .option('--to <url>', 'the target holding the job (default: from the local job list)')
    .option(
      '--source <url>',
      "the server to read changes from (default: the job's source); after a failover, the promoted replica: the sync finds its place there by GTID, and refuses a server that lacks transactions already applied",
    )
    .option('--json', 'JSON lines on stdout')
    .addOption(
      new Option(
        '--apply <how>',
        "how changes reach the target: binlog = the source's row events as BINLOG statements (the target's own row applier; MariaDB to MariaDB, same table definitions, BINLOG REPLAY privilege), sql = SQL statements, auto = binlog where possible (default)",
      ).choices(['auto', 'binlog', 'sql']),
    )
    .option('--stall-seconds <s>', 'reconnect when no binlog event arrives this long while the source moves on (default 30)')
    .addOption(new Option('--batch-events <n>', 'row events per target transaction (default 5000)').hideHelp())
    .addOption(new Option('--buffer-events <n>', 'stream items read ahead of the applier (default 50000)').hideHelp())
    .action(async (job: string, o: SyncCliOptions) => setExit(await syncCommand(job, o)));
}
