#!/usr/bin/env node
// `npm test`: set-up, lint and type-check, then the four layers (unit, integration against the
// sandbox, extension host in code-server, UI end to end), each printing its own counts, and one
// closing line `N passed, N failed` over all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { countTap } from './lib/tap.mjs';
import { ensureSetup, root } from './setup.mjs';

const ALL = ['unit', 'integration', 'host', 'e2e'];
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const layers = (arg('--layers') ?? ALL.join(',')).split(',');
const keepSandbox = process.argv.includes('--keep-sandbox') || !process.env.CI;
const results = path.join(root, 'test-results');
const sandboxDir = path.join(root, '.sandbox-test');
mkdirSync(results, { recursive: true });

const totals = { passed: 0, failed: 0 };
const summary = [];

// A backstop: a layer that hangs (a leaked handle, a stuck server) fails instead of eating CI's time.
const LAYER_TIMEOUT_MS = 20 * 60_000;

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, timeout: LAYER_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') console.error(`test: ${cmd} ${args.at(-1)} timed out after ${LAYER_TIMEOUT_MS / 60_000} min`);
  return r.status ?? 1;
}

function testFiles(dir) {
  const full = path.join(root, 'test', dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true })
    .filter((f) => String(f).endsWith('.test.ts'))
    .map((f) => path.join('test', dir, String(f)))
    .sort();
}

/** Runs one node:test layer with the spec reporter on screen and TAP to a file we count from. */
function nodeTestLayer(layer, env = {}, extraArgs = []) {
  const files = testFiles(layer);
  const tap = path.join(results, `${layer}.tap`);
  const status = run(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', ...extraArgs, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    env,
  );
  let { passed, failed } = countTap(existsSync(tap) ? readFileSync(tap, 'utf8') : '');
  if (status !== 0 && failed === 0) failed = 1; // a crash before any test reported still fails the layer
  if (passed + failed === 0) failed = 1; // a layer that ran nothing is a failure, not a pass
  return { passed, failed };
}

function jsonLayer(layer, script) {
  const status = run(process.execPath, [path.join('scripts', script)], { RW_SANDBOX_DIR: sandboxDir });
  const file = path.join(results, `${layer}.json`);
  const counts = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { passed: 0, failed: 0 };
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  if (counts.passed + counts.failed === 0) counts.failed = 1;
  return { passed: counts.passed, failed: counts.failed };
}

function record(layer, counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  summary.push(`${layer}: ${counts.passed} passed, ${counts.failed} failed`);
  console.log(`\n== ${layer}: ${counts.passed} passed, ${counts.failed} failed\n`);
}

async function sandbox() {
  const mod = await import(pathToFileURL(path.join(root, 'scripts', 'sandbox', 'index.mjs')).href);
  return mod;
}

async function main() {
  const started = Date.now();
  const needsUi = layers.includes('host') || layers.includes('e2e');
  await ensureSetup({ system: ['mariadb', ...(needsUi ? ['browser', 'codeServer'] : [])], codeServer: needsUi });

  const checks = run('npx', ['tsc', '-b']) === 0 && run('npx', ['eslint', 'src', 'test', 'scripts']) === 0;
  record('lint+typecheck', { passed: checks ? 1 : 0, failed: checks ? 0 : 1 });

  if (layers.includes('unit')) record('unit', nodeTestLayer('unit'));

  const needsSandbox = layers.some((l) => l !== 'unit');
  const sb = needsSandbox ? await sandbox() : undefined;
  if (sb) await sb.sandboxUp({ dir: sandboxDir, seed: true });
  try {
    const env = { RW_SANDBOX_DIR: sandboxDir };
    if (layers.includes('integration')) record('integration', nodeTestLayer('integration', env));
    if (layers.includes('host')) record('host', jsonLayer('host', 'host-tests.mjs'));
    if (layers.includes('e2e')) record('e2e', nodeTestLayer('e2e', env, ['--test-timeout=300000']));
  } finally {
    if (sb && !keepSandbox) await sb.sandboxDown({ dir: sandboxDir });
  }

  console.log(`\n${summary.join('\n')}\ntotal time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`test run failed: ${err.stack ?? err}`);
  console.log(`${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exit(1);
});
