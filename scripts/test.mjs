#!/usr/bin/env node
// `npm test`: set-up, lint and type-check, then the four layers (unit, integration against the
// sandbox, extension host in code-server, UI end to end), each printing its own counts, and one
// closing line `N passed, N failed` over all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkTap } from './lib/tap.mjs';
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
/** One file at most this long (the longest, the e2e paths file, takes about 2 min). */
const PER_FILE_TIMEOUT_MS = 6 * 60_000;

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

/**
 * Runs one node:test layer, one `node --test` per file: the spec reporter on screen (stderr), TAP on
 * stdout, read through a pipe. Each file's TAP is checked against its own summary and plan
 * (lib/tap.mjs): a file whose results do not add up fails the layer by name.
 *
 * No --test-force-exit: on Node 20 it ends a file's run before all of its suites have run, and the
 * runner's own plan and summary then count only what ran (sqlcheck.test.ts: 41-51 of 51 tests in six
 * runs, every report consistent, so no check of the report can notice). Measured 2026-11-29. A file
 * that keeps a handle open hangs instead, and is killed at PER_FILE_TIMEOUT_MS and fails by name.
 */
function nodeTestLayer(layer, env = {}, extraArgs = []) {
  const files = testFiles(layer);
  const dir = path.join(results, 'tap', layer);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + LAYER_TIMEOUT_MS;
  const counts = { passed: 0, failed: 0 };
  const problems = [];
  for (const file of files) {
    const left = deadline - Date.now();
    if (left <= 0) {
      problems.push(`${file}: not run, the layer ran out of its ${LAYER_TIMEOUT_MS / 60_000} min`);
      counts.failed++;
      continue;
    }
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', ...extraArgs, '--test-reporter=spec', '--test-reporter-destination=stderr', '--test-reporter=tap', '--test-reporter-destination=stdout', file],
      { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, ...env }, timeout: Math.min(left, PER_FILE_TIMEOUT_MS), killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 },
    );
    const tap = r.stdout?.toString('utf8') ?? '';
    writeFileSync(path.join(dir, `${file.replace(/[\\/]/g, '__')}.tap`), tap);
    const c = checkTap(tap, file);
    const mine = [...c.problems];
    if (r.error?.code === 'ETIMEDOUT') mine.push(`${file}: killed after ${Math.round(Math.min(left, PER_FILE_TIMEOUT_MS) / 1000)} s (a test that never ends, or a handle left open)`);
    else if (r.status !== 0 && c.failed === 0) mine.push(`${file}: node --test exited with ${r.status ?? r.signal} but reported no failed test`);
    counts.passed += c.passed;
    // A file that does not add up fails the layer (once, unless it already reported a failure).
    counts.failed += c.failed + (mine.length > 0 && c.failed === 0 ? 1 : 0);
    problems.push(...mine);
  }
  for (const p of problems) console.error(`test: ${layer}: ${p}`);
  if (counts.passed + counts.failed === 0) counts.failed = 1; // a layer that ran nothing is a failure, not a pass
  return counts;
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
