// Public API of the MariaDB sandbox (imported by the CLI, the test orchestrator and the demo).
import fs from 'node:fs';
import path from 'node:path';
import { sqlRows } from './client.mjs';
import { DATABASES, DEFAULT_DIR, HOST, SERVERS, SERVER_NAMES, USERS, renderCnf, sandboxFiles, serverDef, serverPaths } from './config.mjs';
import { TLS_SERVER_NAME, ensureTls, tlsPaths } from './tls.mjs';
import {
  ensureInstalled, freePort, isInitialized, livePid, ping, startProcess, stopProcess, writeConfig, initDatadir,
} from './lifecycle.mjs';
import { ensureReplicating, setupUsers, slaveStatus, waitCaughtUp, waitReplicating } from './replication.mjs';
import { seedLarge, seedShop, shopSeeded } from './seed.mjs';

export { DEFAULT_DIR, USERS } from './config.mjs';

/**
 * @typedef {{ name: string, role: 'primary' | 'replica' | 'target', host: string, port: number, serverId: number,
 *   socket: string, pid: number | null }} SandboxServer
 * @typedef {{ dir: string, servers: Record<string, SandboxServer>, users: typeof USERS, databases: string[],
 *   seeded: boolean, timings?: Record<string, number> }} Topology
 * @typedef {{ version: number, ports: Record<string, number>, createdAt: string }} State
 */

const REPLICAS = SERVERS.filter((s) => s.role === 'replica').map((s) => s.name);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @param {string | undefined} dir */
export function resolveDir(dir) {
  return path.resolve(dir ?? DEFAULT_DIR);
}

/** @param {string} dir @returns {State | null} */
function readState(dir) {
  try {
    return JSON.parse(fs.readFileSync(sandboxFiles(dir).state, 'utf8'));
  } catch {
    return null;
  }
}

/** Ports remembered in DIR/state.json, or fresh ones from the OS. @param {string} dir @returns {Promise<State>} */
async function loadOrCreateState(dir) {
  const existing = readState(dir);
  if (existing && SERVER_NAMES.every((n) => Number.isInteger(existing.ports?.[n]))) return existing;
  /** @type {Record<string, number>} */ const ports = {};
  for (const name of SERVER_NAMES) {
    let port = await freePort();
    while (Object.values(ports).includes(port)) port = await freePort();
    ports[name] = port;
  }
  const state = { version: 1, ports, createdAt: new Date().toISOString() };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(sandboxFiles(dir).state, JSON.stringify(state, null, 2) + '\n');
  return state;
}

/** Serialise `up`/`seed-large` on one DIR across processes. @param {string} dir @param {() => Promise<T>} fn @template T */
async function withLock(dir, fn) {
  fs.mkdirSync(dir, { recursive: true });
  const file = sandboxFiles(dir).lock;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch {
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      let holderAlive = false;
      try { process.kill(holder, 0); holderAlive = holder !== process.pid; } catch { /* dead */ }
      if (!holderAlive) { fs.rmSync(file, { force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`Sandbox ${dir} is locked by pid ${holder} (remove ${file} if stale)`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** @param {string} dir @param {State} state @param {boolean} seeded @returns {Topology} */
function buildTopology(dir, state, seeded) {
  /** @type {Record<string, SandboxServer>} */ const servers = {};
  for (const def of SERVERS) {
    servers[def.name] = {
      name: def.name, role: def.role, host: HOST, port: state.ports[def.name], serverId: def.serverId,
      socket: serverPaths(dir, def.name).socket, pid: livePid(dir, def.name),
    };
  }
  return { dir, servers, users: USERS, databases: [...DATABASES], seeded, tls: { caFile: tlsPaths(dir).ca, serverName: TLS_SERVER_NAME } };
}

/**
 * Make sure server `name` runs (init its datadir on first use). Returns true when freshly initialised.
 * @param {string} dir @param {string} name @param {number} port
 */
async function ensureServer(dir, name, port) {
  const p = serverPaths(dir, name);
  const current = fs.existsSync(p.cnf) && fs.readFileSync(p.cnf, 'utf8') === renderCnf(dir, name, port);
  if (current && livePid(dir, name) && (await ping(p.socket))) return false;
  // Alive but not answering, or started with an older my.cnf: restart it.
  if (livePid(dir, name)) await stopProcess(dir, name);
  writeConfig(dir, name, port);
  const fresh = !isInitialized(dir, name);
  if (fresh) await initDatadir(dir, name);
  await startProcess(dir, name, port);
  return fresh;
}

/**
 * Bring the sandbox up (idempotent): start what is not running, configure users and replication,
 * seed `shop` unless seed is false. Writes and returns DIR/topology.json.
 * @param {{ dir?: string, seed?: boolean, log?: (msg: string) => void }} [opts]
 * @returns {Promise<Topology>}
 */
export async function sandboxUp(opts = {}) {
  const dir = resolveDir(opts.dir);
  const log = opts.log ?? ((/** @type {string} */ m) => console.error(m));
  return withLock(dir, async () => {
    /** @type {Record<string, number>} */ const timings = {};
    let t = Date.now();
    await ensureInstalled(log);
    const state = await loadOrCreateState(dir);
    ensureTls(dir);
    await Promise.all(SERVER_NAMES.map((n) => ensureServer(dir, n, state.ports[n])));
    timings.startSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    await Promise.all(SERVER_NAMES.map((n) => setupUsers(serverPaths(dir, n).socket)));
    await Promise.all(REPLICAS.map((n) => ensureReplicating(serverPaths(dir, n).socket, state.ports.primary)));
    await Promise.all(REPLICAS.map((n) => waitReplicating(n, serverPaths(dir, n).socket)));
    timings.replicationSeconds = (Date.now() - t) / 1000;
    log(`[sandbox] 4 servers up in ${timings.startSeconds.toFixed(1)} s, replication in ${timings.replicationSeconds.toFixed(1)} s`);
    const primarySock = serverPaths(dir, 'primary').socket;
    let seeded = await shopSeeded(primarySock);
    if (opts.seed !== false && !seeded) {
      t = Date.now();
      log('[sandbox] seeding shop (~100k rows) on the primary...');
      await seedShop(primarySock);
      seeded = true;
      timings.seedSeconds = (Date.now() - t) / 1000;
      log(`[sandbox] seeded shop in ${timings.seedSeconds.toFixed(1)} s`);
    }
    t = Date.now();
    await waitCaughtUp(dir, REPLICAS);
    timings.catchUpSeconds = (Date.now() - t) / 1000;
    const topology = buildTopology(dir, state, seeded);
    fs.writeFileSync(sandboxFiles(dir).topology, JSON.stringify(topology, null, 2) + '\n');
    return { ...topology, timings };
  });
}

/**
 * Stop every server of the sandbox by its recorded pid (SIGTERM, up to 10 s, then SIGKILL).
 * With purge, delete DIR afterwards (only if it looks like a sandbox folder).
 * @param {{ dir?: string, purge?: boolean }} [opts]
 */
export async function sandboxDown(opts = {}) {
  const dir = resolveDir(opts.dir);
  const results = await Promise.all(SERVER_NAMES.map((n) => stopProcess(dir, n)));
  let purged = false;
  if (opts.purge && fs.existsSync(dir)) {
    const looksLikeSandbox = fs.existsSync(sandboxFiles(dir).state) || SERVER_NAMES.some((n) => fs.existsSync(serverPaths(dir, n).cnf));
    if (!looksLikeSandbox) throw new Error(`Refusing to purge ${dir}: it has no state.json nor server folders of a sandbox`);
    fs.rmSync(dir, { recursive: true, force: true });
    purged = true;
  }
  return { dir, stopped: results, purged };
}

/**
 * Per-server state; replicas include IO/SQL thread state and Seconds_Behind_Master.
 * @param {{ dir?: string }} [opts]
 */
export async function sandboxStatus(opts = {}) {
  const dir = resolveDir(opts.dir);
  const state = readState(dir);
  /** @type {Record<string, Record<string, unknown>>} */ const servers = {};
  let ok = Boolean(state);
  await Promise.all(SERVERS.map(async (def) => {
    const p = serverPaths(dir, def.name);
    const pid = livePid(dir, def.name);
    const running = pid !== null && (await ping(p.socket));
    /** @type {Record<string, unknown>} */ const s = { name: def.name, role: def.role, port: state?.ports?.[def.name] ?? null, pid, running };
    if (!running) ok = false;
    if (running && def.role === 'replica') {
      const st = await slaveStatus(p.socket);
      s.ioRunning = st?.Slave_IO_Running ?? null;
      s.sqlRunning = st?.Slave_SQL_Running ?? null;
      s.secondsBehindMaster = st?.Seconds_Behind_Master == null ? null : Number(st.Seconds_Behind_Master);
      s.gtidIoPos = st?.Gtid_IO_Pos ?? null;
      s.lastIoError = st?.Last_IO_Error || null;
      s.lastSqlError = st?.Last_SQL_Error || null;
      if (s.ioRunning !== 'Yes' || s.sqlRunning !== 'Yes') ok = false;
    }
    if (running && def.role === 'primary') {
      const hosts = await sqlRows(p.socket, 'SHOW SLAVE HOSTS');
      s.slaveHosts = hosts.map((h) => `${h.Host}:${h.Port}`);
    }
    servers[def.name] = s;
  }));
  /** @type {Record<string, Record<string, unknown>>} */ const ordered = {};
  for (const n of SERVER_NAMES) ordered[n] = servers[n];
  return { dir, ok, servers: ordered };
}

/**
 * Read DIR/topology.json written by `up`.
 * @param {string} [dir] @returns {Topology}
 */
export function readTopology(dir) {
  const d = resolveDir(dir);
  const file = sandboxFiles(d).topology;
  if (!fs.existsSync(file)) throw new Error(`No sandbox topology at ${file}: run \`node scripts/sandbox.mjs up --dir ${d}\``);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * Stop one server by its pid: cleanly (SIGTERM) or, with { kill: true }, SIGKILL (crash).
 * @param {string} dir @param {string} name @param {{ kill?: boolean }} [opts]
 */
export async function stopServer(dir, name, opts = {}) {
  serverDef(name);
  return stopProcess(resolveDir(dir), name, opts);
}

/**
 * (Re)start one server with its existing datadir and port; a replica resumes replication.
 * @param {string} dir @param {string} name @returns {Promise<SandboxServer>}
 */
export async function startServer(dir, name) {
  const d = resolveDir(dir);
  const def = serverDef(name);
  const state = readState(d);
  if (!state || !isInitialized(d, name)) throw new Error(`Sandbox ${d} has no ${name}: run \`node scripts/sandbox.mjs up --dir ${d}\``);
  await ensureServer(d, name, state.ports[name]);
  if (def.role === 'replica') {
    await ensureReplicating(serverPaths(d, name).socket, state.ports.primary);
    await waitReplicating(name, serverPaths(d, name).socket);
  }
  return buildTopology(d, state, true).servers[name];
}

/**
 * Create bench.orders_large (1M rows) on the primary; brings the sandbox up first if needed.
 * @param {{ dir?: string, seed?: boolean, log?: (msg: string) => void }} [opts]
 */
export async function sandboxSeedLarge(opts = {}) {
  const dir = resolveDir(opts.dir);
  const status = await sandboxStatus({ dir });
  if (!status.ok) await sandboxUp(opts);
  return withLock(dir, () => seedLarge(serverPaths(dir, 'primary').socket));
}
