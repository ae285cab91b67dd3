#!/usr/bin/env node
// Makes rw-migrate.vsix from a production build. Runs vsce from node_modules: no network needed.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, root } from './setup.mjs';

export const VSIX = path.join(root, 'rw-migrate.vsix');

export async function packageVsix() {
  ensureNodeModules();
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --no-dependencies: everything the extension needs is bundled into dist/ by esbuild.
  // --no-rewrite-relative-links: the README's screenshots ship inside the package (docs/images), and
  // VS Code's extension page resolves them there; there is no public repository URL to point at.
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', VSIX], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return VSIX;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageVsix().then(
    (file) => console.log(`package: ${path.relative(root, file)} (${(statSync(file).size / 1024).toFixed(0)} KiB)`),
    (err) => {
      console.error(`package failed: ${err.message ?? err}`);
      process.exit(1);
    },
  );
}
