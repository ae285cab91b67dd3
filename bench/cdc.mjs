#!/usr/bin/env node
// Change-stream apply rate: a backlog of row events (inserts, updates, deletes in 1,000-row
// transactions) is written on the sandbox primary after a full copy; then `rw-migrate sync` applies
// it to the target, and, as the peer in the same run, replica1's SQL thread applies the same backlog
// (stopped while the backlog was written, its IO thread fetching it; then started and timed with
// MASTER_GTID_WAIT). Both results are checked: the target equals the primary by CHECKSUM TABLE.
//   node scripts/build.mjs && node bench/cdc.mjs [--dir .sandbox-test] [--events 200000] [--json]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'bench_cdc';

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function cli(args, topo) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.RW_BENCH_PROF_DIR && args[0] === 'sync' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RW_BENCH_PROF_DIR}`] : []), path.join(root, 'dist', 'cli.js'), ...args], {
      env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: topo.users.admin.password, RW_MIGRATE_TO_PASSWORD: topo.users.admin.password, RW_MIGRATE_HOME: fs.mkdtempSync('/tmp/rwm-bench-') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) }));
  });
}

async function checksum(conn, db) {
  const [[c]] = await conn.query(`CHECKSUM TABLE \`${db}\`.t`);
  const [[n]] = await conn.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`);
  return `${n.n} rows, checksum ${c.Checksum}`;
}

export async function run({ dir = process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-bench'), events = 200_000 } = {}) {
  const topo = JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'topology.json'), 'utf8'));
  const { primary: p, replica1: r1, target: t } = topo.servers;
  const admin = topo.users.admin;
  const opts = (s) => ({ host: s.host, port: s.port, user: admin.user, password: admin.password });
  const primary = await mysql.createConnection(opts(p));
  const replica = await mysql.createConnection(opts(r1));
  const target = await mysql.createConnection(opts(t));
  const dstDb = `${DB}_dst`;
  try {
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDb}\``);
    await primary.query(`CREATE DATABASE \`${DB}\``);
    await primary.query(`CREATE TABLE \`${DB}\`.t (id BIGINT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, d DECIMAL(12,2) NOT NULL, ts DATETIME(6) NOT NULL, KEY (k)) ENGINE=InnoDB`);
    await primary.query(`INSERT INTO \`${DB}\`.t SELECT seq, seq % 1000, CONCAT('seed-', seq), seq / 100, '2026-01-01 00:00:00' FROM \`${DB}\`.seq_1_to_20000`);
    const copy = await cli(['copy', '--from', `mysql://${admin.user}@${p.host}:${p.port}/${DB}`, '--to', `mysql://${admin.user}@${t.host}:${t.port}/${dstDb}`, '--all', '--json'], topo);
    const jobId = copy.lines.find((l) => l.jobId)?.jobId;
    if (copy.code !== 0 || !jobId) throw new Error(`copy failed (exit ${copy.code})`);

    await replica.query('STOP SLAVE SQL_THREAD');
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
    const [[{ g }]] = await primary.query('SELECT @@gtid_binlog_pos AS g');

    const sync = await cli(['sync', jobId, '--to', `mysql://${admin.user}@${t.host}:${t.port}`, '--json'], topo);
    const result = sync.lines.find((l) => l.type === 'result');
    if (sync.code !== 0 || !result) throw new Error(`sync failed (exit ${sync.code}): ${result?.message}`);

    const r0 = performance.now();
    await replica.query('START SLAVE SQL_THREAD');
    const [[{ w }]] = await replica.query('SELECT MASTER_GTID_WAIT(?, 900) AS w', [g]);
    const replicaSeconds = (performance.now() - r0) / 1000;
    if (Number(w) !== 0) throw new Error('replica1 did not catch up within 900 s');

    const src = await checksum(primary, DB);
    const dst = await checksum(target, dstDb);
    const rep = await checksum(replica, DB);
    const rowEvents = nIns * per + nUpd * per + nDel * per;
    return {
      rowEvents,
      generateSeconds: +generateSeconds.toFixed(2),
      sync: { events: result.events, seconds: +result.seconds.toFixed(2), eventsPerSecond: Math.round(result.events / result.seconds) },
      replica: { seconds: +replicaSeconds.toFixed(2), eventsPerSecond: Math.round(rowEvents / replicaSeconds) },
      ratio: +(result.events / result.seconds / (rowEvents / replicaSeconds)).toFixed(2),
      equal: src === dst && src === rep,
      checksums: { primary: src, target: dst, replica1: rep },
    };
  } finally {
    await replica.query('START SLAVE SQL_THREAD').catch(() => undefined);
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``).catch(() => undefined);
    await target.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
    await primary.end();
    await replica.end();
    await target.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ dir: arg('--dir'), events: Number(arg('--events', '200000')) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    console.log(`cdc apply: ${r.rowEvents} row events (backlog written in ${r.generateSeconds} s)`);
    console.log(`  rw-migrate sync : ${r.sync.seconds} s, ${r.sync.eventsPerSecond} row events/s`);
    console.log(`  replica1 SQL    : ${r.replica.seconds} s, ${r.replica.eventsPerSecond} row events/s`);
    console.log(`  ratio sync/replica: ${r.ratio}x; target = primary = replica1: ${r.equal}`);
  }
  if (!r.equal) process.exitCode = 1;
}
