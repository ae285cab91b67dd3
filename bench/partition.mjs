#!/usr/bin/env node
// Range partitioning benchmark: bench.orders_large (1,000,000 rows, `sandbox seed-large`) split into 3
// databases on the sandbox target by `rw-migrate partition split` (copy + per-range verification), set
// against its peer in the same run, one whole-table `rw-migrate copy` of the same table to the same
// server, alternating; then `partition merge` back into one table, checked by CHECKSUM TABLE against
// the source.
//   node scripts/build.mjs --production && node bench/partition.mjs [--dir .sandbox-test] [--runs 1]
// The sandbox must be up with seed-large done: node scripts/sandbox.mjs seed-large --dir DIR
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const dir = path.resolve(root, opt('--dir', '.sandbox-test'));
const RUNS = Number(opt('--runs', '1'));
const topo = JSON.parse(fs.readFileSync(path.join(dir, 'topology.json'), 'utf8'));
const { primary, target } = topo.servers;
const admin = topo.users.admin;
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: node scripts/build.mjs --production');
const rootSql = (server, sql) => execFileSync('mariadb', ['-S', server.socket, '-u', 'root', '-N', '-e', sql], { encoding: 'utf8' }).trim();
const url = (s, db) => `mysql://${admin.user}@${s.host}:${s.port}/${db}`;
const env = { ...process.env, RW_MIGRATE_FROM_PASSWORD: admin.password, RW_MIGRATE_TO_PASSWORD: admin.password };

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`rw-migrate ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const rows = Number(rootSql(primary, 'SELECT COUNT(*) FROM bench.orders_large'));
if (rows !== 1_000_000) throw new Error(`bench.orders_large has ${rows} rows: run node scripts/sandbox.mjs seed-large --dir ${dir}`);
const dbs = ['pbench_s0', 'pbench_s1', 'pbench_s2', 'pbench_whole', 'pbench_merged'];
const drop = () => rootSql(target, dbs.map((d) => `DROP DATABASE IF EXISTS ${d};`).join(' '));
const results = { split: [], copy: [], merge: [] };
const mapFile = path.join(os.tmpdir(), `pbench-${process.pid}.json`);
for (let round = 0; round < RUNS; round++) {
  drop();
  const plan = timed(['partition', 'plan', '--from', url(primary, 'bench'), '--table', 'orders_large', ...[0, 1, 2].flatMap((i) => ['--to', url(target, `pbench_s${i}`)]), '--map', mapFile]);
  console.log(plan.stdout.trim());
  results.plan = plan.seconds;
  const split = timed(['partition', 'split', '--map', mapFile, '--yes']);
  results.split.push(split.seconds);
  console.log(`split (copy + verify 3 ranges): ${split.seconds.toFixed(2)} s`);
  const copy = timed(['copy', '--from', url(primary, 'bench'), '--to', url(target, 'pbench_whole'), '--tables', 'orders_large']);
  results.copy.push(copy.seconds);
  console.log(`whole-table copy (peer, no verify): ${copy.seconds.toFixed(2)} s`);
  const merge = timed(['partition', 'merge', '--map', mapFile, '--to', url(target, 'pbench_merged'), '--yes']);
  results.merge.push(merge.seconds);
  const a = rootSql(primary, 'CHECKSUM TABLE bench.orders_large').split('\t')[1];
  const b = rootSql(target, 'CHECKSUM TABLE pbench_merged.orders_large').split('\t')[1];
  if (a !== b) throw new Error(`merged CHECKSUM TABLE ${b} differs from the source's ${a}`);
  console.log(`merge (copy + verify 3 ranges back into one table): ${merge.seconds.toFixed(2)} s; CHECKSUM TABLE equal (${a})`);
}
drop();
fs.rmSync(mapFile, { force: true });

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ rows, planSeconds: results.plan, split: results.split, copy: results.copy, merge: results.merge, splitOverCopy: median(results.split) / median(results.copy) }));
