#!/usr/bin/env node
// Brings a fresh clone to a runnable state: system packages, npm dependencies, the build, and (when
// asked) the cached code-server. Every step checks first, so running it again costs a second.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages the tests and the demo use; mariadb-server is the sandbox's, chromium the UI tests'. */
export const SYSTEM_PACKAGES = {
  mariadb: ['mariadb-server', 'mariadb-client', 'openssl'],
  browser: ['chromium'],
  codeServer: ['libkrb5-dev', 'ripgrep'],
  bench: ['mydumper', 'percona-toolkit'],
};

let aptUpdated = false;

function missingDebs(names) {
  return names.filter((n) => spawnSync('dpkg-query', ['-W', '-f=${Status}', n], { encoding: 'utf8' }).stdout.indexOf('install ok installed') < 0);
}

export function ensureDebs(names) {
  const missing = missingDebs(names);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing system packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  console.log(`setup: installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

export function ensureNodeModules() {
  // A work tree shares another checkout's install through a link (see .gitignore): never reinstall
  // through it. npm ci empties the linked folder for every tree that shares it, and the link's
  // marker is older than a freshly checked-out package-lock.json, so the check below would fire.
  const modules = path.join(root, 'node_modules');
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) return;
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(root, 'package-lock.json'))) return;
  console.log('setup: npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

export async function ensureBuild() {
  const { buildAll } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
  await buildAll();
}

/**
 * @param {{ system?: (keyof typeof SYSTEM_PACKAGES)[], codeServer?: boolean }} [opts]
 */
export async function ensureSetup(opts = {}) {
  const groups = opts.system ?? ['mariadb', 'browser', 'codeServer'];
  ensureDebs(groups.flatMap((g) => SYSTEM_PACKAGES[g]));
  ensureNodeModules();
  await ensureBuild();
  if (opts.codeServer) {
    const { ensureCodeServer } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'codeserver.mjs')).href);
    await ensureCodeServer();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --bench adds the peer tools the benchmarks run side by side (mydumper, pt-table-checksum).
  const system = ['mariadb', 'browser', 'codeServer', ...(process.argv.includes('--bench') ? ['bench'] : [])];
  ensureSetup({ system, codeServer: !process.argv.includes('--no-code-server') }).then(
    () => console.log('setup: done'),
    (err) => {
      console.error(`setup failed: ${err.message ?? err}`);
      process.exit(1);
    },
  );
}
