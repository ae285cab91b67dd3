#!/usr/bin/env node
// Topology tree benchmark: a database with 5,000 tables must expand in under 1 s. Creates
// bench_tree.t00001..t05000 on a sandbox primary (not binlogged, so replicas stay idle) and times
// the real worker's listTables request (what expanding the database node sends), cold and warm.
//   node scripts/build.mjs && node bench/tree.mjs [--dir .sandbox-topo] [--tables 5000] [--json]
// Exported run() lets scripts/bench.mjs call it.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'bench_tree';

async function ensureTables(server, admin, count) {
  const conn = await mysql.createConnection({ host: server.host, port: server.port, user: admin.user, password: admin.password, multipleStatements: true });
  try {
    await conn.query('SET SESSION sql_log_bin = 0');
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${DB}\``);
    const [[{ n }]] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [DB]);
    if (Number(n) >= count) return 0;
    const t0 = performance.now();
    for (let i = 1; i <= count; i += 100) {
      const stmts = [];
      for (let j = i; j < Math.min(i + 100, count + 1); j++) {
        const name = `t${String(j).padStart(5, '0')}`;
        // Every tenth table has no primary key, so the PK lookup is exercised too.
        const pk = j % 10 === 0 ? 'INDEX (id)' : 'PRIMARY KEY (id)';
        stmts.push(`CREATE TABLE IF NOT EXISTS \`${DB}\`.\`${name}\` (id INT NOT NULL, v VARCHAR(20), ${pk}) ENGINE=InnoDB`);
      }
      await conn.query(stmts.join(';'));
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await conn.end();
  }
}

export async function run({ dir = process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-topo'), tables = 5000, warmRuns = 5 } = {}) {
  const topo = JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'topology.json'), 'utf8'));
  const server = topo.servers.primary;
  const admin = topo.users.admin;
  const createSeconds = await ensureTables(server, admin, tables);
  const child = fork(path.join(root, 'dist', 'worker.js'), ['--node-ipc', `--clientProcessId=${process.pid}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rpc = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  rpc.listen();
  try {
    await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await rpc.sendNotification('initialized', {});
    const ref = { name: 'primary', host: server.host, port: server.port, user: admin.user, password: admin.password };
    const time = async () => {
      const t0 = performance.now();
      const res = await rpc.sendRequest('rwMigrate/topology/listTables', { server: ref, database: DB });
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(res.error.message);
      return { ms, count: res.value.length, noPk: res.value.filter((t) => !t.hasPrimaryKey).length };
    };
    const cold = await time();
    const warm = [];
    for (let i = 0; i < warmRuns; i++) warm.push((await time()).ms);
    warm.sort((a, b) => a - b);
    return {
      tables: cold.count,
      tablesWithoutPk: cold.noPk,
      createSeconds: Number(createSeconds.toFixed(1)),
      coldMs: Math.round(cold.ms),
      warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)]),
      underOneSecond: cold.ms < 1000,
    };
  } finally {
    rpc.dispose();
    child.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const result = await run({ dir: opt('--dir'), tables: Number(opt('--tables') ?? 5000) });
  if (argv.includes('--json')) console.log(JSON.stringify(result));
  else {
    console.log(`tree: ${result.tables} tables (${result.tablesWithoutPk} without PK) listed in ${result.coldMs} ms cold (new connection), ${result.warmMedianMs} ms warm (median)`);
  }
  if (!result.underOneSecond) process.exitCode = 1;
}
