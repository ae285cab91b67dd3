#!/usr/bin/env node
// Routing benchmark, each figure against a peer in the same run:
//  1. classification throughput (statements/s) of the routing classifier vs node-sql-parser's MariaDB grammar
//     on the same statements (the 145-statement routing corpus);
//  2. the added latency of a routed point read (classify + replica choice + query) vs the same read sent
//     directly to the replica, with the replica readings cached (default, 1 s) and probed on every read;
//  3. time to first rows of a 100,000-row result through the real worker (rwMigrate/sql/run answers with the
//     first 200 rows while the rest streams into the worker for paging), and until the worker says the whole
//     result is in (rwMigrate/sql/resultDone), vs the same query read whole by mysql2 directly.
//   node scripts/build.mjs && node bench/routing.mjs [--dir .sandbox-bench] [--json]
// The routing engine is bundled from src/ with esbuild (as the worker bundles it) into a temporary file.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import mysql from 'mysql2/promise';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

async function loadEngine() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-routing-')), 'routing.cjs');
  await esbuild.build({ entryPoints: [path.join(root, 'src/engine/routing/index.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'warning' });
  return require(out);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const round = (x, d = 2) => Number(x.toFixed(d));

/** Statements per second over at least `ms` of repeated passes. */
function throughput(statements, fn, ms = 2000) {
  for (const s of statements) fn(s); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const s of statements) fn(s);
    n += statements.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

function classification(engine) {
  const corpus = JSON.parse(fs.readFileSync(path.join(root, 'test/unit/fixtures/routing-corpus.json'), 'utf8')).map((c) => c.sql);
  const ours = throughput(corpus, (s) => engine.classifySql(s));
  const { Parser } = require('node-sql-parser/build/mariadb');
  const parser = new Parser();
  const parsable = corpus.filter((s) => {
    try {
      parser.astify(s, { database: 'MariaDB' });
      return true;
    } catch {
      return false;
    }
  });
  const peer = throughput(parsable, (s) => parser.astify(s, { database: 'MariaDB' }));
  const oursOnSame = throughput(parsable, (s) => engine.classifySql(s));
  return {
    corpus: corpus.length,
    oursStatementsPerSecond: Math.round(ours),
    peerParsable: parsable.length,
    peerStatementsPerSecond: Math.round(peer),
    oursOnPeerParsableStatementsPerSecond: Math.round(oursOnSame),
    ratio: round(oursOnSame / peer, 1),
  };
}

async function routedLatency(engine, topo, reads = 400) {
  const admin = topo.users.admin;
  const ref = (s) => ({ name: s.name, host: s.host, port: s.port, user: admin.user, password: admin.password });
  const sql = (i) => `SELECT * FROM shop.customers WHERE id = ${1 + (i % 1000)}`;
  const direct = await mysql.createConnection({ host: topo.servers.replica1.host, port: topo.servers.replica1.port, user: admin.user, password: admin.password, rowsAsArray: true });
  const sessions = {
    cached: new engine.RoutingSession({ primary: ref(topo.servers.primary), replicas: [ref(topo.servers.replica1), ref(topo.servers.replica2)] }, { maxStalenessSeconds: 30 }),
    probed: new engine.RoutingSession({ primary: ref(topo.servers.primary), replicas: [ref(topo.servers.replica1), ref(topo.servers.replica2)] }, { maxStalenessSeconds: 30, probeCacheMs: 0 }),
  };
  const times = { direct: [], cached: [], probed: [] };
  try {
    for (const s of Object.values(sessions)) for (let i = 0; i < 20; i++) await engine.runSql(s, sql(i)); // connect and warm
    for (let i = 0; i < 20; i++) await direct.query(sql(i));
    // Interleaved, so background load hits all three alike.
    for (let i = 0; i < reads; i++) {
      let t0 = performance.now();
      await direct.query({ sql: sql(i), rowsAsArray: true });
      times.direct.push(performance.now() - t0);
      for (const [name, s] of Object.entries(sessions)) {
        t0 = performance.now();
        const [run] = await engine.runSql(s, sql(i));
        times[name].push(performance.now() - t0);
        if (run.error || run.decision.route !== 'replica') throw new Error(`routed read did not go to a replica: ${run.error ?? run.decision.reason}`);
      }
    }
  } finally {
    await direct.end();
    for (const s of Object.values(sessions)) await s.close();
  }
  const m = (k) => round(median(times[k]), 3);
  return {
    reads,
    directMedianMs: m('direct'),
    directP95Ms: round(p95(times.direct), 3),
    routedCachedMedianMs: m('cached'),
    routedCachedP95Ms: round(p95(times.cached), 3),
    routedProbedMedianMs: m('probed'),
    routedProbedP95Ms: round(p95(times.probed), 3),
    addedCachedMs: round(m('cached') - m('direct'), 3),
    addedProbedMs: round(m('probed') - m('direct'), 3),
  };
}

async function firstRows(topo, runs = 3) {
  const admin = topo.users.admin;
  const ref = (s) => ({ name: s.name, host: s.host, port: s.port, user: admin.user, password: admin.password });
  const sql = "SELECT seq AS id, CONCAT('row ', seq) AS label, seq * 2 AS twice FROM shop.seq_1_to_100000";
  const child = fork(path.join(root, 'dist', 'worker.js'), ['--node-ipc', `--clientProcessId=${process.pid}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rpc = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  // Completions of results answered while loading, with the time each arrived.
  const completions = new Map();
  let onCompletion = () => undefined;
  rpc.onNotification('rwMigrate/sql/resultDone', (d) => {
    completions.set(d.resultId, { done: d, at: performance.now() });
    onCompletion();
  });
  const completion = (resultId) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no completion for ${resultId}`)), 300_000);
      onCompletion = () => {
        const c = completions.get(resultId);
        if (!c) return;
        clearTimeout(timer);
        resolve(c);
      };
      onCompletion();
    });
  rpc.listen();
  const worker = [];
  const whole = [];
  const direct = [];
  try {
    await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await rpc.sendNotification('initialized', {});
    const params = { profile: 'bench', primary: ref(topo.servers.primary), replicas: [ref(topo.servers.replica1), ref(topo.servers.replica2)], sql, maxStalenessSeconds: 30, causalWaitSeconds: 1, forcePrimary: false };
    const conn = await mysql.createConnection({ host: topo.servers.replica1.host, port: topo.servers.replica1.port, user: admin.user, password: admin.password, supportBigNumbers: true, bigNumberStrings: true });
    try {
      for (let i = 0; i <= runs; i++) {
        let t0 = performance.now();
        const res = await rpc.sendRequest('rwMigrate/sql/run', params);
        const ms = performance.now() - t0;
        const s = res.statements[0];
        if (s.error || s.firstRows.length !== 200) throw new Error(`worker run failed: ${s.error ?? s.firstRows.length}`);
        // The whole result: in the answer when it was already complete, else when the worker says so.
        const c = s.complete ? { done: s, at: t0 + ms } : await completion(s.resultId);
        if (c.done.error || c.done.rowCount !== 100_000) throw new Error(`worker result incomplete: ${c.done.error ?? c.done.rowCount}`);
        const wms = c.at - t0;
        t0 = performance.now();
        const [rows] = await conn.query({ sql, rowsAsArray: true });
        const dms = performance.now() - t0;
        if (rows.length !== 100_000) throw new Error('direct query short');
        if (i > 0) {
          // The first round connects the worker's session: reported apart as cold.
          worker.push(ms);
          whole.push(wms);
          direct.push(dms);
        } else worker.cold = ms;
      }
    } finally {
      await conn.end();
    }
  } finally {
    rpc.dispose();
    child.kill();
  }
  return {
    rows: 100_000,
    workerColdMs: Math.round(worker.cold),
    workerMedianMs: Math.round(median(worker)),
    workerMs: worker.map(Math.round),
    workerWholeResultMedianMs: Math.round(median(whole)),
    workerWholeMs: whole.map(Math.round),
    directWholeResultMedianMs: Math.round(median(direct)),
    directMs: direct.map(Math.round),
    ratio: round(median(worker) / median(direct), 2),
    wholeRatio: round(median(whole) / median(direct), 2),
  };
}

export async function run({ dir = process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-bench') } = {}) {
  const topo = JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'topology.json'), 'utf8'));
  const engine = await loadEngine();
  return {
    at: new Date().toISOString(),
    cpus: os.cpus().length,
    load1: round(os.loadavg()[0], 2),
    classification: classification(engine),
    routedRead: await routedLatency(engine, topo),
    firstRows: await firstRows(topo),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--dir');
  const r = await run({ dir: i >= 0 ? argv[i + 1] : undefined });
  if (argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    const c = r.classification;
    const l = r.routedRead;
    const f = r.firstRows;
    console.log(`routing (${r.cpus} CPUs, load ${r.load1}):`);
    console.log(`  classification: ${c.oursStatementsPerSecond.toLocaleString('en-US')} statements/s on ${c.corpus}; node-sql-parser (MariaDB) ${c.peerStatementsPerSecond.toLocaleString('en-US')}/s on the ${c.peerParsable} it parses (ours on those: ${c.oursOnPeerParsableStatementsPerSecond.toLocaleString('en-US')}/s, ${c.ratio}x)`);
    console.log(`  point read, median (p95) ms over ${l.reads}: direct ${l.directMedianMs} (${l.directP95Ms}); routed, readings cached ${l.routedCachedMedianMs} (${l.routedCachedP95Ms}) = +${l.addedCachedMs}; routed, probed every read ${l.routedProbedMedianMs} (${l.routedProbedP95Ms}) = +${l.addedProbedMs}`);
    console.log(`  100,000 rows: worker answers with the first rows in ${f.workerMedianMs} ms median (${f.workerMs.join(', ')}; cold ${f.workerColdMs}); whole result in the worker ${f.workerWholeResultMedianMs} ms (${f.workerWholeMs.join(', ')}); mysql2 direct, whole result ${f.directWholeResultMedianMs} ms (${f.directMs.join(', ')}); ratios ${f.ratio} (first rows), ${f.wholeRatio} (whole)`);
  }
}
