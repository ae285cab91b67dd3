#!/usr/bin/env node
// Verification benchmark, two modes (median of N interleaved rounds; prints rows/s and the load before
// each run).
//   node bench/verify.mjs [--mode replicated|target] [--dir D] [--runs 3]
//
// --mode replicated (default; dir .sandbox-vbench): the like-for-like "compare a primary with its
// replica". benchrep.orders (1M rows, a copy of bench.orders_large made on the primary WITH binlog
// on, so both replicas have it) compared between the primary and replica1 by
//   - `rw-migrate verify --target-is-replica` (dist/cli.js from `node scripts/build.mjs --production`:
//     chunk checksums run on both servers at once);
//   - pt-table-checksum the way it works: checksum queries on the primary (pt sets binlog_format=
//     STATEMENT for its session), replicated to replica1, pt waits for the replica and compares.
//     Wall clock until it exits (after its report line). Replicas come from a DSN table listing
//     replica1 only (replica2 keeps replicating, but pt neither waits for it nor checks it, as ours
//     does not look at it). --no-check-binlog-format (the sandbox's replicas binlog in ROW),
//     --chunk-time 0.5. Also printed: pt's own TIME column and when its "Starting checksum" and
//     report lines appeared, so its wall time can be split into startup / checksum + replica wait.
//   - CHECKSUM TABLE on the primary and replica1 at once (reference: cannot localise a difference).
//
// --mode target (dir .sandbox-verify): the older measurement. bench.orders_large (primary only)
// compared between the primary and the target (copied there with mariadb-dump | mariadb); pt
// cannot compare servers that do not replicate, so it runs with --recursion-method=none and
// sql_log_bin=0: its time is ONE server's checksum work while ours hashes on two servers.
//
// The sandbox is brought up if needed (node scripts/sandbox.mjs up --dir D) and bench.orders_large
// seeded if absent. Bring it down yourself: node scripts/sandbox.mjs down --dir D --purge
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';


const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const MODE = opt('--mode', 'replicated');
if (!['replicated', 'target'].includes(MODE)) throw new Error(`--mode must be replicated or target, not ${MODE}`);
const dir = path.resolve(root, opt('--dir', MODE === 'replicated' ? '.sandbox-vbench' : '.sandbox-verify'));
const RUNS = Number(opt('--runs', '3'));
const sandbox = (...args) => execFileSync(process.execPath, [path.join(root, 'scripts/sandbox.mjs'), ...args, '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
try {
  sandbox('status');
} catch {
  console.log(`bringing the sandbox up in ${dir} ...`);
  sandbox('up');
}
const topo = JSON.parse(fs.readFileSync(path.join(dir, 'topology.json'), 'utf8'));
const { primary, replica1, target } = topo.servers;
const admin = topo.users.admin;
const ROWS = 1_000_000;

const rootSql = (server, sql) => execFileSync('mariadb', ['-S', server.socket, '-u', 'root', '-N', '-e', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Runs a command; `lines` gets each stdout/stderr line with the seconds since the start. */
function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const lines = [];
    const stamp = (d) => {
      const t = (performance.now() - t0) / 1000;
      for (const l of String(d).split('\n')) if (l.trim()) lines.push({ t, l });
    };
    child.stdout.on('data', (d) => ((out += d), stamp(d)));
    child.stderr.on('data', (d) => ((err += d), stamp(d)));
    // A stuck peer tool must not hang the benchmark (pt-table-checksum ignores SIGTERM while waiting).
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', () => clearTimeout(timer));
    child.on('exit', (code) => resolve({ code, seconds: (performance.now() - t0) / 1000, out, err, lines }));
    child.on('error', reject);
  });
}

function count(server, table) {
  try {
    return Number(rootSql(server, `SELECT COUNT(*) FROM ${table}`));
  } catch {
    return 0;
  }
}

if (count(primary, 'bench.orders_large') !== ROWS) {
  console.log('seeding bench.orders_large on the primary ...');
  sandbox('seed-large');
}

const pw = { RW_MIGRATE_FROM_PASSWORD: admin.password, RW_MIGRATE_TO_PASSWORD: admin.password };
const url = (s, db) => `mysql://${admin.user}@127.0.0.1:${s.port}/${db}`;
const ptDsn = (s) => `h=127.0.0.1,P=${s.port},u=${admin.user},p=${admin.password}`;
/** @type {Record<string, () => Promise<{ seconds: number, detail?: string }>>} */
let tools;
let ptBreakdown = null;

if (MODE === 'replicated') {
  // A replicated copy: binlog on for this session, so both replicas get the table.
  if (count(primary, 'benchrep.orders') !== ROWS || count(replica1, 'benchrep.orders') !== ROWS) {
    console.log('creating benchrep.orders on the primary (replicated) ...');
    rootSql(primary, 'CREATE DATABASE IF NOT EXISTS benchrep; DROP TABLE IF EXISTS benchrep.orders; CREATE TABLE benchrep.orders LIKE bench.orders_large; INSERT INTO benchrep.orders SELECT * FROM bench.orders_large');
  }
  const pos = rootSql(primary, 'SELECT @@GLOBAL.gtid_binlog_pos');
  for (const r of [replica1, topo.servers.replica2]) {
    if (rootSql(r, `SELECT MASTER_GTID_WAIT('${pos}', 600)`) !== '0') throw new Error(`${r.name} did not reach ${pos}`);
  }
  if (count(replica1, 'benchrep.orders') !== ROWS) throw new Error('replica1 lacks the 1M rows of benchrep.orders');
  // pt's replica list: replica1 only (a DSN table on the primary, not replicated).
  rootSql(primary, `SET SESSION sql_log_bin=0; CREATE DATABASE IF NOT EXISTS rwbench_dsn; DROP TABLE IF EXISTS rwbench_dsn.dsns;
    CREATE TABLE rwbench_dsn.dsns (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT NULL, dsn VARCHAR(255) NOT NULL);
    INSERT INTO rwbench_dsn.dsns (dsn) VALUES ('${ptDsn(replica1)}')`);

  const ptArgs = ['--no-check-binlog-format', `--recursion-method=dsn=h=127.0.0.1,P=${primary.port},D=rwbench_dsn,t=dsns`, '--chunk-time', '0.5', '--databases', 'benchrep', '--tables', 'orders', '--no-check-replication-filters', ptDsn(primary)];
  // pt's STDOUT is block-buffered into a pipe: autoflush it (a one-line Perl module) so each line's
  // arrival time is when pt printed it. Costs nothing measurable.
  const perlLib = path.join(dir, 'perl-autoflush');
  fs.mkdirSync(perlLib, { recursive: true });
  fs.writeFileSync(path.join(perlLib, 'AutoFlush.pm'), 'package AutoFlush; $| = 1; 1;\n');
  const ptEnv = { PERL5LIB: perlLib, PERL5OPT: '-MAutoFlush' };
  // One extra, untimed run with PTDEBUG=1 (its trace slows pt a little) to split pt's wall time:
  // startup, the chunk loop on the primary (with its replica-lag checks), the final wait for the
  // replica (MASTER_POS_WAIT), and reading the replica's checksums.
  ptBreakdown = async () => {
    const r = await run('pt-table-checksum', ptArgs, { ...ptEnv, PTDEBUG: '1' });
    const at = (re) => r.lines.find((x) => re.test(x.l))?.t;
    const start = at(/Starting checksum/);
    const loopDone = at(/Checking slave diffs/);
    const waitDone = at(/Result of waiting/);
    const report = at(/benchrep\.orders\s*$/);
    const lagChecks = r.lines.filter((x) => /Checking slave lag/.test(x.l)).length;
    return { wall: r.seconds, start, loopDone, waitDone, report, lagChecks, waitedLine: r.lines.find((x) => /Waited \d+ seconds/.test(x.l))?.l.trim() };
  };

  console.log('building: node scripts/build.mjs --production');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
  const cli = path.join(root, 'dist/cli.js');

  tools = {
    'rw-migrate verify (primary vs replica1)': async () => {
      const r = await run(process.execPath, [cli, 'verify', '--from', url(primary, 'benchrep'), '--to', url(replica1, 'benchrep'), '--tables', 'orders', '--target-is-replica', '--json'], pw);
      const rep = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((j) => j.type === 'report')?.report;
      if (r.code !== 0 || !rep?.clean) throw new Error(`verify exited ${r.code}: ${r.err.slice(-1000)}${r.out.slice(-500)}`);
      return { seconds: r.seconds, detail: `report.seconds ${rep.seconds.toFixed(2)}, rowsChecked ${rep.rowsChecked}` };
    },
    'pt-table-checksum (primary -> replica1)': async () => {
      const r = await run('pt-table-checksum', ptArgs, ptEnv);
      const row = r.lines.find((x) => /benchrep\.orders/.test(x.l));
      const started = r.lines.find((x) => /Starting checksum/.test(x.l));
      // TS ERRORS DIFFS ROWS DIFF_ROWS CHUNKS SKIPPED TIME TABLE
      const f = row?.l.trim().split(/\s+/) ?? [];
      if (r.code !== 0 || f[1] !== '0' || f[2] !== '0' || f[3] !== String(ROWS)) throw new Error(`pt-table-checksum exited ${r.code}: ${r.err.slice(-1000)}${r.out.slice(-500)}`);
      // The replica must have compared: replica1's checksum rows carry the primary's crc.
      const rep = rootSql(replica1, "SELECT COUNT(*), SUM(this_crc <> master_crc OR this_cnt <> master_cnt), SUM(this_cnt) FROM percona.checksums WHERE db='benchrep' AND tbl='orders'");
      const chunkSum = Number(rootSql(primary, "SELECT SUM(chunk_time) FROM percona.checksums WHERE db='benchrep' AND tbl='orders'"));
      return {
        seconds: r.seconds,
        detail: `"Starting checksum" at ${started?.t.toFixed(2)} s, report line at ${row.t.toFixed(2)} s, pt TIME ${f[7]} s, sum of chunk_time on primary ${chunkSum.toFixed(2)} s, chunks ${f[5]}; replica1 checksums rows/diffs/rows-counted ${rep.split('\t').join('/')}`,
      };
    },
    'CHECKSUM TABLE (primary + replica1)': async () => {
      const t0 = performance.now();
      const one = (s) => run('mariadb', ['-S', s.socket, '-u', 'root', '-N', '-e', 'CHECKSUM TABLE benchrep.orders']);
      const [a, b] = await Promise.all([one(primary), one(replica1)]);
      if (a.out.split('\t')[1] !== b.out.split('\t')[1]) throw new Error(`CHECKSUM TABLE differs: ${a.out} vs ${b.out}`);
      return { seconds: (performance.now() - t0) / 1000 };
    },
  };
} else {
  if (count(target, 'bench.orders_large') !== ROWS) {
    console.log('copying bench.orders_large to the target (mariadb-dump | mariadb) ...');
    rootSql(target, 'CREATE DATABASE IF NOT EXISTS bench');
    execFileSync('bash', ['-c', `mariadb-dump -S '${primary.socket}' -u root --single-transaction --hex-blob bench orders_large | mariadb -S '${target.socket}' -u root bench`], { stdio: 'inherit' });
  }
  const cli = path.join(dir, 'bench-cli.cjs');
  execFileSync(path.join(root, 'node_modules/.bin/esbuild'), ['src/cli/main.ts', '--bundle', '--platform=node', '--format=cjs', '--target=node20', `--outfile=${cli}`, '--log-level=warning'], { cwd: root, stdio: 'inherit' });
  tools = {
    'rw-migrate verify (2 servers)': async () => {
      const r = await run(process.execPath, [cli, 'verify', '--from', url(primary, 'bench'), '--to', url(target, 'bench'), '--tables', 'orders_large', '--json'], pw);
      if (r.code !== 0) throw new Error(`verify exited ${r.code}: ${r.err.slice(-1000)}${r.out.slice(-500)}`);
      return { seconds: r.seconds };
    },
    'pt-table-checksum (1 server)': async () => {
      const r = await run('pt-table-checksum', ['--no-check-binlog-format', '--recursion-method=none', '--set-vars', 'sql_log_bin=0', '--databases', 'bench', '--tables', 'orders_large', '--no-check-replication-filters', ptDsn(primary)]);
      // pt exits non-zero when it found differences or warned; a row for the table means it ran.
      if (!/bench\.orders_large/.test(r.out)) throw new Error(`pt-table-checksum exited ${r.code}: ${r.err.slice(-1000)}${r.out.slice(-500)}`);
      return { seconds: r.seconds };
    },
    'CHECKSUM TABLE (2 servers)': async () => {
      const t0 = performance.now();
      const one = (s) => run('mariadb', ['-S', s.socket, '-u', 'root', '-N', '-e', 'CHECKSUM TABLE bench.orders_large']);
      const [a, b] = await Promise.all([one(primary), one(target)]);
      if (a.out.split('\t')[1] !== b.out.split('\t')[1]) throw new Error(`CHECKSUM TABLE differs: ${a.out} vs ${b.out}`);
      return { seconds: (performance.now() - t0) / 1000 };
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Rounds are interleaved (each tool once per round) so a change in the machine's load hits every
// tool alike rather than one tool's block of runs.
const names = Object.keys(tools);
const times = Object.fromEntries(names.map((n) => [n, []]));
const loads = Object.fromEntries(names.map((n) => [n, []]));
for (let i = 0; i < RUNS; i++) {
  for (const name of names) {
    const load = loadavg();
    const { seconds, detail } = await tools[name]();
    times[name].push(seconds);
    loads[name].push(load);
    console.log(`  round ${i + 1} ${name}: ${seconds.toFixed(2)} s (load before ${load})${detail ? `; ${detail}` : ''}`);
  }
}
const results = [];
for (const name of names) {
  const s = median(times[name]);
  results.push({ tool: name, seconds: s, rowsPerSecond: Math.round(ROWS / s), runs: times[name].map((t) => +t.toFixed(2)), loadBefore: loads[name] });
  console.log(`${name.padEnd(40)} ${s.toFixed(2)} s  ${Math.round(ROWS / s).toLocaleString('en')} rows/s  runs ${times[name].map((t) => t.toFixed(2)).join(', ')}`);
}
let breakdown = null;
if (ptBreakdown) {
  const loadBefore = loadavg();
  breakdown = { ...(await ptBreakdown()), loadBefore };
  const f = (x) => (x == null ? '?' : x.toFixed(2));
  console.log(`pt-table-checksum breakdown (extra PTDEBUG=1 run, load before ${loadBefore}): wall ${f(breakdown.wall)} s = startup ${f(breakdown.start)} + chunk loop on primary ${f(breakdown.loopDone - breakdown.start)} (${breakdown.lagChecks} replica-lag checks) + final wait for replica1 ${f(breakdown.waitDone - breakdown.loopDone)} (${breakdown.waitedLine}) + compare/report ${f(breakdown.report - breakdown.waitDone)} + exit ${f(breakdown.wall - breakdown.report)}`);
}
console.log(`load average at the end: ${loadavg()}`);
console.log(JSON.stringify({ type: 'bench-verify', mode: MODE, rows: ROWS, results, ptBreakdown: breakdown }));
