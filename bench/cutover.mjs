#!/usr/bin/env node
// Cut-over write outage of a running hybrid job. Per run: 10 tables (10,000 rows each) made fresh on
// the sandbox primary; `rw-migrate copy --mode hybrid --json` (dist/cli.js) on them; once it prints
// in-sync, a load of 1,000 row writes/s (40% inserts, 40% updates, 20% deletes; autocommit, paced by a
// schedule, as an account read_only applies to) runs for --warmup seconds; then `rw-migrate cutover
// JOB --yes --block B` while the load goes on, until the cutover command returns. Measured:
// - the report's blockedToCaughtUpMs (block statement to the job's follower holding everything up
//   to the position read after the block);
// - from the writer's side: the start of the first refused write to the moment the job printed its
//   `cutover` step caught-up (its JSON line, timestamped on arrival here), and to its step done
//   (after verification: when an application waiting for "done" would switch).
// Checked: every refused write started after the cut-over was asked for; no write that started after
// the job printed `blocked` was acknowledged; after the cut-over (load stopped, block still on) every
// table is equal on source and target by CHECKSUM TABLE, so no write the source acknowledged is
// missing. Then the block is lifted with the report's statements.
// Runs alternate the block modes (lock, read-only, lock, ...).
//   node scripts/build.mjs && node bench/cutover.mjs [--dir .sandbox-test] [--runs 3] [--tables 10] [--rate 1000] [--rows 10000] [--warmup 5] [--json]
// (Until 2026-11-29 this bench cut over with a one-off `syncJob` as the catch-up; docs/benchmarks.md keeps those numbers.)
import { fileURLToPath } from 'node:url';
import { arg, checksums, connect, createSource, cutover, dropSource, load1, sleep, startHybrid, startLoad, topology } from './hybridLoad.mjs';

const DB = 'bench_cutover';
const DST = `${DB}_dst`;

async function once({ topo, primary, target, block, nTables, rate, rows, warmup }) {
  let job = null;
  try {
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``);
    const tables = await createSource(primary, DB, nTables, rows);
    job = startHybrid(topo, DB, DST, tables);
    await job.waitLine((l) => l.type === 'state' && l.state === 'in-sync');
    const load = startLoad(topo.servers.primary, DB, tables, rate, rows);
    await sleep(warmup * 1000);
    const loadBefore = load1();
    const lastStream = job.lines.filter((l) => l.type === 'stream').at(-1);
    const requestedAt = performance.now();
    const cut = await cutover(topo, job.jobId(), block);
    await load.stop();
    const result = cut.lines.find((l) => l.type === 'result');
    const step = (name) => job.lines.find((l) => l.type === 'cutover' && l.step === name && l.at >= requestedAt);
    const blockedLine = step('blocked');
    const caughtUpLine = step('caught-up');
    const doneLine = step('done');
    const code = await job.exited;
    const equal = (await checksums(primary, DB, tables)) === (await checksums(target, DST, tables));
    for (const s of result?.report?.lift ?? []) await primary.query(s);
    const first = load.stats.firstRefused;
    const okAfterBlocked = blockedLine ? load.okStarts.filter((t) => t > blockedLine.at).length : null;
    return {
      block,
      load1: loadBefore,
      state: result?.state ?? `exit ${cut.code}`,
      message: result?.state === 'done' ? undefined : (result?.message ?? cut.stderr.slice(-300)),
      behindBeforeS: lastStream?.behindSeconds ?? null,
      achievedWritesPerSecond: load.achievedRate(),
      blockedToCaughtUpMs: result?.report?.blockedToCaughtUpMs ?? null,
      verifyMs: result?.report?.verifyMs ?? null,
      writerFirstRefusedToCaughtUpMs: first && caughtUpLine ? Math.round(caughtUpLine.at - first.startedAt) : null,
      writerFirstRefusedToDoneMs: first && doneLine ? Math.round(doneLine.at - first.startedAt) : null,
      requestToFirstRefusedMs: first ? Math.round(first.startedAt - requestedAt) : null,
      blockTiming: /\(([^)]*ms)\)/.exec(blockedLine?.message ?? '')?.[1] ?? null,
      writes: { ok: load.stats.ok, refused: load.stats.refused, otherErrors: load.stats.otherErrors, lastError: load.stats.lastError },
      refusedAllAfterRequest: load.refusedStarts.every((t) => t >= requestedAt),
      okAfterBlocked,
      jobExit: code,
      equal,
    };
  } finally {
    job?.kill();
    await dropSource(primary, DB);
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``).catch(() => undefined);
  }
}

export async function run({ dir, runs = 3, tables: nTables = 10, rate = 1000, rows = 10_000, warmup = 5, blocks = ['lock', 'read-only'], onRun } = {}) {
  const topo = topology(dir);
  const primary = await connect(topo, topo.servers.primary);
  const target = await connect(topo, topo.servers.target);
  const results = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const block of i % 2 ? [...blocks].reverse() : blocks) {
        const r = await once({ topo, primary, target, block, nTables, rate, rows, warmup });
        results.push(r);
        onRun?.(r);
      }
    }
    return { tables: nTables, rowsPerTable: rows, rate, warmup, results };
  } finally {
    await primary.end();
    await target.end();
  }
}

export const ok = (x) => x.state === 'done' && x.equal && x.writes.otherErrors === 0 && x.refusedAllAfterRequest && x.okAfterBlocked === 0 && x.jobExit === 0;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes('--json');
  const print = (x) =>
    console.log(
      json
        ? JSON.stringify(x)
        : `  ${x.block.padEnd(9)}: ${x.state}; blocked to caught up ${x.blockedToCaughtUpMs} ms (report), first refused write to caught-up ${x.writerFirstRefusedToCaughtUpMs} ms (writer)` +
            `${x.blockTiming ? `, ${x.blockTiming}` : ''}; verify ${x.verifyMs} ms (first refused write to done ${x.writerFirstRefusedToDoneMs} ms); load ${x.achievedWritesPerSecond}/s (load average ${x.load1}), ${x.writes.refused} refused, ` +
            `all after the request: ${x.refusedAllAfterRequest}, acknowledged after blocked: ${x.okAfterBlocked}; target = source: ${x.equal}${x.message ? `; ${x.message}` : ''}`,
    );
  const opts = { dir: arg('--dir'), runs: Number(arg('--runs', '3')), tables: Number(arg('--tables', '10')), rate: Number(arg('--rate', '1000')), rows: Number(arg('--rows', '10000')), warmup: Number(arg('--warmup', '5')) };
  if (!json) console.log(`cut-over of a running hybrid job: ${opts.tables} tables x ${opts.rows} rows, load ${opts.rate} row writes/s, ${opts.runs} run(s) per block mode`);
  const r = await run({ ...opts, onRun: print });
  if (r.results.some((x) => !ok(x))) process.exitCode = 1;
}
