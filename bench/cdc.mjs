#!/usr/bin/env node
// Change-stream apply rate: a backlog of row events (inserts, updates, deletes in 1,000-row
// transactions; 1,000,000 row events by default) is written on the sandbox primary after a full copy;
// then `rw-migrate sync` applies it to the target (by default as BINLOG statements, the replay; `npm run
// bench` adds `--compare '--apply sql'` so the SQL path is timed on the same backlog as "sync B"), and two
// replicas apply the same backlog as peers in the same run, each timed with MASTER_GTID_WAIT:
//  - replica2 was stopped whole (STOP SLAVE) before the backlog and is started from that position
//    (START SLAVE: its IO thread fetches the backlog over the network while its SQL thread applies),
//    as the issue states the peer and as our sync works;
//  - replica1 had only its SQL thread stopped, its IO thread fetching the backlog into the relay log
//    beforehand: the SQL thread alone over a local file, the stricter peer (the ratio printed first).
// Every result is checked: the target, replica1 and replica2 equal the primary by CHECKSUM TABLE and
// COUNT(*).
//
// Before each timed phase the servers are settled: every server has flushed its dirty pages and their
// CPU is quiet, so no side pays for the other's or the generator's background work. Reported per run:
// wall seconds and row events/s of each side, the ratios, the CPU seconds of the sync process, the target
// and the primary during the sync and of each replica during its apply, and the 1-minute load average
// before each phase.
//   node scripts/build.mjs && node bench/cdc.mjs [--dir .sandbox-test] [--events 1000000] [--runs 1] [--json]
//   RW_BENCH_PROF_DIR=DIR: the sync process runs under --cpu-prof (its profile lands in DIR).
//   RW_BENCH_SYNC_ARGS='--batch-events 20000': extra arguments for `rw-migrate sync`.
//   --compare '--batch-events 5000': A/B tuning: a second copy job syncs the same backlog with these
//   extra arguments, right after the first (its result is printed as "sync B").
//   RW_BENCH_B_NODE_OPTIONS='--max-semi-space-size=64': NODE_OPTIONS for sync B only (with --compare).
//   --compare-cli PATH: sync B runs that build's cli.js instead (e.g. a worktree of an older commit,
//   for a before/after in the same run; alone it implies --compare '').
// A second peer, in every run: `mariadb-binlog --read-from-remote-server | mariadb` replays the same
// backlog into a third copy as BINLOG statements (the server's own row applier, reached from a client
// as in a point-in-time recovery; its GTID session lines are dropped so the target keeps its own GTIDs).
// `--no-binlog-peer` leaves it out.
// Runs alternate which side goes first (odd runs: our sync, replica1, sync B; even runs: the reverse),
// so a change in the machine's load during a run does not always favour the same side.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { cpuSeconds, load1 } from '../scripts/lib/proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'bench_cdc';

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}


/** Runs dist/cli.js; for the sync also its CPU seconds (its /proc stat, sampled until it exits). */
function cli(args, topo, extraArgs, cliPath = path.join(root, 'dist', 'cli.js'), nodeOptions = undefined) {
  return new Promise((resolve, reject) => {
    const sync = args[0] === 'sync';
    const prof = process.env.RW_BENCH_PROF_DIR && sync ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RW_BENCH_PROF_DIR}`] : [];
    const extra = sync ? (extraArgs ?? process.env.RW_BENCH_SYNC_ARGS ?? '').split(/\s+/).filter(Boolean) : [];
    const child = spawn(process.execPath, [...prof, cliPath, ...args, ...extra], {
      env: { ...process.env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password, RW_MIGRATE_TO_PASSWORD: topo.users.admin.password, RW_MIGRATE_HOME: fs.mkdtempSync('/tmp/rwm-bench-') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let cpu = 0;
    const sampler = setInterval(() => {
      const c = cpuSeconds(child.pid);
      if (c >= 0) cpu = c;
    }, 50);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve({ code, cpu, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) });
    });
  });
}

async function checksum(conn, db) {
  const [[c]] = await conn.query(`CHECKSUM TABLE \`${db}\`.t`);
  const [[n]] = await conn.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`);
  return `${n.n} rows, checksum ${c.Checksum}`;
}

/** Lets the page cleaner write out every dirty page (so no later phase pays for it), then restores the setting. */
async function flushed(conn) {
  const [[{ pct }]] = await conn.query('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct');
  await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    const started = performance.now();
    while (performance.now() - started < 60_000) {
      const [rows] = await conn.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_checkpoint_age')");
      const s = Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
      if (s.Innodb_buffer_pool_pages_dirty <= 100 && s.Innodb_checkpoint_age <= 4 * 2 ** 20) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await conn.query(`SET GLOBAL innodb_max_dirty_pages_pct = ${Number(pct)}`);
  }
}

/** Every server flushed, then their CPU quiet (under 0.05 s per 0.5 s, twice in a row; at most 30 s). */
async function settle(conns, pids) {
  for (const c of conns) await flushed(c);
  const total = () => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < 30_000) {
    const t = total();
    await new Promise((r) => setTimeout(r, 500));
    quiet = total() - t < 0.05 ? quiet + 1 : 0;
  }
}

/** A server's pid now (its pid file: a test may have restarted it since topology.json was written). */
function pidOf(topo, name) {
  try {
    return Number(fs.readFileSync(path.join(topo.dir, name, 'mariadbd.pid'), 'utf8').trim());
  } catch {
    return topo.servers[name].pid;
  }
}

/**
 * `mariadb-binlog | mariadb`: the backlog between two primary positions replayed into `db` on the
 * target. Its GTID lines (`SET @@session.gtid_domain_id/server_id/gtid_seq_no`) are dropped: they would
 * give the target the primary's GTIDs. Timed from start to the client's exit.
 */
function binlogReplay(topo, from, to, db, srcDb) {
  const { primary: p, target: t } = topo.servers;
  const admin = topo.users.admin;
  const files = [from.File];
  // The backlog may span binlog files: name every one from the first to the last (same base, numbered).
  const num = (f) => Number(f.slice(f.lastIndexOf('.') + 1));
  const base = from.File.slice(0, from.File.lastIndexOf('.') + 1);
  for (let n = num(from.File) + 1; n <= num(to.File); n++) files.push(base + String(n).padStart(from.File.length - base.length, '0'));
  const q = (x) => `'${String(x).replace(/'/g, "'\\''")}'`;
  const cmd =
    `set -o pipefail; mariadb-binlog --read-from-remote-server --host=${p.host} --port=${p.port} --user=${q(admin.user)} --password=${q(admin.password)} ` +
    `--start-position=${from.Position} --stop-position=${to.Position} --rewrite-db=${q(`${srcDb}->${db}`)} ${files.join(' ')}` +
    ` | grep -v -E '^SET @@session[.](gtid_domain_id|server_id|gtid_seq_no)='` +
    ` | mariadb --host=${t.host} --port=${t.port} --user=${q(admin.user)} --password=${q(admin.password)}`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`mariadb-binlog | mariadb exited ${code}`))));
  });
}

async function once({ topo, events, compare, compareCli, replicaFirst, binlogPeer }) {
  const { primary: p, replica1: r1, replica2: r2, target: t } = topo.servers;
  const admin = topo.users.admin;
  const opts = (s) => ({ host: s.host, port: s.port, user: admin.user, password: admin.password });
  const primary = await mysql.createConnection(opts(p));
  const replica = await mysql.createConnection(opts(r1));
  const replica2 = await mysql.createConnection(opts(r2));
  const target = await mysql.createConnection(opts(t));
  const all = [primary, replica, replica2, target];
  const pid = { primary: pidOf(topo, 'primary'), replica1: pidOf(topo, 'replica1'), replica2: pidOf(topo, 'replica2'), target: pidOf(topo, 'target') };
  const pids = [pid.primary, pid.replica1, pid.replica2, pid.target];
  const dstDb = `${DB}_dst`;
  const dstDbB = `${DB}_dst_b`;
  const dstDbP = `${DB}_dst_p`;
  try {
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDb}\``);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDbB}\``);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDbP}\``);
    await primary.query(`CREATE DATABASE \`${DB}\``);
    await primary.query(`CREATE TABLE \`${DB}\`.t (id BIGINT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, d DECIMAL(12,2) NOT NULL, ts DATETIME(6) NOT NULL, KEY (k)) ENGINE=InnoDB`);
    await primary.query(`INSERT INTO \`${DB}\`.t SELECT seq, seq % 1000, CONCAT('seed-', seq), seq / 100, '2026-01-01 00:00:00' FROM \`${DB}\`.seq_1_to_20000`);
    const copyTo = async (db) => {
      const copy = await cli(['copy', '--from', `mysql://${admin.user}@${p.host}:${p.port}/${DB}`, '--to', `mysql://${admin.user}@${t.host}:${t.port}/${db}`, '--all', '--json'], topo);
      const id = copy.lines.find((l) => l.jobId)?.jobId;
      if (copy.code !== 0 || !id) throw new Error(`copy failed (exit ${copy.code})`);
      return id;
    };
    const jobId = await copyTo(dstDb);
    const jobIdB = compare !== undefined ? await copyTo(dstDbB) : null;
    if (binlogPeer) await copyTo(dstDbP);

    // replica2, caught up with everything before the backlog, is stopped whole (IO and SQL threads): timed,
    // it starts from that position as the issue's peer does ("START SLAVE from the same position"),
    // fetching the backlog over the network as our sync does. replica1 keeps fetching with its SQL
    // thread stopped, so its timing is the SQL thread alone over a local relay log: the stricter peer.
    {
      const [[{ g0 }]] = await primary.query('SELECT @@gtid_binlog_pos AS g0');
      const [[{ w0 }]] = await replica2.query('SELECT MASTER_GTID_WAIT(?, 300) AS w0', [g0]);
      if (Number(w0) !== 0) throw new Error('replica2 did not catch up with the primary before the backlog within 300 s');
    }
    await replica2.query('STOP SLAVE');
    await replica.query('STOP SLAVE SQL_THREAD');
    const [[backlogFrom]] = await primary.query('SHOW MASTER STATUS');
    // The backlog: 50% inserts, 30% updates, 20% deletes, 1,000 rows per transaction.
    const per = 1000;
    const nIns = Math.round((events * 0.5) / per);
    const nUpd = Math.round((events * 0.3) / per);
    const nDel = Math.round((events * 0.2) / per);
    let next = 1_000_000;
    const g0 = performance.now();
    for (let i = 0; i < nIns; i++) {
      await primary.query(`INSERT INTO \`${DB}\`.t SELECT ${next} + seq, seq % 1000, CONCAT('ins-', seq), seq / 7, NOW(6) FROM \`${DB}\`.seq_1_to_${per}`);
      next += per;
    }
    for (let i = 0; i < nUpd; i++) {
      const lo = 1_000_000 + i * per;
      await primary.query(`UPDATE \`${DB}\`.t SET k = k + 1, v = CONCAT(v, '-u'), d = d * 2 WHERE id > ${lo} AND id <= ${lo + per}`);
    }
    for (let i = 0; i < nDel; i++) {
      const lo = 1_000_000 + (nIns - 1 - i) * per;
      await primary.query(`DELETE FROM \`${DB}\`.t WHERE id > ${lo} AND id <= ${lo + per}`);
    }
    const generateSeconds = (performance.now() - g0) / 1000;
    const [[backlogTo]] = await primary.query('SHOW MASTER STATUS');
    const [[{ g }]] = await primary.query('SELECT @@gtid_binlog_pos AS g');
    // replica1's IO thread must have the whole backlog in its relay log before its SQL thread is timed.
    for (const started = performance.now(); ; ) {
      const [[s]] = await replica.query('SHOW SLAVE STATUS');
      if (s.Read_Master_Log_Pos === s.Exec_Master_Log_Pos || String(s.Gtid_IO_Pos).includes(g)) break;
      if (performance.now() - started > 120_000) throw new Error('replica1 IO thread did not fetch the backlog within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    /** One `rw-migrate sync` of the backlog, timed, with the CPU seconds of the processes involved. */
    const timedSync = async (id, extraArgs, cliPath, nodeOptions) => {
      await settle(all, pids);
      const before = { load: load1(), target: cpuSeconds(pid.target), primary: cpuSeconds(pid.primary) };
      const sync = await cli(['sync', id, '--to', `mysql://${admin.user}@${t.host}:${t.port}`, '--json'], topo, extraArgs, cliPath, nodeOptions);
      const cpu = { process: sync.cpu, target: cpuSeconds(pid.target) - before.target, primary: cpuSeconds(pid.primary) - before.primary };
      const result = sync.lines.find((l) => l.type === 'result');
      if (sync.code !== 0 || !result) throw new Error(`sync failed (exit ${sync.code}): ${result?.message}`);
      return { result, load: before.load, cpu };
    };
    /** Starts a replica's stopped thread(s) and times it until it has applied the primary's GTID `g`. */
    const timedReplicaStart = async (conn, name, startStatement) => {
      await settle(all, pids);
      const before = { load: load1(), cpu: cpuSeconds(pid[name]) };
      const r0 = performance.now();
      await conn.query(startStatement);
      const [[{ w }]] = await conn.query('SELECT MASTER_GTID_WAIT(?, 900) AS w', [g]);
      const seconds = (performance.now() - r0) / 1000;
      if (Number(w) !== 0) throw new Error(`${name} did not catch up within 900 s`);
      return { seconds, load: before.load, cpu: cpuSeconds(pid[name]) - before.cpu };
    };
    const timedReplica = () => timedReplicaStart(replica, 'replica1', 'START SLAVE SQL_THREAD');
    const timedReplicaFromPosition = () => timedReplicaStart(replica2, 'replica2', 'START SLAVE');
    const timedBinlogReplay = async () => {
      await settle(all, pids);
      const before = { load: load1(), target: cpuSeconds(pid.target) };
      const seconds = await binlogReplay(topo, backlogFrom, backlogTo, dstDbP, DB);
      return { seconds, load: before.load, cpu: cpuSeconds(pid.target) - before.target };
    };
    // The binlog replay goes first in even runs and last in odd runs, like sync B.
    const replayFirst = binlogPeer && replicaFirst ? await timedBinlogReplay() : null;
    let ours;
    let peer;
    let oursB = null;
    // Sync B goes last in odd runs and first in even runs (it reads the binlog warm or cold in turn).
    if (jobIdB && replicaFirst) oursB = await timedSync(jobIdB, compare, compareCli, process.env.RW_BENCH_B_NODE_OPTIONS);
    let peer2;
    if (replicaFirst) {
      peer2 = await timedReplicaFromPosition();
      peer = await timedReplica();
      ours = await timedSync(jobId);
    } else {
      ours = await timedSync(jobId);
      peer = await timedReplica();
      peer2 = await timedReplicaFromPosition();
    }
    if (jobIdB && !replicaFirst) oursB = await timedSync(jobIdB, compare, compareCli, process.env.RW_BENCH_B_NODE_OPTIONS);
    const binlogSide = replayFirst ?? (binlogPeer && !replicaFirst ? await timedBinlogReplay() : null);
    const result = ours.result;
    const replicaSeconds = peer.seconds;

    const src = await checksum(primary, DB);
    const dst = await checksum(target, dstDb);
    const dstB = jobIdB ? await checksum(target, dstDbB) : src;
    const dstP = binlogSide ? await checksum(target, dstDbP) : src;
    const rep = await checksum(replica, DB);
    const rep2 = await checksum(replica2, DB);
    const rowEvents = nIns * per + nUpd * per + nDel * per;
    const round = (x) => +x.toFixed(2);
    const side = (x) => ({
      events: x.result.events,
      seconds: round(x.result.seconds),
      eventsPerSecond: Math.round(x.result.events / x.result.seconds),
      load: x.load,
      cpu: { process: round(x.cpu.process), target: round(x.cpu.target), primary: round(x.cpu.primary) },
    });
    return {
      rowEvents,
      generateSeconds: round(generateSeconds),
      order: [
        ...(binlogSide && replicaFirst ? ['mariadb-binlog'] : []),
        ...(jobIdB && replicaFirst ? ['sync B'] : []),
        ...(replicaFirst ? ['replica2', 'replica1', 'sync'] : ['sync', 'replica1', 'replica2']),
        ...(jobIdB && !replicaFirst ? ['sync B'] : []),
        ...(binlogSide && !replicaFirst ? ['mariadb-binlog'] : []),
      ].join(', '),
      sync: side(ours),
      replica: { seconds: round(replicaSeconds), eventsPerSecond: Math.round(rowEvents / replicaSeconds), load: peer.load, cpu: round(peer.cpu) },
      replicaFromPosition: { seconds: round(peer2.seconds), eventsPerSecond: Math.round(rowEvents / peer2.seconds), load: peer2.load, cpu: round(peer2.cpu), ratio: round(result.events / result.seconds / (rowEvents / peer2.seconds)) },
      ratio: round(result.events / result.seconds / (rowEvents / replicaSeconds)),
      ...(oursB ? { syncB: { args: compare, cli: compareCli ?? 'dist/cli.js', ...side(oursB), ratio: round(oursB.result.events / oursB.result.seconds / (rowEvents / replicaSeconds)) } } : {}),
      ...(binlogSide
        ? { binlogReplay: { seconds: round(binlogSide.seconds), eventsPerSecond: Math.round(rowEvents / binlogSide.seconds), load: binlogSide.load, cpu: { target: round(binlogSide.cpu) }, ratioToReplica: round(replicaSeconds / binlogSide.seconds) } }
        : {}),
      equal: src === dst && src === rep && src === rep2 && src === dstB && src === dstP && result.events === rowEvents,
      checksums: { primary: src, target: dst, replica1: rep, replica2: rep2, ...(jobIdB ? { targetB: dstB } : {}), ...(binlogSide ? { binlogReplay: dstP } : {}) },
    };
  } finally {
    await replica.query('START SLAVE SQL_THREAD').catch(() => undefined);
    await replica2.query('START SLAVE').catch(() => undefined);
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``).catch(() => undefined);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDbB}\``).catch(() => undefined);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDbP}\``).catch(() => undefined);
    for (const c of all) await c.end();
  }
}

export async function run({ dir = process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-bench'), events = 1_000_000, runs = 1, compare, compareCli, binlogPeer = true, onRun } = {}) {
  const topo = { dir: path.resolve(dir), ...JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'topology.json'), 'utf8')) };
  const out = [];
  for (let i = 0; i < runs; i++) {
    const r = await once({ topo, events, compare: compare ?? (compareCli ? '' : undefined), compareCli, replicaFirst: i % 2 === 1, binlogPeer });
    out.push(r);
    onRun?.(r, i);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes('--json');
  const print = (r, i) => {
    if (json) return console.log(JSON.stringify(r));
    console.log(`cdc apply, run ${i + 1}: ${r.rowEvents} row events (backlog written in ${r.generateSeconds} s; ${r.order})`);
    console.log(`  rw-migrate sync : ${r.sync.seconds} s, ${r.sync.eventsPerSecond} row events/s (load ${r.sync.load}; CPU s: sync ${r.sync.cpu.process}, target ${r.sync.cpu.target}, primary ${r.sync.cpu.primary})`);
    console.log(`  replica1 SQL    : ${r.replica.seconds} s, ${r.replica.eventsPerSecond} row events/s (load ${r.replica.load}; CPU s: replica1 ${r.replica.cpu})`);
    const r2 = r.replicaFromPosition;
    console.log(`  replica2 START SLAVE (IO + SQL from the position): ${r2.seconds} s, ${r2.eventsPerSecond} row events/s (load ${r2.load}; CPU s: replica2 ${r2.cpu}); ratio sync/replica2 ${r2.ratio}x`);
    if (r.syncB) {
      const b = r.syncB;
      console.log(`  sync B (${b.cli} ${b.args}): ${b.seconds} s, ${b.eventsPerSecond} row events/s (load ${b.load}; CPU s: sync ${b.cpu.process}, target ${b.cpu.target}); ratio ${b.ratio}x`);
    }
    if (r.binlogReplay) {
      const b = r.binlogReplay;
      console.log(`  mariadb-binlog | mariadb: ${b.seconds} s, ${b.eventsPerSecond} row events/s (load ${b.load}; CPU s: target ${b.cpu.target}); ${b.ratioToReplica}x the replica`);
    }
    console.log(`  ratio sync/replica: ${r.ratio}x; target = primary = replica1 = replica2: ${r.equal} (${r.checksums.primary})`);
  };
  const results = await run({ dir: arg('--dir'), events: Number(arg('--events', '1000000')), runs: Number(arg('--runs', '1')), compare: arg('--compare'), compareCli: arg('--compare-cli') && path.resolve(arg('--compare-cli')), binlogPeer: !process.argv.includes('--no-binlog-peer'), onRun: print });
  if (!json && results.length > 1) {
    const ratios = results.map((r) => r.ratio).sort((a, b) => a - b);
    console.log(`ratios over ${results.length} runs: ${ratios.join(', ')} (median ${ratios[Math.floor(ratios.length / 2)]})`);
  }
  if (results.some((r) => !r.equal)) process.exitCode = 1;
}
