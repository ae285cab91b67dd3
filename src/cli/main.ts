/**
 * rw-migrate: copy tables between MySQL/MariaDB servers with resumable, throttled chunks.
 * The engine does the work; this file only turns argv into a JobSpec and events into output.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConnectionFailedError, listJobs, resumeMigration, startMigration, withPasswords } from '../engine/index.js';
import { connectionMessage } from './connectionHelp.js';
import type { JobHandle, JobResult, JobSpec, ServerSpec } from '../engine/jobs/index.js';
import { EXIT, EXIT_HELP, exitForState, UsageError } from './exit-codes.js';
import { untilDone } from './interrupt.js';
import { buildCopySpec, COPY_MODES, type CopyOptions } from './options.js';
import { WATERMARK_SAFETY_HELP } from '../engine/jobs/index.js';
import { passwordFor } from './password.js';
import { lookup, remember } from './registry.js';
import { humanRenderer, jsonRenderer, positionText, type Renderer } from './render.js';
import { formatServerUrl, parseServerUrl } from './url.js';
import { registerVerifyCommand } from './verifyCommand.js';
import { registerPartitionCommand } from './partitionCommand.js';
import { registerRouteCommand } from './routeCommand.js';
import { registerSyncCommand } from './syncCommand.js';
import { registerCutoverCommand } from './cutoverCommand.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function exitCodeFor(r: JobResult): number {
  // A server that cannot be reached or refuses the login is bad input, whatever else happened.
  if (r.connection) return EXIT.badInput;
  return exitForState(r.state);
}

/** Ctrl-C once: cancel cleanly (the current chunks commit or roll back). Twice: leave now. */
async function runHandle(handle: JobHandle, r: Renderer, remember_: (id: string) => void): Promise<number> {
  handle.jobId.then(remember_, () => undefined);
  const result = await untilDone(
    () => handle.done,
    () => {
      r.info('cancelling after the chunks in flight (Ctrl-C again to exit at once)');
      handle.cancel();
    },
  );
  r.result(result);
  return exitCodeFor(result);
}

async function fillPasswords(spec: JobSpec): Promise<JobSpec> {
  const source = await passwordFor('from', formatServerUrl(spec.source));
  const target = await passwordFor('to', formatServerUrl(spec.target));
  const anyReplica = (spec.replicas?.length ?? 0) + (spec.sourceReplicas?.length ?? 0) > 0;
  const replicas = anyReplica ? await passwordFor('replica', 'the replicas') : undefined;
  return withPasswords(spec, { source, target, replicas });
}

function rendererFor(json: boolean | undefined): Renderer {
  return json ? jsonRenderer() : humanRenderer();
}

async function copyCommand(o: CopyOptions & { json?: boolean }): Promise<number> {
  const spec = await fillPasswords(buildCopySpec(o));
  const r = rendererFor(o.json);
  const handle = startMigration(spec, { onEvent: (e) => r.event(e) });
  return runHandle(handle, r, (id) => {
    try {
      remember({ id, to: formatServerUrl(spec.target), createdAt: new Date().toISOString() });
    } catch {
      // the local list is a convenience; the checkpoint on the target is the record
    }
  });
}

function targetFrom(url: string | undefined, jobId: string | undefined): ServerSpec {
  const text = url ?? (jobId ? lookup(jobId)?.to : undefined);
  if (!text) {
    throw new UsageError(jobId ? `job ${jobId} is not in the local job list: pass --to mysql://USER@HOST:PORT` : '--to is required');
  }
  return parseServerUrl(text, '--to', false).server;
}

async function resumeCommand(jobId: string, o: { to?: string; json?: boolean }): Promise<number> {
  const target = targetFrom(o.to, jobId);
  target.password = await passwordFor('to', formatServerUrl(target));
  const r = rendererFor(o.json);
  const job = (await listJobs(target)).find((j) => j.id === jobId);
  if (!job) throw new UsageError(`job ${jobId} not found on ${formatServerUrl(target)}`);
  const source = await passwordFor('from', formatServerUrl(job.spec.source));
  const anyReplica = (job.spec.replicas?.length ?? 0) + (job.spec.sourceReplicas?.length ?? 0) > 0;
  const replicas = anyReplica ? await passwordFor('replica', 'the replicas') : undefined;
  const handle = await resumeMigration(target, jobId, { source, target: target.password, replicas }, { onEvent: (e) => r.event(e) });
  return runHandle(handle, r, () => undefined);
}

async function statusCommand(o: { to?: string; json?: boolean }): Promise<number> {
  const target = targetFrom(o.to, undefined);
  target.password = await passwordFor('to', formatServerUrl(target));
  const jobs = await listJobs(target);
  if (o.json) {
    for (const j of jobs) process.stdout.write(JSON.stringify({ type: 'job', ...j }) + '\n');
    return EXIT.ok;
  }
  if (jobs.length === 0) process.stdout.write('no jobs\n');
  for (const j of jobs) {
    const tables = j.spec.tables === 'all' ? 'all tables' : j.spec.tables.join(',');
    process.stdout.write(
      `${j.id}  ${j.state.padEnd(9)}${j.phase ? ` phase ${j.phase}` : ''} ${j.rowsCopied}/${j.totalRows} rows  ${j.spec.sourceDatabase} -> ${j.spec.targetDatabase} (${tables})  updated ${j.updatedAt}` +
        ((j.snapshots?.length ?? 0) > 1 ? `\n    ${j.snapshots?.length} snapshots (resumed): apply changes from the first, ${positionText(j.snapshot)}` : '') +
        (j.message ? `\n    ${j.message.split('\n')[0]}` : '') +
        '\n',
    );
  }
  return EXIT.ok;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('rw-migrate')
    .description('Copy tables between MySQL/MariaDB servers: consistent snapshot, resumable chunks, replica-lag throttling.')
    .addHelpText('after', `\nPasswords: RW_MIGRATE_FROM_PASSWORD, RW_MIGRATE_TO_PASSWORD, RW_MIGRATE_REPLICA_PASSWORD, or a prompt on a TTY.\n\n${EXIT_HELP}\n`)
    .exitOverride()
    .showHelpAfterError();
  const wrap =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      setExit(await fn(...args));

  program
    .command('copy')
    .description('copy tables from one database to another')
    .requiredOption('--from <url>', 'source, mysql://USER@HOST:PORT/DB')
    .requiredOption('--to <url>', 'target, mysql://USER@HOST:PORT/DB')
    .option('--tables <list>', 'comma-separated table names')
    .option('--all', 'every base table of the source database')
    .addOption(
      new Option(
        '--mode <mode>',
        'full: one consistent snapshot; incremental: rows above the stored --watermark mark, upserted (sees neither deletes nor updates that leave the column alone); hybrid: snapshot, then follow the binlog until a cut-over',
      )
        .choices([...COPY_MODES])
        .default('full'),
    )
    .option('--watermark <column>', '--mode incremental: the column marking changes (an auto-increment id, or a timestamp such as updated_at); the same copy command again continues the job')
    .option('--watermark-safety <seconds>', `--mode incremental: ${WATERMARK_SAFETY_HELP} (default 0)`)
    .option('--first <tables>', 'hybrid: comma-separated tables to copy before the others')
    .option('--sync-threshold <s>', 'hybrid: behind the source by less than this = in sync (default 1)')
    .option('--apply <how>', "hybrid: how the change stream reaches the target: binlog (the source's row events as BINLOG statements), sql, or auto (binlog where possible; default)")
    .option('--writers <n>', 'parallel writer connections (default 2)')
    .option('--chunk-time <s>', 'target seconds per chunk (default 0.5)')
    .option('--max-lag <s>', 'wait while a replica lags more (default 1)')
    .option('--max-load <n>', 'wait while the target has more Threads_running (default 50)')
    .option('--replica <url>', 'a replica of the target to watch for lag (repeatable)', collect, [])
    .option('--heartbeat <db>', "throttle --replica lag on a pt-heartbeat table in DB (written on --to every 200 ms, created if missing) instead of Seconds_Behind_Master")
    .option('--source-replica <url>', 'a replica of the source to watch too (repeatable)', collect, [])
    .addOption(new Option('--if-exists <what>', 'when a target table has rows').choices(['abort', 'truncate', 'upsert']).default('abort'))
    .option('--yes', 'confirm --if-exists truncate or --allow-replica-target')
    .option('--allow-replica-target', 'write to a --to server that replicates from another or has read_only set (needs --yes); refused otherwise')
    .option('--allow-no-key', 'copy tables without a usable key in one non-resumable stream')
    .option('--retries <n>', 'retries of a chunk after a deadlock, lock wait timeout or dropped connection (default 6)')
    .addOption(new Option('--method <m>', 'how rows are written').choices(['load', 'insert']).default('load'))
    .addOption(new Option('--max-chunk-rows <n>', 'upper bound on rows per chunk').hideHelp())
    .option('--json', 'JSON lines on stdout instead of a progress bar')
    .action(wrap((o: CopyOptions & { json?: boolean }) => copyCommand(o)));

  program
    .command('resume')
    .description('continue a job after a kill, crash or cancel')
    .argument('<job>', 'job id')
    .option('--to <url>', 'the target holding the checkpoint (default: from the local job list)')
    .option('--json', 'JSON lines on stdout')
    .action(wrap((job: string, o: { to?: string; json?: boolean }) => resumeCommand(job, o)));

  program
    .command('status')
    .description("list jobs recorded in a target's rw_migrate schema")
    .option('--to <url>', 'the target, mysql://USER@HOST:PORT')
    .option('--json', 'JSON lines on stdout')
    .action(wrap((o: { to?: string; json?: boolean }) => statusCommand(o)));
  registerVerifyCommand(program, setExit);
  registerPartitionCommand(program, setExit);
  registerRouteCommand(program, setExit);
  registerSyncCommand(program, setExit);
  registerCutoverCommand(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (err instanceof ConnectionFailedError) {
      process.stderr.write(`rw-migrate: ${connectionMessage(err.failure)}\n`);
      return EXIT.badInput;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`rw-migrate: ${err.message}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`rw-migrate: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.failed;
    },
  );
}
