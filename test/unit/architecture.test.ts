import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function imports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8'));
}

// The engine runs in the worker, the CLI and tests; a `vscode` import would break all three.
for (const dir of ['engine', 'worker', 'cli']) {
  test(`src/${dir} never imports vscode`, () => {
    const files = sourceFiles(path.join(root, 'src', dir));
    assert.ok(files.length > 0, `expected sources under src/${dir}`);
    const offenders = files.flatMap((f) => imports(f).filter((i) => i === 'vscode' || i.startsWith('vscode-languageclient')).map((i) => `${path.relative(root, f)} imports ${i}`));
    assert.deepEqual(offenders, []);
  });
}

test('the import scanner recognises every import form', () => {
  const sample = `import * as vscode from 'vscode';\nexport { x } from "./y.js";\nconst z = require('vscode');\nawait import('vscode');`;
  assert.deepEqual(specifiers(sample), ['vscode', './y.js', 'vscode', 'vscode']);
});

test('the webview bundles never reach for Node or VS Code modules', () => {
  const offenders = sourceFiles(path.join(root, 'src', 'webview-pages')).flatMap((f) =>
    imports(f).filter((i) => i === 'vscode' || i.startsWith('node:') || i === 'mysql2').map((i) => `${path.relative(root, f)} imports ${i}`),
  );
  assert.deepEqual(offenders, []);
});
