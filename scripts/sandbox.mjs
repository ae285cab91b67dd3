#!/usr/bin/env node
// RW Migrate MariaDB sandbox: primary + 2 GTID replicas + target on 127.0.0.1 (free ports), all files in DIR.
// Node built-ins + the `mariadb` CLI only (works before `npm ci`).
//
//   node scripts/sandbox.mjs up|down|status|seed-large [--dir DIR] [--no-seed] [--json] [--purge]
//
// Default DIR is <repo>/.sandbox. Credentials (fixed, local sandbox): rwadmin/rwadmin-sandbox (ALL),
// repl/repl-sandbox (replication), rwreader/rwreader-sandbox (SELECT, REPLICATION CLIENT, PROCESS).
import { parseArgs } from 'node:util';
import { resolveDir, sandboxDown, sandboxSeedLarge, sandboxStatus, sandboxUp } from './sandbox/index.mjs';

const USAGE = `usage: node scripts/sandbox.mjs <up|down|status|seed-large> [--dir DIR] [--no-seed] [--json] [--purge]
  up          start (or repair) primary, replica1, replica2, target; seed shop; print topology JSON
  down        stop the sandbox's servers by pid (data kept; --purge deletes DIR)
  status      per-server state; exit 1 if anything is down or not replicating
  seed-large  create bench.orders_large (1M rows, ~280 MB) on the primary only (not replicated)`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const cmd = positionals[0];
  if (values.help || !cmd) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const dir = resolveDir(values.dir);
  const json = values.json;
  /** @param {string} m */
  const log = (m) => { if (!json) console.error(m); };

  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const topo = await sandboxUp({ dir, seed: !values['no-seed'], log });
      const { timings, ...topology } = topo;
      if (!json) {
        console.log(`Sandbox up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir}):`);
        for (const s of Object.values(topology.servers)) {
          console.log(`  ${s.name.padEnd(9)} ${s.role.padEnd(8)} 127.0.0.1:${s.port}  server-id ${s.serverId}  pid ${s.pid}`);
        }
        console.log(`  users: ${Object.values(topology.users).map((u) => `${u.user}/${u.password}`).join(', ')}`);
        console.log(`  timings: ${JSON.stringify(timings)}`);
      }
      console.log(JSON.stringify(topology, null, json ? undefined : 2));
      return 0;
    }
    case 'down': {
      const res = await sandboxDown({ dir, purge: values.purge });
      if (json) console.log(JSON.stringify(res));
      else {
        for (const s of res.stopped) console.log(`  ${s.name.padEnd(9)} ${s.stopped ? `stopped (pid ${s.pid}${s.forced ? ', SIGKILL' : ''})` : 'not running'}`);
        if (res.purged) console.log(`  purged ${dir}`);
      }
      return 0;
    }
    case 'status': {
      const st = await sandboxStatus({ dir });
      if (json) console.log(JSON.stringify(st));
      else {
        console.log(`Sandbox ${dir}: ${st.ok ? 'OK' : 'NOT OK'}`);
        for (const s of Object.values(st.servers)) {
          let line = `  ${String(s.name).padEnd(9)} ${s.running ? 'running' : 'DOWN   '} port ${s.port} pid ${s.pid ?? '-'}`;
          if (s.role === 'replica' && s.running) {
            line += `  IO=${s.ioRunning} SQL=${s.sqlRunning} Seconds_Behind_Master=${s.secondsBehindMaster}`;
            if (s.lastIoError) line += `  IO error: ${s.lastIoError}`;
            if (s.lastSqlError) line += `  SQL error: ${s.lastSqlError}`;
          }
          if (s.role === 'primary' && s.running) line += `  slave hosts: ${/** @type {string[]} */ (s.slaveHosts).join(', ') || '-'}`;
          console.log(line);
        }
      }
      return st.ok ? 0 : 1;
    }
    case 'seed-large': {
      const res = await sandboxSeedLarge({ dir, seed: !values['no-seed'], log });
      if (json) console.log(JSON.stringify(res));
      else if (res.skipped) console.log(`bench.orders_large already has ${res.rows} rows (${res.dataMB} MB); checked in ${res.seconds.toFixed(1)} s`);
      else console.log(`bench.orders_large: ${res.rows} rows, ${res.dataMB} MB data, seeded in ${res.seconds.toFixed(1)} s (primary only, not replicated)`);
      return 0;
    }
    default:
      console.error(`unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`sandbox: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
