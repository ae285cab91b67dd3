// Process lifecycle of the sandbox servers: install check, free ports, datadir init, start, stop.
// Processes are only ever signalled by the pid this sandbox recorded, after checking that the pid
// really is a mariadbd started with this sandbox's my.cnf (never by process name).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { locateBinaries, run, sqlExec } from './client.mjs';
import { HOST, renderCnf, serverPaths } from './config.mjs';

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Make sure mariadbd, mariadb-install-db and mariadb exist; install Debian packages when root. */
export async function ensureInstalled(log = console.error) {
  let bins = locateBinaries();
  // openssl makes the sandbox's TLS certificates (tls.mjs).
  const hasOpenssl = () => ['/usr/bin/openssl', '/usr/local/bin/openssl'].some((f) => fs.existsSync(f));
  if (bins.mariadbd && bins.installDb && bins.client && hasOpenssl()) return bins;
  const cmd = 'apt-get update && apt-get install -y mariadb-server mariadb-client openssl';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`MariaDB or openssl is not installed (mariadbd, mariadb-install-db, mariadb or openssl missing). Run as root: ${cmd}`);
  }
  if (!fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`MariaDB is not installed and apt-get is missing: install MariaDB 10.11 (mariadbd, mariadb-install-db, mariadb) by hand.`);
  }
  log(`[sandbox] MariaDB or openssl missing: running \`${cmd}\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'mariadb-server', 'mariadb-client', 'openssl']]) {
    const res = await run('apt-get', args, { env, timeoutMs: 900_000 });
    if (res.code !== 0) throw new Error(`\`apt-get ${args.join(' ')}\` failed (exit ${res.code}):\n${tail(res.stderr || res.stdout, 20)}\nRun it by hand: ${cmd}`);
  }
  bins = locateBinaries();
  if (!bins.mariadbd || !bins.installDb || !bins.client) throw new Error(`Installed mariadb-server but binaries are still missing; check \`${cmd}\`.`);
  return bins;
}

/** @param {string} text @param {number} n */
export function tail(text, n) {
  return text.split('\n').filter(Boolean).slice(-n).join('\n');
}

/** @param {string} file @param {number} n */
export function fileTail(file, n = 25) {
  try {
    return tail(fs.readFileSync(file, 'utf8'), n);
  } catch {
    return '(no log)';
  }
}

/** Ask the OS for a free TCP port on 127.0.0.1. @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:port. @param {number} port @returns {Promise<boolean>} */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** @param {string} file @returns {number | null} */
function readPidFile(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Pid of this sandbox's server `name`, if that process is alive and really ours.
 * @param {string} dir @param {string} name @returns {number | null}
 */
export function livePid(dir, name) {
  const p = serverPaths(dir, name);
  for (const file of [p.pidFile, p.spawnPidFile]) {
    const pid = readPidFile(file);
    if (pid && isOurProcess(pid, p.cnf)) return pid;
  }
  return null;
}

/** @param {number} pid @param {string} cnf */
function isOurProcess(pid, cnf) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a === `--defaults-file=${cnf}`);
  } catch {
    return false;
  }
}

/** Whether the server answers SQL over its socket. @param {string} socket */
export async function ping(socket) {
  try {
    await sqlExec(socket, 'SELECT 1', { timeoutMs: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** @param {string} dir @param {string} name */
export function isInitialized(dir, name) {
  return fs.existsSync(serverPaths(dir, name).datadir + '/mysql/user.frm') ||
    fs.existsSync(serverPaths(dir, name).datadir + '/mysql/global_priv.frm');
}

/** Write my.cnf and create the folders. @param {string} dir @param {string} name @param {number} port */
export function writeConfig(dir, name, port) {
  const p = serverPaths(dir, name);
  for (const d of [p.base, p.tmpdir, p.binlogDir, p.relayDir]) fs.mkdirSync(d, { recursive: true });
  if (p.socket.length > 100) {
    throw new Error(`Socket path too long (${p.socket.length} chars, unix limit 107): ${p.socket}. Use a shorter --dir.`);
  }
  fs.writeFileSync(p.cnf, renderCnf(dir, name, port));
}

/** Create a fresh datadir with mariadb-install-db. @param {string} dir @param {string} name */
export async function initDatadir(dir, name) {
  const p = serverPaths(dir, name);
  const { installDb } = locateBinaries();
  if (!installDb) throw new Error('mariadb-install-db is missing: apt-get install -y mariadb-server');
  fs.rmSync(p.datadir, { recursive: true, force: true });
  fs.mkdirSync(p.datadir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = [
    `--defaults-file=${p.cnf}`,
    `--datadir=${p.datadir}`,
    ...(isRoot ? ['--user=root'] : []),
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ];
  const res = await run(installDb, args, { timeoutMs: 120_000 });
  if (res.code !== 0) {
    throw new Error(`mariadb-install-db failed for ${name} (exit ${res.code}):\n${tail(res.stderr + '\n' + res.stdout, 20)}\n` +
      `error log ${p.errorLog}:\n${fileTail(p.errorLog)}`);
  }
}

/**
 * Start mariadbd for `name` (detached) and wait until it answers over its socket.
 * @param {string} dir @param {string} name @param {number} port
 * @returns {Promise<number>} pid
 */
export async function startProcess(dir, name, port, timeoutMs = 60_000) {
  const p = serverPaths(dir, name);
  const { mariadbd } = locateBinaries();
  if (!mariadbd) throw new Error('mariadbd is missing: apt-get install -y mariadb-server');
  if (!(await portIsFree(port))) {
    throw new Error(`Port ${port} (remembered for ${name} in ${dir}/state.json) is in use by another process. ` +
      `Free it, or recreate the sandbox: node scripts/sandbox.mjs down --purge --dir ${dir} && node scripts/sandbox.mjs up --dir ${dir}`);
  }
  fs.rmSync(p.socket, { force: true });
  fs.rmSync(p.pidFile, { force: true });
  const logFd = fs.openSync(p.stdoutLog, 'a');
  const errLogSize = fs.existsSync(p.errorLog) ? fs.statSync(p.errorLog).size : 0;
  const child = spawn(mariadbd, [`--defaults-file=${p.cnf}`], { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  /** @type {number | null} */ let exitCode = null;
  let exited = false;
  child.on('exit', (code, signal) => { exited = true; exitCode = code ?? (signal ? -1 : null); });
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error(`Could not spawn ${mariadbd}`);
  fs.writeFileSync(p.spawnPidFile, `${pid}\n`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      const log = readFrom(p.errorLog, errLogSize);
      const hint = /Address already in use|Can't start server: Bind/i.test(log) ? `\nPort ${port} is in use: free it or recreate the sandbox (down --purge).` : '';
      throw new Error(`mariadbd for ${name} exited during start-up (code ${exitCode}).${hint}\nTail of ${p.errorLog}:\n${tail(log, 25) || fileTail(p.stdoutLog)}`);
    }
    if (fs.existsSync(p.socket) && (await ping(p.socket))) return pid;
    await sleep(100);
  }
  throw new Error(`mariadbd for ${name} (pid ${pid}) did not answer within ${timeoutMs / 1000} s.\nTail of ${p.errorLog}:\n${fileTail(p.errorLog)}`);
}

/** @param {string} file @param {number} from */
function readFrom(file, from) {
  try {
    return fs.readFileSync(file, 'utf8').slice(from);
  } catch {
    return '';
  }
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/**
 * Stop this sandbox's server `name` by its pid: SIGTERM (wait up to graceMs) then SIGKILL;
 * or SIGKILL straight away with { kill: true }.
 * @param {string} dir @param {string} name
 * @param {{ kill?: boolean, graceMs?: number }} [opts]
 * @returns {Promise<{ name: string, pid: number | null, stopped: boolean, forced: boolean }>}
 */
export async function stopProcess(dir, name, opts = {}) {
  const pid = livePid(dir, name);
  if (!pid) return { name, pid: null, stopped: false, forced: false };
  let forced = Boolean(opts.kill);
  process.kill(pid, opts.kill ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 10_000);
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    forced = true;
    process.kill(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < killDeadline) await sleep(50);
  }
  if (alive(pid)) throw new Error(`Could not stop ${name} (pid ${pid})`);
  return { name, pid, stopped: true, forced };
}
