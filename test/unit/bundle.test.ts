// The extension bundle must not contain the database driver: the extension host asks the worker for
// anything that needs a server. esbuild's metafile lists every input that went into a bundle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
// @ts-expect-error: a plain .mjs script without types; `builds` holds the same options `npm run build` uses.
import { builds } from '../../scripts/build.mjs';

interface BuildOptions {
  entryPoints: string[];
}

async function bundleInputs(entry: string): Promise<string[]> {
  const options = (builds as BuildOptions[]).find((b) => b.entryPoints.includes(entry));
  assert.ok(options, `scripts/build.mjs has no build for ${entry}`);
  const result = await esbuild.build({ ...options, write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(result.metafile.inputs);
}

test('the extension bundle contains no mysql2 and no engine/db/connection.ts', async () => {
  const inputs = await bundleInputs('src/extension.ts');
  assert.ok(inputs.includes('src/extension.ts') && inputs.length > 20, `expected the extension's sources in the metafile, got ${inputs.length}`);
  const driver = inputs.filter((i) => /(^|\/)node_modules\/mysql2\//.test(i) || i === 'src/engine/db/connection.ts');
  assert.deepEqual(driver, []);
});

test('the worker bundle does contain mysql2 (the check above looks at the right names)', async () => {
  const inputs = await bundleInputs('src/worker/server.ts');
  assert.ok(inputs.some((i) => /(^|\/)node_modules\/mysql2\//.test(i)), 'mysql2 in the worker bundle');
  assert.ok(inputs.includes('src/engine/db/connection.ts'), 'engine/db/connection.ts in the worker bundle');
});

test('the minified worker bundle keeps class names: zongji names binlog events after their classes', async () => {
  // Without keepNames, getEventName() of a minified Xid event is a mangled letter: the stream's
  // includeEvents filter then skipped every event while the binlog position advanced.
  const options = (builds as (BuildOptions & Record<string, unknown>)[]).find((b) => b.entryPoints.includes('src/worker/server.ts'));
  assert.ok(options);
  const result = await esbuild.build({ ...options, minify: true, sourcemap: false, write: false, logLevel: 'silent' });
  const text = result.outputFiles[0].text;
  for (const name of ['Xid', 'TableMap', 'WriteRows', 'UpdateRows', 'DeleteRows', 'Query', 'Rotate', 'MariadbGtid']) {
    assert.match(text, new RegExp(`"${name}"`), `the class name ${name} survives minification`);
  }
});
