#!/usr/bin/env node
// Cut-over write outage: 10 tables copied to the target, a fixed write load (default 1,000
// autocommit writes/s over all tables, as an application account read_only applies to) on the
// source, the target kept close behind by sync runs, then performCutover for each block mode. What
// it measures is how long the moved tables refuse writes before the target holds everything
// (blockedToCaughtUpMs), with `rw-migrate sync` (one run after the block) as waitApplied; a run of
// the same sync with nothing to apply is timed too, as the fixed part of that number (connect,
// pre-flight, binlog dump start) that a follower already streaming would not pay. The target is
// checked equal to the source by CHECKSUM TABLE after each cut-over, and each block is lifted.
//   node --import tsx bench/cutover.mjs [--dir .sandbox-test] [--tables 10] [--rate 1000] [--rows 10000] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startJob } from '../src/engine/index.ts';
import { syncJob, comparePositions } from '../src/engine/cdc/index.ts';
import { performCutover } from '../src/engine/cutover/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'bench_cutover';
const DST = `${DB}_dst`;
const APP = { user: 'rwm_bench_app', password: 'bench-app-pw' };

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/**
 * `rate` autocommit writes per second spread over the tables (updates of random rows, one insert in
 * ten), issued on `writers` connections by a 10 ms tick. Refused writes (the block) are counted
 * with the time of the first and the last.
 */
function startLoad(server, db, tables, rate, rows) {
  const writers = 24;
  const stats = { ok: 0, refused: 0, otherErrors: 0, firstRefusedAt: null, lastRefusedAt: null, lastError: null };
  let stopped = false;
  let issued = 0;
  let next = rows + 1;
  const started = performance.now();
  // Each writer takes the next write when the schedule (rate per second since the start) says one is due.
  const writer = async () => {
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: APP.user, password: APP.password, database: db });
    try {
      while (!stopped) {
        if (issued >= ((performance.now() - started) / 1000) * rate) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        issued++;
        const t = tables[Math.floor(Math.random() * tables.length)];
        try {
          if (Math.random() < 0.1) await c.query(`INSERT INTO \`${t}\` (id, v, note) VALUES (?, 0, 'ins')`, [(next++) * 16 + Math.floor(Math.random() * 16)]);
          else await c.query(`UPDATE \`${t}\` SET v = v + 1 WHERE id = ?`, [1 + Math.floor(Math.random() * rows)]);
          stats.ok++;
        } catch (err) {
          if (err.errno === 1644 || err.errno === 1290) {
            stats.refused++;
            stats.firstRefusedAt ??= performance.now();
            stats.lastRefusedAt = performance.now();
          } else {
            stats.otherErrors++;
            stats.lastError = err.message;
          }
        }
      }
    } finally {
      await c.end();
    }
  };
  const all = Promise.all(Array.from({ length: writers }, writer));
  return {
    stats,
    achievedRate: () => Math.round((stats.ok + stats.refused + stats.otherErrors) / ((performance.now() - started) / 1000)),
    stop: async () => {
      stopped = true;
      await all;
    },
  };
}

async function checksums(conn, db, tables) {
  const out = [];
  for (const t of tables) {
    const [[c]] = await conn.query(`CHECKSUM TABLE \`${db}\`.\`${t}\``);
    out.push(`${t}:${c.Checksum}`);
  }
  return out.join(' ');
}

export async function run({ dir = process.env.RW_SANDBOX_DIR ?? path.join(root, '.sandbox-test'), tables: nTables = 10, rate = 1000, rows = 10_000 } = {}) {
  const topo = JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'topology.json'), 'utf8'));
  const { primary: p, target: t } = topo.servers;
  const admin = topo.users.admin;
  const spec = (s) => ({ host: s.host, port: s.port, user: admin.user, password: admin.password, name: s.name });
  const conn = (s) => mysql.createConnection({ host: s.host, port: s.port, user: admin.user, password: admin.password });
  const primary = await conn(p);
  const target = await conn(t);
  const tables = Array.from({ length: nTables }, (_, i) => `t${i}`);
  const pw = { source: admin.password, target: admin.password };
  const results = [];
  try {
    await primary.query('SET GLOBAL read_only = OFF');
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``);
    await primary.query(`CREATE DATABASE \`${DB}\``);
    for (const tb of tables) {
      await primary.query(`CREATE TABLE \`${DB}\`.\`${tb}\` (id BIGINT NOT NULL PRIMARY KEY, v INT NOT NULL, note VARCHAR(64) NOT NULL) ENGINE=InnoDB`);
      await primary.query(`INSERT INTO \`${DB}\`.\`${tb}\` SELECT seq, 0, CONCAT('seed-', seq) FROM \`${DB}\`.seq_1_to_${rows}`);
    }
    await primary.query('DROP USER IF EXISTS ?@?', [APP.user, '%']);
    await primary.query('CREATE USER ?@? IDENTIFIED BY ?', [APP.user, '%', APP.password]);
    await primary.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${DB}\`.* TO ?@?`, [APP.user, '%']);
    const copy = await startJob({ source: spec(p), target: spec(t), sourceDatabase: DB, targetDatabase: DST, tables, mode: 'full' }).done;
    if (copy.state !== 'done') throw new Error(`copy ${copy.state}: ${copy.message}`);
    const sync = async () => {
      const r = await syncJob(spec(t), copy.jobId, pw).done;
      if (r.state !== 'done') throw new Error(`sync ${r.state}: ${r.message}`);
      return r;
    };
    // The fixed cost of one sync run: nothing to apply.
    const idle = [];
    for (let i = 0; i < 3; i++) idle.push((await sync()).seconds * 1000);

    for (const block of ['lock', 'read-only']) {
      const load = startLoad(p, DB, tables, rate, rows);
      // Warm up 3 s, then keep the target close behind: two sync runs, the second applies only what
      // arrived during the first.
      await new Promise((r) => setTimeout(r, 3000));
      await sync();
      const lastLag = await sync();
      let applied = null;
      let blockedMessage = '';
      const report = await performCutover({
        source: spec(p),
        target: spec(t),
        sourceDatabase: DB,
        targetDatabase: DST,
        tables,
        jobId: `bench-${block}`,
        block,
        onStep: (step, message) => {
          if (step === 'blocked') blockedMessage = message;
        },
        waitApplied: async (position) => {
          applied = await sync();
          if (comparePositions(applied.stopAt, position) < 0) throw new Error('sync stopped before the cut-over position');
        },
      });
      // Let the load hit the block for a moment, then stop it and lift.
      await new Promise((r) => setTimeout(r, 500));
      await load.stop();
      for (const s of report.lift) await primary.query(s);
      const equal = (await checksums(primary, DB, tables)) === (await checksums(target, DST, tables));
      results.push({
        block,
        achievedWritesPerSecond: load.achievedRate(),
        blockedToCaughtUpMs: report.blockedToCaughtUpMs,
        verifyMs: report.verifyMs,
        eventsAppliedAfterBlock: applied?.events ?? null,
        eventsInLastSyncBeforeBlock: lastLag.events,
        blockTiming: /\(([^)]*ms)\)/.exec(blockedMessage)?.[1] ?? null,
        writes: { ok: load.stats.ok, refused: load.stats.refused, otherErrors: load.stats.otherErrors, lastError: load.stats.lastError },
        equal,
      });
      // Catch up what the load wrote between lift and stop (nothing: it stopped first), keep the job current.
      await sync();
    }
    return { tables: nTables, rowsPerTable: rows, rate, idleSyncMs: idle.map((x) => Math.round(x)), results };
  } finally {
    await primary.query('SET GLOBAL read_only = OFF').catch(() => undefined);
    await primary.query('DROP USER IF EXISTS ?@?', [APP.user, '%']).catch(() => undefined);
    await primary.query(`DROP DATABASE IF EXISTS \`${DB}\``).catch(() => undefined);
    await target.query(`DROP DATABASE IF EXISTS \`${DST}\``).catch(() => undefined);
    await primary.end();
    await target.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ dir: arg('--dir'), tables: Number(arg('--tables', '10')), rate: Number(arg('--rate', '1000')), rows: Number(arg('--rows', '10000')) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    console.log(`cut-over: ${r.tables} tables x ${r.rowsPerTable} rows, load ${r.rate} writes/s; one sync run with nothing to apply: ${r.idleSyncMs.join(', ')} ms`);
    for (const x of r.results) {
      console.log(
        `  ${x.block.padEnd(9)}: writes refused ${x.blockedToCaughtUpMs} ms before the target caught up (${x.eventsAppliedAfterBlock} row events applied after the block), ` +
          `${x.blockTiming ? `${x.blockTiming}, ` : ''}verify ${x.verifyMs} ms; load ${x.achievedWritesPerSecond}/s, ${x.writes.refused} writes refused; target = source: ${x.equal}`,
      );
    }
  }
  if (r.results.some((x) => !x.equal || x.writes.otherErrors > 0)) process.exitCode = 1;
}
