#!/usr/bin/env node
// npm run bench: our copy of bench.orders_large (1M rows, ~280 MB) primary -> target, side by side
// with mariadb-dump | mariadb and mydumper/myloader -t 2, median of 3 runs each, on a sandbox of its
// own (.sandbox-bench). Writes the figures to docs/benchmarks.md.
//   node scripts/bench.mjs [--runs 3] [--keep] [--skip-insert] [--no-doc] [--writers 2] [--semi-space 16]
// Our copy runs as the shipped bundle (dist/cli.js, built with --production first) under /usr/bin/time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './lib/proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.sandbox-bench');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '3'));
const keep = argv.includes('--keep');
const skipInsert = argv.includes('--skip-insert');
const writeDoc = !argv.includes('--no-doc');
const WRITERS = opt('--writers', '2');
/** The young-generation size our copy runs with (the same flag the extension's worker gets). */
const SEMI_SPACE = opt('--semi-space', '16');

function sandbox(...args) {
  return execFileSync(process.execPath, [path.join(root, 'scripts/sandbox.mjs'), ...args, '--dir', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function run(cmd, args, { env = {}, shell = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, shell, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${err.slice(-2000)}`));
      else resolve({ seconds, out, err });
    });
  });
}

/** Empties the target's checkpoint schema between our runs, so no run lists or resumes another's job. */
const FORGET_JOBS = 'DELETE FROM rw_migrate.chunks; DELETE FROM rw_migrate.job_tables; DELETE FROM rw_migrate.jobs; DELETE FROM rw_migrate.deferred_keys';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const load1 = () => os.loadavg()[0];

async function main() {
  console.log('bench: building the shipped bundles (node scripts/build.mjs --production)');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
  console.log(`bench: sandbox up in ${path.relative(root, dir)}`);
  const topo = JSON.parse(sandbox('up', '--json'));
  console.log('bench: seed-large (1M rows)');
  sandbox('seed-large');
  const { user, password } = topo.users.admin;
  const P = topo.servers.primary;
  const T = topo.servers.target;
  const mysqlEnv = { MYSQL_PWD: password };
  const sql = (server, text) => execFileSync('mariadb', ['-h', server.host, '-P', String(server.port), '-u', user, '-N', '-e', text], { env: { ...process.env, ...mysqlEnv }, encoding: 'utf8' }).trim();
  const rows = Number(sql(P, 'SELECT COUNT(*) FROM bench.orders_large'));
  const sourceChecksum = sql(P, 'CHECKSUM TABLE bench.orders_large').split('\t')[1];
  const version = sql(T, 'SELECT VERSION()');
  const autoinc = sql(T, 'SELECT @@innodb_autoinc_lock_mode');
  console.log(`bench: ${rows} rows, source checksum ${sourceChecksum}, MariaDB ${version}, target innodb_autoinc_lock_mode=${autoinc}`);

  /** Lets the page cleaner write out every dirty page (and so move the checkpoint), then restores it. */
  const flushed = async (server) => {
    const status = () =>
      Object.fromEntries(
        sql(server, "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_checkpoint_age')")
          .split('\n')
          .map((l) => l.split('\t'))
          .map(([k, v]) => [k, Number(v)]),
      );
    const pct = sql(server, 'SELECT @@GLOBAL.innodb_max_dirty_pages_pct');
    sql(server, 'SET GLOBAL innodb_max_dirty_pages_pct = 0');
    try {
      const started = performance.now();
      for (;;) {
        const s = status();
        if ((s.Innodb_buffer_pool_pages_dirty <= 100 && s.Innodb_checkpoint_age <= 4 * 2 ** 20) || performance.now() - started > 60_000) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      sql(server, `SET GLOBAL innodb_max_dirty_pages_pct = ${Number(pct)}`);
    }
  };

  /** Each run: wall seconds, CPU seconds of the target and source servers, load average before it. */
  const results = { ours: [], insert: [], dump: [], mydumper: [] };
  const rss = { ours: [], insert: [] };
  let verified = true;
  let mydumperRetries = 0;
  /**
   * Before every run: drop the target's binlogs (a round writes about 1 GB of ROW events; this sandbox
   * target has no replicas) and wait until both servers are idle, so no tool pays for the previous
   * one's page flushing, purge or DROP.
   */
  const settle = async () => {
    sql(T, 'RESET MASTER');
    // Start every run from flushed servers: otherwise a run inherits its predecessor's dirty pages and
    // a nearly full redo log (64 MB here), and pays for that tool's writes with synchronous flushing.
    for (const server of [T, P]) await flushed(server);
    const started = performance.now();
    let quiet = 0;
    while (quiet < 2 && performance.now() - started < 30_000) {
      const t = cpuSeconds(T.pid) + cpuSeconds(P.pid);
      await new Promise((r) => setTimeout(r, 500));
      quiet = cpuSeconds(T.pid) + cpuSeconds(P.pid) - t < 0.03 ? quiet + 1 : 0;
    }
  };
  const measured = async (tool, label, body) => {
    await settle();
    const before = { t: cpuSeconds(T.pid), p: cpuSeconds(P.pid), load: load1() };
    const t0 = performance.now();
    const { verify, ...timed } = await body();
    const seconds = (performance.now() - t0) / 1000;
    const r = { seconds, targetCpu: cpuSeconds(T.pid) - before.t, sourceCpu: cpuSeconds(P.pid) - before.p, load: before.load, ...timed };
    // Checking the copy (COUNT and CHECKSUM TABLE: about a second here) is not part of its time.
    const extra = { ...timed, ...(verify ? verify() : {}) };
    results[tool].push({ ...r, ...extra });
    console.log(
      `${label}: ${seconds.toFixed(2)} s, ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, target CPU ${r.targetCpu.toFixed(1)} s, ` +
        `source CPU ${r.sourceCpu.toFixed(1)} s, load ${before.load.toFixed(2)}` +
        (extra.rssMb !== undefined ? `, peak RSS ${extra.rssMb} MB, client CPU ${extra.clientCpu.toFixed(1)} s, checksum ${extra.ok ? 'ok' : 'MISMATCH'}` : ''),
    );
  };

  const ours = (method, i) => async () => {
    const db = `bench_${method}_${i}`;
    // The shipped bundle, under /usr/bin/time: its "maximum resident set size" is the process's peak RSS.
    const r = await run(
      '/usr/bin/time',
      ['-f', 'RWM_TIME %e %U %S %M', process.execPath, `--max-semi-space-size=${SEMI_SPACE}`, 'dist/cli.js', 'copy',
        '--from', `mysql://${user}@${P.host}:${P.port}/bench`, '--to', `mysql://${user}@${T.host}:${T.port}/${db}`,
        '--tables', 'orders_large', '--json', '--writers', WRITERS, '--method', method],
      { env: { RW_MIGRATE_FROM_PASSWORD: password, RW_MIGRATE_TO_PASSWORD: password, RW_MIGRATE_HOME: path.join(dir, 'cli-home') } },
    );
    const line = r.err.split('\n').find((l) => l.startsWith('RWM_TIME '));
    const [, , u, sys, maxKb] = line ? line.split(' ') : [];
    const rssMb = Math.round(Number(maxKb) / 1024);
    rss[method === 'load' ? 'ours' : 'insert'].push(rssMb);
    const verify = () => {
      const copied = Number(sql(T, `SELECT COUNT(*) FROM ${db}.orders_large`));
      const checksum = sql(T, `CHECKSUM TABLE ${db}.orders_large`).split('\t')[1];
      const ok = copied === rows && checksum === sourceChecksum;
      if (!ok) verified = false;
      return { ok };
    };
    return { rssMb, clientCpu: Number(u) + Number(sys), verify };
  };

  for (let i = 1; i <= RUNS; i++) {
    // Alternate the tools inside each round so background load hits all of them alike.
    sql(T, `DROP DATABASE IF EXISTS bench_load_${i}; DROP DATABASE IF EXISTS bench_insert_${i}`);
    await measured('ours', `run ${i} rw-migrate load`, ours('load', i));
    sql(T, `DROP DATABASE bench_load_${i}; ${FORGET_JOBS}`);
    {
      const db = `bench_dump_${i}`;
      sql(T, `DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}`);
      await measured('dump', `run ${i} mariadb-dump | mariadb`, async () => {
        await run(
          `mariadb-dump -h ${P.host} -P ${P.port} -u ${user} --single-transaction --skip-lock-tables bench orders_large | mariadb -h ${T.host} -P ${T.port} -u ${user} ${db}`,
          [],
          { env: mysqlEnv, shell: true },
        );
        return {};
      });
      sql(T, `DROP DATABASE ${db}`);
    }
    {
      const db = `bench_myl_${i}`;
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-mydumper-'));
      sql(T, `DROP DATABASE IF EXISTS ${db}`);
      // myloader 0.10 does not retry a deadlock between its two threads (seen here now and then with
      // innodb_autoinc_lock_mode=2): such a run is dropped and the round's mydumper run done again.
      for (let attempt = 1; ; attempt++) {
        try {
          await measured('mydumper', `run ${i} mydumper/myloader -t 2${attempt > 1 ? ` (attempt ${attempt})` : ''}`, async () => {
            await run('mydumper', ['-h', P.host, '-P', String(P.port), '-u', user, '-p', password, '-B', 'bench', '-o', out, '-t', '2', '-r', '100000']);
            await run('myloader', ['-h', T.host, '-P', String(T.port), '-u', user, '-p', password, '-d', out, '-B', db, '-s', 'bench', '-t', '2', '-o']);
            return {};
          });
          break;
        } catch (err) {
          if (attempt >= 3 || !/Deadlock/.test(String(err))) throw err;
          console.log(`run ${i} mydumper/myloader: myloader deadlocked (not retried by myloader 0.10); running it again`);
          mydumperRetries++;
          sql(T, `DROP DATABASE IF EXISTS ${db}`);
          fs.rmSync(out, { recursive: true, force: true });
          fs.mkdirSync(out);
        }
      }
      sql(T, `DROP DATABASE ${db}`);
      fs.rmSync(out, { recursive: true, force: true });
    }
    if (!skipInsert) {
      await measured('insert', `run ${i} rw-migrate insert`, ours('insert', i));
      sql(T, `DROP DATABASE bench_insert_${i}; ${FORGET_JOBS}`);
    }
  }

  const secs = (tool) => results[tool].map((r) => r.seconds);
  const rate = (tool) => Math.round(rows / median(secs(tool)));
  const oursRate = rate('ours');
  const summary = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`,
    mariadb: version,
    autoinc,
    rows,
    runs: RUNS,
    writers: WRITERS,
    semiSpace: SEMI_SPACE,
    oursRowsPerSecond: oursRate,
    insertRowsPerSecond: results.insert.length ? rate('insert') : null,
    dumpRowsPerSecond: rate('dump'),
    mydumperRowsPerSecond: rate('mydumper'),
    ratioVsDump: +(oursRate / rate('dump')).toFixed(2),
    ratioVsMydumper: +(oursRate / rate('mydumper')).toFixed(2),
    peakRssMb: Math.max(...rss.ours),
    insertPeakRssMb: rss.insert.length ? Math.max(...rss.insert) : null,
    rss,
    verified,
    mydumperRetries,
    loadRange: [Math.min(...Object.values(results).flat().map((r) => r.load)), Math.max(...Object.values(results).flat().map((r) => r.load))],
    results,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (writeDoc) writeBenchmarksDoc(summary);
  if (!keep) sandbox('down');
  if (!verified) process.exitCode = 1;
}

/**
 * Replaces only the generated block of docs/benchmarks.md (between the bench:start / bench:end
 * markers), so hand-written sections around it, and other benchmarks' sections, stay.
 */
function writeBenchmarksDoc(s) {
  const file = path.join(root, 'docs', 'benchmarks.md');
  const fmt = (n) => n.toLocaleString('en-US');
  const runs = (tool) => s.results[tool].map((r) => r.seconds.toFixed(2)).join(', ');
  const cpu = (tool) => median(s.results[tool].map((r) => r.targetCpu)).toFixed(1);
  const row = (name, tool, rate, ratio) => `| ${name} | ${fmt(rate)} | ${runs(tool)} | ${cpu(tool)} | ${ratio} |`;
  const block = `<!-- bench:start (generated by scripts/bench.mjs; edit around it) -->
Measured ${s.date} on ${s.machine}; MariaDB ${s.mariadb} (sandbox servers on this machine,
target \`innodb_autoinc_lock_mode=${s.autoinc}\`); 1-minute load average before each run ${s.loadRange[0].toFixed(2)}-${s.loadRange[1].toFixed(2)}.
Our copy: \`node --max-semi-space-size=${s.semiSpace} dist/cli.js copy --writers ${s.writers}\` (production bundle), ${fmt(s.rows)} rows,
median of ${s.runs} runs, tools alternated within each round.

| tool | rows/s (median) | seconds per run | target CPU s (median) | rw-migrate ratio |
|---|---:|---|---:|---:|
${row('rw-migrate copy, LOAD DATA (default)', 'ours', s.oursRowsPerSecond, '1.00')}
${s.insertRowsPerSecond ? row('rw-migrate copy, multi-row INSERT (`--method insert`)', 'insert', s.insertRowsPerSecond, (s.oursRowsPerSecond / s.insertRowsPerSecond).toFixed(2)) + '\n' : ''}${row('mariadb-dump \\| mariadb', 'dump', s.dumpRowsPerSecond, s.ratioVsDump)}
${row('mydumper / myloader -t 2', 'mydumper', s.mydumperRowsPerSecond, s.ratioVsMydumper)}

- Peak RSS of the rw-migrate copy process (\`/usr/bin/time\` maximum resident set size): LOAD DATA ${s.rss.ours.join(', ')} MB (max ${s.peakRssMb}; target < 250 MB)${s.insertPeakRssMb ? `; INSERT ${s.rss.insert.join(', ')} MB` : ''}.
- Copies verified (count + \`CHECKSUM TABLE\`): ${s.verified ? 'yes, every run' : 'NO: see the bench output'}.
- Ratio to mydumper/myloader (target >= 1.1): ${s.ratioVsMydumper}.${s.mydumperRetries ? `\n- myloader deadlocked between its own threads ${s.mydumperRetries} time(s); those runs were discarded and repeated.` : ''}
<!-- bench:end -->`;
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /<!-- bench:start[\s\S]*?<!-- bench:end -->/;
  const text = re.test(old) ? old.replace(re, block) : `${old.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, text);
  console.log(`bench: wrote ${path.relative(root, file)}`);
}

main().catch((err) => {
  console.error(err);
  if (!keep) {
    try {
      sandbox('down');
    } catch {
      // already down
    }
  }
  process.exitCode = 1;
});
