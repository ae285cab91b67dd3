// Locating the MariaDB binaries and running SQL through the `mariadb` command-line client
// as root over a server's unix socket.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const EXTRA_BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/mysql/bin'];

/** @param {string} name */
export function findBinary(name) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const d of dirs) {
    const candidate = path.join(d, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** @returns {{ mariadbd: string | null, installDb: string | null, client: string | null }} */
export function locateBinaries() {
  return {
    mariadbd: findBinary('mariadbd'),
    installDb: findBinary('mariadb-install-db'),
    client: findBinary('mariadb'),
  };
}

/**
 * Run a command, collecting output.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ input?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} [opts]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */ const out = [];
    /** @type {Buffer[]} */ const err = [];
    let timer;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Execute SQL as root over the unix socket. The SQL is fed on stdin (scripts of any size).
 * @param {string} socket
 * @param {string} sql
 * @param {{ database?: string, timeoutMs?: number, header?: boolean }} [opts]
 * @returns {Promise<string>} raw batch (tab-separated) output
 */
export async function sqlExec(socket, sql, opts = {}) {
  const client = findBinary('mariadb');
  if (!client) throw new Error('The `mariadb` command-line client is missing: install it with `apt-get install -y mariadb-client`.');
  const args = [
    '--no-defaults',
    `--socket=${socket}`,
    '--user=root',
    '--protocol=SOCKET',
    '--default-character-set=utf8mb4',
    '--batch',
    ...(opts.header ? [] : ['--skip-column-names']),
    ...(opts.database ? [`--database=${opts.database}`] : []),
  ];
  const res = await run(client, args, { input: sql, timeoutMs: opts.timeoutMs ?? 600_000 });
  if (res.code !== 0) {
    const firstLine = sql.trim().split('\n')[0].slice(0, 200);
    const e = new Error(`SQL failed on ${socket}: ${res.stderr.trim() || `exit ${res.code}`}\n  (script starts: ${firstLine})`);
    /** @type {Error & { stderr?: string }} */ (e).stderr = res.stderr;
    throw e;
  }
  return res.stdout;
}

/** Unescape one value of `mariadb --batch` output (NULL stays the string "NULL" -> null). @param {string} v */
function unescapeBatch(v) {
  if (v === 'NULL') return null;
  return v.replace(/\\(.)/g, (_m, c) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === '0' ? '\0' : c));
}

/**
 * Run a query and return its rows as objects (column name -> string | null).
 * @param {string} socket
 * @param {string} sql one statement
 * @param {{ database?: string, timeoutMs?: number }} [opts]
 * @returns {Promise<Array<Record<string, string | null>>>}
 */
export async function sqlRows(socket, sql, opts = {}) {
  const out = await sqlExec(socket, sql, { ...opts, header: true });
  const lines = out.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const cols = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const vals = line.split('\t');
    /** @type {Record<string, string | null>} */ const row = {};
    cols.forEach((c, i) => { row[c] = unescapeBatch(vals[i] ?? ''); });
    return row;
  });
}

/** First column of the first row, or null. @param {string} socket @param {string} sql */
export async function sqlValue(socket, sql) {
  const out = await sqlExec(socket, sql);
  const line = out.split('\n')[0];
  return line === undefined || line === '' ? null : unescapeBatch(line.split('\t')[0]);
}

/** Quote a string as an SQL literal. @param {string} s */
export function sqlString(s) {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;
}

/** Quote an identifier. @param {string} s */
export function sqlIdent(s) {
  return '`' + s.replace(/`/g, '``') + '`';
}
