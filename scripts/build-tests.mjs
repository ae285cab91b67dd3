// Bundles the extension-host suite for the extension host (CommonJS, Node 20):
//   test/host/index.ts   -> out/test/host/index.js   (mocha bundled in: nothing to resolve at run time)
//   test/host/*.test.ts  -> out/test/host/*.test.js  (use mocha's globals; `vscode` comes from the host)
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildHostTests({ quiet = false } = {}) {
  const srcDir = join(root, 'test', 'host');
  const outDir = join(root, 'out', 'test', 'host');
  const suites = readdirSync(srcDir).filter((f) => f.endsWith('.test.ts')).sort();
  if (suites.length === 0) throw new Error(`No *.test.ts suites in ${srcDir}`);
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(srcDir, 'index.ts'), ...suites.map((f) => join(srcDir, f))],
    outdir: outDir,
    outbase: srcDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: quiet ? 'error' : 'warning',
    // mocha's optional, dynamically required bits (custom reporters/ui by name, esm loader, parallel mode) stay
    // runtime requires; this suite uses none of them.
    logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-require-call': 'silent', 'unsupported-dynamic-import': 'silent' },
  });
  if (result.errors.length) throw new Error('esbuild failed');
  return { outDir, index: join(outDir, 'index.js'), suites: suites.map((f) => join(outDir, f.replace(/\.ts$/, '.js'))) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildHostTests().then(
    (r) => console.log(`host tests built: ${r.index} + ${r.suites.length} suite(s)`),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
