#!/usr/bin/env node
// The same extension-host suite under @vscode/test-electron, for machines that can download
// VS Code (desktop CI elsewhere). Here the network is closed, so `npm test` uses code-server instead.
//   RW_VSCODE_VERSION=1.100.3 (default: the minimum we support) or 'stable' for the newest.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHostTests } from './build-tests.mjs';
import { ensureExtensionBuilt, reportResults } from './host-tests.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = join(root, 'test-results', 'host-results.json');

async function main() {
  const t0 = Date.now();
  ensureExtensionBuilt();
  const { index } = await buildHostTests({ quiet: true });
  const workspace = join(root, 'test-results', 'host-electron', 'workspace');
  mkdirSync(workspace, { recursive: true });
  rmSync(resultsFile, { force: true });
  const { runTests } = await import('@vscode/test-electron');
  await runTests({
    version: process.env.RW_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: index,
    extensionTestsEnv: { RW_HOST_RESULTS: resultsFile },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
  return reportResults(resultsFile, t0);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`host (electron): ${err.message ?? err}`);
    process.exit(1);
  },
);
