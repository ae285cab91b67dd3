/**
 * `rw-migrate partition plan|split|merge|route`: range partitioning from the command line.
 *
 *   plan   reads the source only, prints the plan (ranges, rows, bytes per target); --map FILE saves it
 *   split  shows the plan and asks (or takes --yes), copies and verifies each range, saves the map
 *   merge  copies every range of a split map back into one table (--to), verifies, saves the map
 *   route  prints where each statement of SQL goes by the map (no server contacted)
 *
 * Passwords: RW_MIGRATE_FROM_PASSWORD for the source, RW_MIGRATE_TO_PASSWORD for every target
 * (and for the shards a merge reads from), else a prompt on a TTY.
 * Exit codes: 0 done, 1 failed, 2 bad input, 3 refused before anything was written, 4 cancelled
 * (resume the named job, then run the command again), 5 a range did not verify.
 */
import * as fs from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  planLines, planSplit, rangeLabel, readMap, routeStatementByMap, runMerge, runSplit, targetLabel, writeMap,
  type PartitionMap, type PartitionTarget, type RunResult,
} from '../engine/partition/index.js';
import { RefusedError } from '../engine/index.js';
import { EXIT, UsageError } from './exit-codes.js';
import { passwordFor } from './password.js';
import { formatServerUrl, parseServerUrl } from './url.js';
import { EXIT_DIFFERENCES } from './verifyCommand.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface PartitionOptions {
  from?: string;
  table?: string;
  to?: string[];
  map?: string;
  yes?: boolean;
  json?: boolean;
}

/** A map file that cannot be read or is malformed is bad input (exit 2), not a failure. */
function loadMap(file: string): PartitionMap {
  try {
    return readMap(file);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function targetFromUrl(text: string, what: string): PartitionTarget {
  const { server, database } = parseServerUrl(text, what, true);
  return { name: formatServerUrl(server), host: server.host, port: server.port, user: server.user, database: database as string };
}

const out = (line: string) => process.stdout.write(line + '\n');

async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('confirmation needed: review the plan above and add --yes to run it');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function plan(o: PartitionOptions): Promise<PartitionMap> {
  if (!o.from) throw new UsageError('--from mysql://USER@HOST:PORT/DB is required');
  if (!o.table) throw new UsageError('--table is required');
  if (!o.to || o.to.length < 2) throw new UsageError('give at least two --to mysql://USER@HOST:PORT/DB targets, one per range');
  const from = parseServerUrl(o.from, '--from', true);
  const targets = o.to.map((t, i) => targetFromUrl(t, `--to #${i + 1}`));
  const password = await passwordFor('from', formatServerUrl(from.server));
  return planSplit({ source: { ...from.server, password, name: formatServerUrl(from.server) }, database: from.database as string, table: o.table, targets });
}

function printPlan(map: PartitionMap, json: boolean | undefined): void {
  if (json) out(JSON.stringify({ type: 'plan', map }));
  else for (const l of planLines(map)) out(l);
}

async function passwordsForTargets(): Promise<{ forServer(): string | undefined }> {
  const pw = await passwordFor('to', 'the target servers');
  return { forServer: () => pw };
}

function finish(res: RunResult, o: PartitionOptions, file: string): number {
  if (o.json) out(JSON.stringify({ type: 'result', state: res.state, message: res.message, verdicts: res.verdicts, jobs: res.jobs.map((j) => ({ range: j.range, jobId: j.jobId, state: j.result.state })) }));
  else {
    for (const v of res.verdicts) out(`range ${v.range} ${rangeLabel(res.map.ranges[v.range])}: ${v.match ? 'verified' : 'DIFFERS'} (${v.sourceRows} rows source, ${v.targetRows} target)`);
    out(res.state === 'done' ? `${res.map.state}; map saved to ${file}` : `${res.state}: ${res.message ?? ''}`);
  }
  if (res.state === 'done') writeMap(file, res.map);
  switch (res.state) {
    case 'done':
      return EXIT.ok;
    case 'refused':
      return EXIT.refused;
    case 'cancelled':
      return EXIT.cancelled;
    case 'mismatch':
      return EXIT_DIFFERENCES;
    default:
      return EXIT.failed;
  }
}

async function planCommand(o: PartitionOptions): Promise<number> {
  const map = await plan(o);
  printPlan(map, o.json);
  if (o.map) {
    writeMap(o.map, map);
    if (!o.json) out(`plan saved to ${o.map} (run: rw-migrate partition split --map ${o.map})`);
  }
  return EXIT.ok;
}

async function splitCommand(o: PartitionOptions): Promise<number> {
  if (!o.map) throw new UsageError('--map FILE is required: the split saves which range lives where there');
  let map: PartitionMap;
  if (fs.existsSync(o.map) && !o.from) {
    map = loadMap(o.map);
    if (map.state !== 'planned') throw new UsageError(`${o.map} is ${map.state}, not a plan: give --from/--table/--to to plan anew, or another --map`);
  } else map = await plan(o);
  printPlan(map, o.json);
  if (!(await confirm(`Copy ${map.ranges.length} ranges to ${map.ranges.map((r) => targetLabel(r.target)).join(', ')}?`, o.yes))) return EXIT.cancelled;
  const source = await passwordFor('from', `${map.source.host}:${map.source.port}`);
  const targets = await passwordsForTargets();
  const res = await runSplit(map, {
    passwords: { forServer: (s) => (s.host === map.source.host && s.port === map.source.port ? source : targets.forServer()) },
    onRange: (e) => !o.json && e.phase === 'copying' && out(`range ${e.range} ${rangeLabel(map.ranges[e.range])} -> ${targetLabel(map.ranges[e.range].target)}: copying`),
  });
  return finish(res, o, o.map);
}

async function mergeCommand(o: PartitionOptions): Promise<number> {
  if (!o.map) throw new UsageError('--map FILE (a split map) is required');
  if (!o.to || o.to.length !== 1) throw new UsageError('give exactly one --to mysql://USER@HOST:PORT/DB to merge into');
  const map = loadMap(o.map);
  const into = targetFromUrl(o.to[0], '--to');
  if (!o.json) out(`Merge ${map.ranges.length} ranges of ${map.table} (${map.ranges.map((r) => targetLabel(r.target)).join(', ')}) into ${targetLabel(into)}.${map.table}`);
  if (!(await confirm('Merge?', o.yes))) return EXIT.cancelled;
  const targets = await passwordsForTargets();
  const res = await runMerge(map, into, { passwords: targets });
  return finish(res, o, o.map);
}

function routeCommand(sql: string, o: PartitionOptions): number {
  if (!o.map) throw new UsageError('--map FILE is required');
  const map = loadMap(o.map);
  for (const r of routeStatementByMap(map, sql)) {
    if (o.json) out(JSON.stringify(r.kind === 'routed' ? { route: targetLabel(r.target), range: r.range, reason: r.reason } : r.kind === 'refused' ? { route: 'refused', reason: r.message } : { route: 'unrouted', reason: r.reason }));
    else out(r.kind === 'routed' ? `${targetLabel(r.target)} ${r.reason}` : r.kind === 'refused' ? `refused ${r.message}` : `unrouted ${r.reason}`);
  }
  return EXIT.ok;
}

export function registerPartitionCommand(program: Command, setExit: (code: number) => void): void {
  const wrap =
    <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) =>
    async (...args: A) => {
      try {
        setExit(await fn(...args));
      } catch (err) {
        if (err instanceof RefusedError) {
          process.stderr.write(`rw-migrate: refused: ${err.message}\n`);
          setExit(EXIT.refused);
        } else throw err;
      }
    };
  const partition = program.command('partition').description('split a table into key ranges on several servers, or merge them back');
  const common = (c: Command) =>
    c
      .option('--from <url>', 'source table, mysql://USER@HOST:PORT/DB')
      .option('--table <name>', 'the table to split')
      .option('--to <url>', 'a target, mysql://USER@HOST:PORT/DB (repeat: one per range)', collect, [])
      .option('--map <file>', 'the partition map JSON file')
      .option('--json', 'JSON lines on stdout');
  common(partition.command('plan').description('show how the table would be split (reads the source only)')).action(wrap((o: PartitionOptions) => planCommand(o)));
  common(partition.command('split').description('copy each range to its target and verify it'))
    .option('--yes', 'run without asking')
    .action(wrap((o: PartitionOptions) => splitCommand(o)));
  common(partition.command('merge').description('copy every range of a split map back into one table (--to)'))
    .option('--yes', 'run without asking')
    .action(wrap((o: PartitionOptions) => mergeCommand(o)));
  common(partition.command('route').description('where each statement goes by the map').argument('<sql>', 'SQL text')).action(
    wrap((sql: string, o: PartitionOptions) => routeCommand(sql, o)),
  );
}
