/**
 * `rw-migrate cutover JOB --to URL --yes [--block read-only|lock]`: asks the running hybrid job to
 * cut over (block writes to the moved tables on the source, wait for the target to catch up, verify)
 * and waits for its answer. The job does the work; this command only talks to the target, where the
 * request row lives. Without --yes it says what would be blocked where, and how it is lifted.
 *
 * A job that is catching up (it follows the source, not in sync yet) is waited for, up to --timeout,
 * with one `waiting:` line when the wait starts; then the request is made and its answer waited for
 * (up to --timeout again). A job in planning or its snapshot, paused, done or not running is refused
 * at once: waiting would not make it in sync by itself.
 *
 * Exit codes: 0 cut over (writes stay blocked on the source: the report prints how to lift), 1 failed
 * (the block was lifted unless the message says otherwise), 2 bad input or no --yes, 3 refused
 * (job unknown, not hybrid, not running, in its snapshot, paused, still catching up at the timeout,
 * already done), 4 cancelled by Ctrl-C (a request the job had not picked up is withdrawn).
 */
import { Option, type Command } from 'commander';
import { describeCutover, requestCutover, type CutoverStep, type CutoverWaiting } from '../engine/cutover/index.js';
import type { CutoverBlock, CutoverOutcome } from '../engine/jobs/index.js';
import { EXIT, UsageError } from './exit-codes.js';
import { untilDone } from './interrupt.js';
import { passwordFor } from './password.js';
import { lookup } from './registry.js';
import { formatServerUrl, parseServerUrl } from './url.js';

interface CutoverCliOptions {
  to?: string;
  yes?: boolean;
  block: CutoverBlock;
  timeout?: string;
  json?: boolean;
}

const DEFAULT_TIMEOUT_SECONDS = 300;

function exitFor(o: CutoverOutcome): number {
  return o.state === 'done' ? EXIT.ok : o.state === 'refused' ? EXIT.refused : EXIT.failed;
}

function printOutcome(o: CutoverOutcome, out: (line: string) => void): void {
  const r = o.report;
  if (o.state !== 'done' || !r) {
    process.stderr.write(`${o.state}: ${o.message}\n`);
    return;
  }
  out(`done: cut over with block ${r.block}`);
  out(`  source position after the block: ${r.finalPosition.file}:${r.finalPosition.position}${r.finalGtid ? `, GTID ${r.finalGtid}` : ''}`);
  out(`  writes blocked until the target caught up: ${r.blockedToCaughtUpMs} ms; verification: ${r.verifyMs} ms`);
  for (const t of r.tables) out(`  ${t.table}: ${t.rows} rows, ${t.match ? 'match' : 'MISMATCH'}`);
  for (const w of r.warnings ?? []) out(`  warning: ${w}`);
  out('Writes stay blocked on the source. Switch the application to the target; to lift the block on the source, run:');
  for (const s of r.lift) out(`  ${s};`);
}

/** The one line said when the command starts waiting for a catching-up job to be in sync. */
export function waitingLine(w: CutoverWaiting): string {
  const seconds = w.behindSeconds === null ? '?' : w.behindSeconds.toFixed(1);
  const events = w.behindEvents === null ? '?' : String(w.behindEvents);
  return `waiting: job is catching up, ${seconds} s / ${events} events behind (waiting up to ${Math.round(w.timeoutMs / 1000)} s for it to be in sync)`;
}

async function cutoverCommand(jobId: string, o: CutoverCliOptions): Promise<number> {
  const text = o.to ?? lookup(jobId)?.to;
  if (!text) throw new UsageError(`job ${jobId} is not in the local job list: pass --to mysql://USER@HOST:PORT (the job's target)`);
  const target = parseServerUrl(text, '--to', false).server;
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (o.timeout !== undefined) {
    timeoutSeconds = Number(o.timeout);
    if (!(timeoutSeconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  }
  target.password = await passwordFor('to', formatServerUrl(target));
  if (!o.yes) {
    let what: string;
    try {
      what = await describeCutover(target, jobId, o.block);
    } catch (err) {
      what = `Could not read job ${jobId} from the target (${err instanceof Error ? err.message : String(err)}). With --block ${o.block} the cut-over blocks writes on the job's source: ${
        o.block === 'read-only' ? 'the whole server (SET GLOBAL read_only = ON, lifted by SET GLOBAL read_only = OFF)' : 'the moved tables (blocker triggers, lifted by DROP TRIGGER)'
      }.`;
    }
    throw new UsageError(`refusing to cut over without --yes. ${what} Add --yes to go ahead.`);
  }
  const out = (line: string) => process.stdout.write(line + '\n');
  const onStep = (step: CutoverStep, message: string) => {
    if (o.json) out(JSON.stringify({ type: 'cutover', jobId, step, block: o.block, message }));
    else process.stderr.write(`${step}: ${message}\n`);
  };
  const onWaiting = (w: CutoverWaiting) => {
    if (o.json) out(JSON.stringify({ type: 'waiting', jobId, ...w }));
    else process.stderr.write(`${waitingLine(w)}\n`);
  };
  // Ctrl-C withdraws a request the job has not picked up; once it runs, the job finishes it (a second Ctrl-C leaves).
  const abort = new AbortController();
  const outcome = await untilDone(
    () => requestCutover(target, jobId, o.block, { timeoutMs: timeoutSeconds * 1000, waitForSync: true, onWaiting, onStep, signal: abort.signal }),
    () => abort.abort(),
  );
  if (o.json) out(JSON.stringify({ type: 'result', jobId, ...outcome }));
  else printOutcome(outcome, out);
  return abort.signal.aborted && outcome.state === 'failed' ? EXIT.cancelled : exitFor(outcome);
}

export function registerCutoverCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('cutover')
    .description('ask a running hybrid job to cut over: block writes on the source, let the target catch up, verify')
    .argument('<job>', 'job id of a running hybrid job')
    .option('--to <url>', 'the target holding the job (default: from the local job list)')
    .option('--yes', 'really block writes on the source (without it: say what would be blocked, and stop)')
    .addOption(new Option('--block <mode>', 'lock: blocker triggers on the moved tables; read-only: the whole source server').choices(['lock', 'read-only']).default('lock'))
    .option('--timeout <seconds>', `how long to wait for a catching-up job to be in sync, then for its answer (default ${DEFAULT_TIMEOUT_SECONDS} each)`)
    .option('--json', 'JSON lines on stdout')
    .action(async (job: string, o: CutoverCliOptions) => setExit(await cutoverCommand(job, o)));
}
