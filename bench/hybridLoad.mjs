// Shared by bench/steady.mjs and bench/cutover.mjs: a source database of N tables plus a heartbeat
// table, an application account (one read_only applies to), a write load paced by a schedule, a
// heartbeat writer, and a `rw-migrate copy --mode hybrid --json` job run from dist/cli.js whose JSON
// lines are timestamped as they arrive.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APP = { user: 'rwm_bench_app', password: 'bench-app-pw' };
export const HEARTBEAT = 'heartbeat';
export { load1 } from '../scripts/lib/proc.mjs';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock microseconds with sub-millisecond resolution (one clock for writer and reader: same process). */
export const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

export function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

export function topology(dir) {
  const d = path.resolve(dir ?? process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-test'));
  return { dir: d, ...JSON.parse(fs.readFileSync(path.join(d, 'topology.json'), 'utf8')) };
}

export const connect = (topo, s) => mysql.createConnection({ host: s.host, port: s.port, user: topo.users.admin.user, password: topo.users.admin.password });

/** `db` on the source, fresh: tables t0..t(n-1) of `rows` rows and the heartbeat row; the app account. */
export async function createSource(primary, db, nTables, rows) {
  await primary.query('SET GLOBAL read_only = OFF');
  await primary.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await primary.query(`CREATE DATABASE \`${db}\``);
  const tables = Array.from({ length: nTables }, (_, i) => `t${i}`);
  for (const tb of tables) {
    await primary.query(`CREATE TABLE \`${db}\`.\`${tb}\` (id BIGINT NOT NULL PRIMARY KEY, v INT NOT NULL, note VARCHAR(64) NOT NULL) ENGINE=InnoDB`);
    await primary.query(`INSERT INTO \`${db}\`.\`${tb}\` SELECT seq, 0, CONCAT('seed-', seq) FROM \`${db}\`.seq_1_to_${rows}`);
  }
  await primary.query(`CREATE TABLE \`${db}\`.\`${HEARTBEAT}\` (id INT NOT NULL PRIMARY KEY, t_us BIGINT NOT NULL) ENGINE=InnoDB`);
  await primary.query(`INSERT INTO \`${db}\`.\`${HEARTBEAT}\` VALUES (1, ?)`, [nowUs()]);
  await primary.query('DROP USER IF EXISTS ?@?', [APP.user, '%']);
  await primary.query('CREATE USER ?@? IDENTIFIED BY ?', [APP.user, '%', APP.password]);
  await primary.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db}\`.* TO ?@?`, [APP.user, '%']);
  return tables;
}

export async function dropSource(primary, db) {
  await primary.query('SET GLOBAL read_only = OFF').catch(() => undefined);
  await primary.query('DROP USER IF EXISTS ?@?', [APP.user, '%']).catch(() => undefined);
  await primary.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
}

/** Refused by the cut-over's block: a blocker trigger (SIGNAL, 1644) or read_only (1290). */
const refusedByBlock = (err) => err.errno === 1644 || err.errno === 1290;

/**
 * `rate` autocommit row writes per second over the tables (40% inserts, 40% updates of seed rows,
 * 20% deletes of rows this load inserted), on `connections` connections as the app account. Paced
 * by a schedule: write k is due at start + k / rate; a connection that is free takes the next due
 * write, or sleeps until it is due, so a slow write does not lower the rate while the pool keeps up.
 * Each write's start and end time is kept for refused writes (the cut-over's block) and the last
 * acknowledged ones.
 */
export function startLoad(server, db, tables, rate, rows, connections = 16) {
  const stats = { ok: 0, refused: 0, otherErrors: 0, lastError: null, firstRefused: null, lastRefused: null, lastOkStartedAt: null, maxScheduleLagMs: 0 };
  const refusedStarts = [];
  const okStarts = [];
  let stopped = false;
  let issued = 0;
  let nextId = rows + 1;
  const inserted = tables.map(() => []);
  const started = performance.now();
  let endedAt = null;
  const writer = async () => {
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: APP.user, password: APP.password, database: db });
    try {
      while (!stopped) {
        const due = started + (issued / rate) * 1000;
        const now = performance.now();
        if (due > now) {
          await sleep(Math.max(1, due - now));
          continue;
        }
        stats.maxScheduleLagMs = Math.max(stats.maxScheduleLagMs, now - due);
        issued++;
        const ti = Math.floor(Math.random() * tables.length);
        const t = tables[ti];
        const r = Math.random();
        const at = performance.now();
        try {
          if (r < 0.4) {
            const id = nextId++;
            await c.query(`INSERT INTO \`${t}\` (id, v, note) VALUES (?, 0, 'ins')`, [id]);
            inserted[ti].push(id);
          } else if (r < 0.8 || inserted[ti].length === 0) {
            await c.query(`UPDATE \`${t}\` SET v = v + 1, note = 'upd' WHERE id = ?`, [1 + Math.floor(Math.random() * rows)]);
          } else {
            const k = Math.floor(Math.random() * inserted[ti].length);
            const [id] = inserted[ti].splice(k, 1);
            await c.query(`DELETE FROM \`${t}\` WHERE id = ?`, [id]);
          }
          stats.ok++;
          okStarts.push(at);
        } catch (err) {
          if (refusedByBlock(err)) {
            stats.refused++;
            refusedStarts.push(at);
            stats.firstRefused ??= { startedAt: at, endedAt: performance.now() };
            stats.lastRefused = { startedAt: at, endedAt: performance.now() };
          } else {
            stats.otherErrors++;
            stats.lastError = err.message;
          }
        }
      }
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const all = Promise.all(Array.from({ length: connections }, writer));
  const done = () => stats.ok + stats.refused + stats.otherErrors;
  return {
    stats,
    started,
    refusedStarts,
    okStarts,
    /** Writes completed per second over the load's life (or since `from`). */
    achievedRate: () => Math.round(done() / (((endedAt ?? performance.now()) - started) / 1000)),
    stop: async () => {
      stopped = true;
      await all;
      endedAt = performance.now();
    },
  };
}

/** The heartbeat row written every `periodMs` (on a schedule) with the writer's clock in microseconds. */
export function startHeartbeat(server, db, periodMs = 100) {
  const stats = { written: 0, refused: 0, errors: 0 };
  let stopped = false;
  const run = (async () => {
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: APP.user, password: APP.password, database: db });
    const t0 = performance.now();
    try {
      for (let k = 1; !stopped; k++) {
        try {
          await c.query(`UPDATE \`${HEARTBEAT}\` SET t_us = ? WHERE id = 1`, [nowUs()]);
          stats.written++;
        } catch (err) {
          if (refusedByBlock(err)) stats.refused++;
          else stats.errors++;
        }
        const wait = t0 + k * periodMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return { stats, stop: async () => ((stopped = true), await run) };
}

/**
 * `rw-migrate copy --mode hybrid --json` from dist/cli.js. Every JSON line is kept with `at`
 * (performance.now() when it arrived); `waitLine(pred)` resolves with the first line that matches.
 */
export function startHybrid(topo, db, dstDb, tables) {
  const { primary: p, target: t } = topo.servers;
  const admin = topo.users.admin;
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist', 'cli.js'), 'copy', '--mode', 'hybrid', '--from', `mysql://${admin.user}@${p.host}:${p.port}/${db}`, '--to', `mysql://${admin.user}@${t.host}:${t.port}/${dstDb}`, '--tables', tables.join(','), '--json'],
    {
      env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: admin.password, RW_MIGRATE_TO_PASSWORD: admin.password, RW_MIGRATE_HOME: fs.mkdtempSync('/tmp/rwm-bench-') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines = [];
  const waiters = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    const at = performance.now();
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!l.startsWith('{')) continue;
      const line = { ...JSON.parse(l), at };
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.pred(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then((code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`hybrid job exited (${code}) before the awaited line: ${stderr.slice(-500)}`));
  });
  return {
    lines,
    exited,
    stderr: () => stderr,
    jobId: () => lines.find((l) => l.jobId)?.jobId,
    waitLine: (pred, timeoutMs = 300_000) =>
      new Promise((resolve, reject) => {
        const hit = lines.find(pred);
        if (hit) return resolve(hit);
        const w = { pred, resolve, reject };
        waiters.push(w);
        setTimeout(() => {
          if (!waiters.includes(w)) return;
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('timed out waiting for a line of the hybrid job'));
        }, timeoutMs).unref();
      }),
    kill: () => child.exitCode === null && child.kill('SIGTERM'),
  };
}

/** `rw-migrate cutover JOB --to TARGET --yes --block B --json`; resolves with its exit code and JSON lines. */
export function cutover(topo, jobId, block) {
  const { target: t } = topo.servers;
  const admin = topo.users.admin;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'cutover', jobId, '--to', `mysql://${admin.user}@${t.host}:${t.port}`, '--yes', '--block', block, '--json'], {
      env: { ...process.env, RW_MIGRATE_TO_PASSWORD: admin.password, RW_MIGRATE_HOME: fs.mkdtempSync('/tmp/rwm-bench-') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr: err, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) }));
  });
}

export async function checksums(conn, db, tables) {
  const out = [];
  for (const t of tables) {
    const [[c]] = await conn.query(`CHECKSUM TABLE \`${db}\`.\`${t}\``);
    out.push(`${t}:${c.Checksum}`);
  }
  return out.join(' ');
}

export function percentile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
