// The layering rules in eslint.config.mjs, exercised on one-line samples at the paths they guard:
// each rule must reject the import it is there for and let the allowed form through.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages ESLint gives `code` as if it lived at `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { file: string; code: string; rejected: boolean; why: string }[] = [
  { file: 'src/engine/lag/sample.ts', code: "import x from 'vscode';", rejected: true, why: 'engine never imports vscode' },
  { file: 'src/engine/db/sample.ts', code: "import x from 'vscode';", rejected: true, why: 'engine never imports vscode (db block too)' },
  { file: 'src/engine/copy/sample.ts', code: "import { x } from '../verify/rowDiff.js';", rejected: true, why: 'copy does not import verify' },
  { file: 'src/engine/verify/sample.ts', code: "import { x } from '../copy/encoder.js';", rejected: true, why: 'verify does not import copy' },
  { file: 'src/engine/verify/sample.ts', code: "import { x } from '../db/keyset.js';", rejected: false, why: 'verify may use db' },
  { file: 'src/engine/db/sample.ts', code: "import { x } from '../topology/types.js';", rejected: true, why: 'db imports no other engine folder' },
  { file: 'src/engine/db/sample.ts', code: "import { x } from './sql.js';", rejected: false, why: 'db imports its own files' },
  { file: 'src/worker/sample.ts', code: "import { x } from '../engine/copy/reader.js';", rejected: true, why: 'the worker imports an engine folder only via its index' },
  { file: 'src/cli/sample.ts', code: "import { x } from '../engine/jobs/types.js';", rejected: true, why: 'the CLI imports an engine folder only via its index' },
  { file: 'src/cli/sample.ts', code: "import { x } from '../engine/jobs/index.js';", rejected: false, why: 'a folder index is the way in' },
  { file: 'src/worker/sample.ts', code: "import { x } from '../engine/index.js';", rejected: false, why: 'the engine index is the way in' },
  { file: 'src/commands/sample.ts', code: "import { x } from '../engine/db/connection.js';", rejected: true, why: 'host code never imports the driver module' },
  { file: 'src/tree/sample.ts', code: "import x from 'mysql2/promise';", rejected: true, why: 'host code never imports mysql2' },
  { file: 'src/ui/sample.ts', code: "import { x } from '../engine/topology/index.js';", rejected: true, why: 'host code never imports an engine index' },
  { file: 'src/extension.ts', code: "import { x } from './engine/index.js';", rejected: true, why: 'activate() never imports the engine index' },
  { file: 'src/commands/sample.ts', code: "import { x } from '../engine/cdc/index.js';", rejected: true, why: 'a folder yet to come is covered too' },
  { file: 'src/webview-pages/sample.ts', code: "import { x } from '../engine/verify/types.js';", rejected: false, why: 'a page may import a pure engine type file' },
  { file: 'src/statusbar/sample.ts', code: "import { x } from '../engine/lag/lagState.js';", rejected: false, why: 'host code may import a pure engine file' },
  { file: 'src/webview-pages/sample.ts', code: "import x from 'node:fs';", rejected: true, why: 'page scripts never import Node modules' },
  { file: 'src/webview-pages/sample.ts', code: "import { x } from '../engine/verify/index.js';", rejected: true, why: 'page scripts never import an engine index' },
];

describe('layering lint rules', () => {
  for (const c of cases) {
    test(`${c.rejected ? 'rejects' : 'allows'}: ${c.why} (${c.file}: ${c.code})`, async () => {
      const messages = await restricted(c.file, c.code);
      assert.equal(messages.length > 0, c.rejected, messages.join('\n') || 'no restriction reported');
    });
  }
});

test('every engine folder has an index.ts that names its exports (no `export *`)', async () => {
  const { readdirSync, readFileSync, existsSync } = await import('node:fs');
  const engine = path.join(root, 'src', 'engine');
  const folders = readdirSync(engine, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.ok(folders.length >= 7, `expected the role folders under src/engine, found ${folders.join(', ')}`);
  const problems = folders.flatMap((f) => {
    const index = path.join(engine, f, 'index.ts');
    if (!existsSync(index)) return [`src/engine/${f} has no index.ts`];
    return /^\s*export \*/m.test(readFileSync(index, 'utf8')) ? [`src/engine/${f}/index.ts uses export *`] : [];
  });
  assert.deepEqual(problems, []);
});
