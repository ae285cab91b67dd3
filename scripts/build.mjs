#!/usr/bin/env node
// Bundles every entry point with esbuild: the extension (CommonJS, `vscode` external), the worker
// (with mysql2 inside, so nothing is installed at run time), the CLI, and one bundle per webview.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // Minified, class names would be mangled, and @vlasky/zongji names binlog events after their classes
  // (getEventName() is constructor.name lower-cased): its includeEvents filter then matched nothing,
  // every event was skipped while its position advanced, and a hybrid job in the extension (the
  // production worker bundle) applied no change at all. Measured in the e2e test, 2026-11-29.
  keepNames: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const webviewEntries = readdirSync(path.join(root, 'src', 'webview-pages'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('View.ts') && !['vscodeApi.ts', 'dom.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => path.join('src', 'webview-pages', f));

export const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/worker/server.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    loader: { '.css': 'text' },
  },
];

/** Builds every bundle whose entry exists (later work adds entries as it lands). */
export async function buildAll() {
  const present = builds.filter((b) => (b.entryPoints ?? []).every((e) => existsSync(path.join(root, e))));
  if (watch) {
    for (const b of present) await (await esbuild.context(b)).watch();
    console.log('build: watching');
    return;
  }
  const started = Date.now();
  await Promise.all(present.map((b) => esbuild.build(b)));
  console.log(`build: ${present.length} bundles in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((err) => {
    console.error(err.message ?? err);
    process.exit(1);
  });
}
