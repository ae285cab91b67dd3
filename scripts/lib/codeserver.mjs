// code-server (real VS Code workbench + real Node extension host), installed offline from the npm registry.
// Recipe: /work/shared/notes/vscode-offline.md. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, symlinkSync, lstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { get } from 'node:http';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];
const MARKER = '.rw-migrate-installed';

export function cacheRoot() {
  return process.env.RW_MIGRATE_CACHE ?? join(homedir(), '.cache', 'rw-migrate');
}

export function codeServerDir() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBin(dir = codeServerDir()) {
  return join(dir, 'node_modules', '.bin', 'code-server');
}

const log = (msg) => process.stderr.write(`[code-server] ${msg}\n`);

function run(cmd, args, { cwd, env, what } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what ?? `${cmd} ${args.join(' ')}`} failed (${r.error ? r.error.message : `exit ${r.status}`}) in ${cwd ?? process.cwd()}:\n${out}`);
  }
  return r.stdout;
}

function debianInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Installs the Debian packages code-server and the browser tests need, when missing (as root, apt-get). */
export function ensureDebianPackages(packages = DEBIAN_PACKAGES) {
  const missing = packages.filter((p) => !debianInstalled(p));
  if (missing.length === 0) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them as root: apt-get update && apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=900'];
  run('apt-get', [...lock, 'update'], { env, what: 'apt-get update' });
  run('apt-get', [...lock, 'install', '-y', '--no-install-recommends', ...missing], { env, what: `apt-get install ${missing.join(' ')}` });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function link(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { force: true, recursive: true });
  } catch {
    // absent
  }
  symlinkSync(target, path);
}

function installInto(work) {
  const npmEnv = { npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'rw-migrate-code-server', private: true }, null, 2));
  log(`npm install code-server@${CODE_SERVER_VERSION} (scripts off)`);
  run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: work, env: npmEnv });
  run('npm', ['rebuild', 'argon2'], { cwd: work, env: npmEnv });
  const cs = join(work, 'node_modules', 'code-server');
  const vs = join(cs, 'lib', 'vscode');
  log('installing VS Code server dependencies');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: vs, env: npmEnv });
  const rgBin = join(vs, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgBin, 'rg'));
  log('building native modules (node-pty, kerberos, ...)');
  run('npm', ['rebuild'], { cwd: vs, env: npmEnv });
  link('node_modules', join(vs, 'node_modules.asar'));
  link('code-linux.sh', join(vs, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vs, 'bin', 'helpers', 'browser.sh'));
  log('installing built-in extensions dependencies');
  run('npm', ['install', '--omit=dev'], { cwd: join(vs, 'extensions'), env: npmEnv });
  const bin = codeServerBin(work);
  run(bin, ['--version'], { what: 'code-server --version' });
}

/**
 * Installs code-server into the cache (once; a marker file records success) and returns its binary's path.
 * Safe to call from parallel processes: one installs, the others wait.
 */
export async function ensureCodeServer() {
  const dir = codeServerDir();
  const bin = codeServerBin(dir);
  if (existsSync(join(dir, MARKER)) && existsSync(bin)) return bin;
  ensureDebianPackages();
  mkdirSync(dirname(dir), { recursive: true });
  const lockDir = `${dir}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (existsSync(join(dir, MARKER)) && existsSync(bin)) return bin;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // being written
      }
      if (owner && !pidAlive(owner)) {
        log(`removing stale install lock of pid ${owner}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > 20 * 60_000) throw new Error(`Timed out waiting for another process (pid ${owner}) installing code-server (lock ${lockDir})`);
      await sleep(2000);
    }
  }
  try {
    if (existsSync(join(dir, MARKER)) && existsSync(bin)) return bin;
    const t0 = Date.now();
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (takes a few minutes, once)`);
    const work = `${dir}.partial`;
    rmSync(work, { recursive: true, force: true });
    try {
      installInto(work);
    } catch (e) {
      throw new Error(`Could not install code-server ${CODE_SERVER_VERSION} (partial install left in ${work} for inspection): ${e.message}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    writeFileSync(join(dir, MARKER), JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString(), seconds: Number(seconds) }) + '\n');
    log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds}s`);
    return bin;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Whether 127.0.0.1:port can be bound right now. */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port the OS says is free. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpAnswers(url) {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * Launches code-server and waits until it answers HTTP.
 * @param {{port?: number, userDataDir: string, extensionsDir: string, folder?: string, env?: Record<string,string>,
 *   logFile?: string, background?: boolean, timeoutMs?: number}} opts
 *   background: detach fully (survives this process; output goes to logFile).
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, stop(): Promise<void>}>}
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env = {}, logFile, background = false, timeoutMs = 60_000 }) {
  const bin = await ensureCodeServer();
  if (!userDataDir || !extensionsDir) throw new Error('startCodeServer needs userDataDir and extensionsDir');
  port ??= await freePort();
  if (!(await isPortFree(port))) throw new Error(`Port ${port} on 127.0.0.1 is already in use`);
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  logFile ??= join(userDataDir, 'code-server.log');
  mkdirSync(dirname(logFile), { recursive: true });
  // Our own config file: otherwise code-server writes ~/.config/code-server/config.yaml (with a password) on first run.
  const configFile = join(userDataDir, 'code-server-config.yaml');
  if (!existsSync(configFile)) writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
  if (folder) args.push(folder);
  const childEnv = { ...process.env, ...env };
  // code-server treats these as its own settings; never let the caller's environment change auth or port.
  delete childEnv.PASSWORD;
  delete childEnv.HASHED_PASSWORD;
  delete childEnv.PORT;
  let child;
  let tail = '';
  if (background) {
    const { openSync } = await import('node:fs');
    const fd = openSync(logFile, 'a');
    child = spawn(bin, args, { env: childEnv, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
  } else {
    const out = createWriteStream(logFile, { flags: 'a' });
    child = spawn(bin, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d) => {
      out.write(d);
      tail = (tail + d.toString()).slice(-4000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => out.end());
  }
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (exited) return;
    const pid = child.pid;
    // The child leads its own process group (detached): signal the group, which holds only what we started.
    const signalAll = (sig) => {
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    };
    signalAll('SIGTERM');
    const deadline = Date.now() + 5000;
    while (!exited && pidAlive(pid) && Date.now() < deadline) await sleep(100);
    if (!exited && pidAlive(pid)) signalAll('SIGKILL');
    // Extension hosts and other helpers are in the same group; make sure none outlive the server.
    await sleep(200);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // group empty
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const logText = background ? safeRead(logFile) : tail;
      throw new Error(`code-server exited early (${exited.code ?? exited.signal}). Log ${logFile}:\n${logText.slice(-3000)}`);
    }
    if (await httpAnswers(`${url}/healthz`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000}s. Log ${logFile}:\n${(background ? safeRead(logFile) : tail).slice(-3000)}`);
    }
    await sleep(250);
  }
  return { url, port, pid: child.pid, logFile, stop };
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Installs a packaged extension into an extensions folder (offline). */
export async function installVsix(vsixPath, extensionsDir, { userDataDir } = {}) {
  const bin = await ensureCodeServer();
  if (!existsSync(vsixPath)) throw new Error(`No such .vsix: ${vsixPath}`);
  mkdirSync(extensionsDir, { recursive: true });
  const args = ['--extensions-dir', extensionsDir];
  if (userDataDir) args.push('--user-data-dir', userDataDir);
  args.push('--install-extension', vsixPath, '--force');
  return run(bin, args, { what: `code-server --install-extension ${vsixPath}` });
}

// `node scripts/lib/codeserver.mjs` installs (or checks) code-server and prints its binary's path.
if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  ensureCodeServer().then(
    (bin) => console.log(`${bin} (ready in ${((Date.now() - t0) / 1000).toFixed(1)}s)`),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
