#!/usr/bin/env node
// Layer 3: the extension-host suite (test/host) in a real VS Code extension host, inside code-server,
// driven by Debian's Chromium. The extension under development is the repo root (dist/extension.js).
//
//   node scripts/host-tests.mjs            run it; exit 1 on any failure or on zero tests
//   env RW_HOST_TIMEOUT_MS=180000          how long to wait for the suite's results (default 180 s)
//   env RW_HOST_EXTENSION_DIR=/abs/dir     develop another extension folder (harness self-checks only)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, startCodeServer } from './lib/codeserver.mjs';
import { buildHostTests } from './build-tests.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'test-results');
const work = join(resultsDir, 'host');
const resultsFile = join(resultsDir, 'host-results.json');
const summaryFile = join(resultsDir, 'host.json');
const timeoutMs = Number(process.env.RW_HOST_TIMEOUT_MS ?? 180_000);
const extensionDir = resolve(process.env.RW_HOST_EXTENSION_DIR ?? root);

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function writeSummary(passed, failed, extra = {}) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(summaryFile, JSON.stringify({ layer: 'host', passed, failed, ...extra }) + '\n');
}

/** Builds the extension under test (dev build, ~0.2 s) so the suite never runs against a stale dist/. */
export function ensureExtensionBuilt() {
  if (extensionDir !== root) return;
  if (!existsSync(join(root, 'scripts', 'build.mjs'))) {
    if (existsSync(join(root, 'dist', 'extension.js'))) return;
    throw new Error('dist/extension.js is missing and scripts/build.mjs does not exist to make it: nothing to test');
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('node scripts/build.mjs did not produce dist/extension.js');
}

/** Prints the suite's own results file, writes the layer summary, and returns the exit code. */
export function reportResults(resultsFile, t0) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  for (const t of results.tests) {
    const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
    console.log(`  ${mark} ${t.fullTitle}${t.durationMs != null ? ` (${t.durationMs} ms)` : ''}`);
    if (t.state === 'failed') console.log(`       ${String(t.message).split('\n').join('\n       ')}`);
  }
  if (results.error) console.log(`host: suite error: ${results.error}`);
  for (const [k, v] of Object.entries(results.metrics ?? {})) console.log(`  metric ${k} = ${v}`);
  const passed = results.passes;
  const failed = results.failures + (results.error ? 1 : 0);
  console.log(`host: ${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  writeSummary(passed, failed, { metrics: results.metrics ?? {} });
  if (passed + failed === 0) console.log('host: zero tests ran: that is a failure');
  return failed === 0 && passed > 0 ? 0 : 1;
}

async function main() {
  const t0 = Date.now();
  await ensureCodeServer();
  ensureExtensionBuilt();
  const { index } = await buildHostTests({ quiet: true });

  rmSync(work, { recursive: true, force: true });
  rmSync(resultsFile, { force: true });
  const workspace = join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const consoleLog = join(work, 'browser-console.log');

  let server;
  let browser;
  let exitCode = 1;
  try {
    server = await startCodeServer({
      userDataDir: join(work, 'user-data'),
      extensionsDir: join(work, 'extensions'),
      folder: workspace,
      env: { RW_HOST_RESULTS: resultsFile },
      logFile: join(work, 'code-server.log'),
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extensionDir)],
      ['extensionTestsPath', remote(index)],
    ]);
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`);
    });
    page.on('pageerror', (e) => appendFileSync(consoleLog, `[pageerror] ${e.message}\n`));
    await page.goto(url);

    const deadline = Date.now() + timeoutMs;
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        await page.screenshot({ path: join(work, 'timeout.png') }).catch(() => {});
        const tail = (f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-25).join('\n') : '(none)');
        throw new Error(
          `host: no results file ${resultsFile} after ${timeoutMs / 1000}s: the suite never finished (or never started).\n` +
            `--- code-server log (${server.logFile}) ---\n${tail(server.logFile)}\n--- browser console (${consoleLog}) ---\n${tail(consoleLog)}\n` +
            `screenshot: ${join(work, 'timeout.png')}`,
        );
      }
      await sleep(250);
    }
    exitCode = reportResults(resultsFile, t0);
  } catch (e) {
    console.error(e.message);
    if (!existsSync(summaryFile) || !existsSync(resultsFile)) writeSummary(0, 1, { error: e.message.split('\n')[0] });
    exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
  }
  return exitCode;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  rmSync(summaryFile, { force: true });
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e.message);
      writeSummary(0, 1, { error: e.message.split('\n')[0] });
      process.exit(1);
    },
  );
}
