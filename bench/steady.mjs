#!/usr/bin/env node
// Hybrid job, steady state: how far behind the source the target stays under a fixed write load.
// 10 tables (10,000 rows each) and a heartbeat table on the sandbox primary; `rw-migrate copy --mode
// hybrid --json` (dist/cli.js) on all 11; once it prints in-sync, a load of 1,000 row writes/s (40%
// inserts, 40% updates, 20% deletes; autocommit, paced by a schedule) runs for --seconds, and the
// heartbeat row is set to the writer's clock (microseconds) every 100 ms. Every 100 ms the bench reads
// the heartbeat on the target: delay = now - the newest heartbeat visible there (it includes up to
// 100 ms of heartbeat period). The job's own `stream` events (once a second, behindSeconds in whole
// binlog seconds) are kept for comparison. At the end the load stops, the job is cut over (--block
// lock) and every table is checked equal by CHECKSUM TABLE; the block is lifted.
//   node scripts/build.mjs && node bench/steady.mjs [--dir .sandbox-test] [--seconds 60] [--rate 1000] [--tables 10] [--rows 10000] [--json]
import { fileURLToPath } from 'node:url';
import { HEARTBEAT, arg, checksums, connect, createSource, cutover, dropSource, load1, nowUs, percentile, sleep, startHeartbeat, startHybrid, startLoad, topology } from './hybridLoad.mjs';

const DB = 'bench_steady';
const DST = `${DB}_dst`;

export async function run({ dir, seconds = 60, rate = 1000, tables: nTables = 10, rows = 10_000 } = {}) {
  const topo = topology(dir);
  const primary = await connect(topo, topo.servers.primary);
  const target = await connect(topo, topo.servers.target);
  let job = null;
  try {
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``);
    const tables = await createSource(primary, DB, nTables, rows);
    const all = [...tables, HEARTBEAT];
    const t0 = performance.now();
    job = startHybrid(topo, DB, DST, all);
    await job.waitLine((l) => l.type === 'state' && l.state === 'in-sync');
    const inSyncAfterS = +((performance.now() - t0) / 1000).toFixed(1);

    const loads = [load1()];
    const hb = startHeartbeat(topo.servers.primary, DB, 100);
    const load = startLoad(topo.servers.primary, DB, tables, rate, rows);
    // The window starts once the target shows a heartbeat written by this run (the row's seed value
    // is from before the copy and would read as a delay of seconds).
    const hbFrom = nowUs();
    for (;;) {
      const [[r]] = await target.query(`SELECT t_us FROM \`${DST}\`.\`${HEARTBEAT}\` WHERE id = 1`);
      if (Number(r.t_us) >= hbFrom) break;
      if (nowUs() - hbFrom > 60e6) throw new Error('no heartbeat reached the target within 60 s');
      await sleep(20);
    }
    const firstHeartbeatMs = Math.round((nowUs() - hbFrom) / 1000);
    const from = performance.now();
    const delays = [];
    let readErrors = 0;
    for (let k = 1; performance.now() - from < seconds * 1000; k++) {
      try {
        const [[r]] = await target.query(`SELECT t_us FROM \`${DST}\`.\`${HEARTBEAT}\` WHERE id = 1`);
        delays.push((nowUs() - Number(r.t_us)) / 1000);
      } catch {
        readErrors++;
      }
      if (k % 50 === 0) loads.push(load1());
      const wait = from + k * 100 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const to = performance.now();
    await load.stop();
    await hb.stop();
    const streams = job.lines.filter((l) => l.type === 'stream' && l.at >= from && l.at <= to);
    const behind = streams.map((l) => l.behindSeconds).filter((x) => x !== null);
    const phases = job.lines.filter((l) => l.type === 'phase' && l.at >= from && l.at <= to).map((l) => l.phase);

    const cutAt = performance.now();
    const cut = await cutover(topo, job.jobId(), 'lock');
    const blockedLine = job.lines.find((l) => l.type === 'cutover' && l.step === 'blocked' && l.at >= cutAt);
    const result = cut.lines.find((l) => l.type === 'result');
    const code = await job.exited;
    const equal = (await checksums(primary, DB, all)) === (await checksums(target, DST, all));
    for (const s of result?.report?.lift ?? []) await primary.query(s);

    const sorted = [...delays].sort((a, b) => a - b);
    const r1 = (x) => (x === null ? null : Math.round(x));
    return {
      tables: nTables,
      rowsPerTable: rows,
      seconds,
      inSyncAfterS,
      firstHeartbeatMs,
      rate,
      achievedWritesPerSecond: load.achievedRate(),
      maxScheduleLagMs: Math.round(load.stats.maxScheduleLagMs),
      writes: { ok: load.stats.ok, refused: load.stats.refused, otherErrors: load.stats.otherErrors, lastError: load.stats.lastError },
      heartbeats: hb.stats,
      samples: delays.length,
      readErrors,
      delayMs: { p50: r1(percentile(sorted, 0.5)), p99: r1(percentile(sorted, 0.99)), max: r1(sorted.at(-1) ?? null), min: r1(sorted[0] ?? null) },
      shareUnder1s: +(delays.filter((d) => d < 1000).length / Math.max(1, delays.length)).toFixed(4),
      jobBehindSeconds: { events: streams.length, values: [...new Set(behind)].sort((a, b) => a - b), max: behind.length ? Math.max(...behind) : null, shareZero: +(behind.filter((b) => b === 0).length / Math.max(1, behind.length)).toFixed(3) },
      jobEventsPerSecond: { max: Math.max(0, ...streams.map((l) => l.eventsPerSecond)) },
      phasesDuringLoad: phases,
      load1: { min: Math.min(...loads), max: Math.max(...loads) },
      cutover: { exit: cut.code, state: result?.state, blockedToCaughtUpMs: result?.report?.blockedToCaughtUpMs, verifyMs: result?.report?.verifyMs, blockTiming: /\(([^)]*ms)\)/.exec(blockedLine?.message ?? '')?.[1] ?? null, jobExit: code, message: result?.state === 'done' ? undefined : result?.message ?? cut.stderr.slice(-300) },
      equal,
    };
  } finally {
    job?.kill();
    await dropSource(primary, DB);
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``).catch(() => undefined);
    await primary.end();
    await target.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ dir: arg('--dir'), seconds: Number(arg('--seconds', '60')), rate: Number(arg('--rate', '1000')), tables: Number(arg('--tables', '10')), rows: Number(arg('--rows', '10000')) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    console.log(`hybrid steady state: ${r.tables} tables x ${r.rowsPerTable} rows + heartbeat; in sync ${r.inSyncAfterS} s after start, first heartbeat on the target after ${r.firstHeartbeatMs} ms; load ${r.rate} row writes/s for ${r.seconds} s (load average ${r.load1.min}-${r.load1.max})`);
    console.log(`  writes: ${r.achievedWritesPerSecond}/s achieved (${r.writes.ok} ok, ${r.writes.otherErrors} errors; schedule lag max ${r.maxScheduleLagMs} ms); heartbeats ${r.heartbeats.written}`);
    console.log(`  delay (heartbeat, ${r.samples} samples every 100 ms): p50 ${r.delayMs.p50} ms, p99 ${r.delayMs.p99} ms, max ${r.delayMs.max} ms; under 1 s: ${(r.shareUnder1s * 100).toFixed(1)}%`);
    console.log(`  job's behindSeconds (${r.jobBehindSeconds.events} stream events): values ${r.jobBehindSeconds.values.join(', ')}; max ${r.jobBehindSeconds.max}; 0 in ${(r.jobBehindSeconds.shareZero * 100).toFixed(0)}%; phases during load: ${r.phasesDuringLoad.join(', ') || 'none (in-sync throughout)'}`);
    console.log(`  cut-over (lock): ${r.cutover.state}, blocked to caught up ${r.cutover.blockedToCaughtUpMs} ms (${r.cutover.blockTiming}), verify ${r.cutover.verifyMs} ms; job exit ${r.cutover.jobExit}; target = source (CHECKSUM TABLE, 11 tables): ${r.equal}`);
  }
  if (!r.equal || r.cutover.state !== 'done' || r.writes.otherErrors > 0) process.exitCode = 1;
}
