import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

// The shipped entry point (bin -> dist/cli.js), as `npx rw-migrate` runs it: not the TypeScript source.
const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'rw-migrate.js');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, RW_MIGRATE_FROM_PASSWORD: '', RW_MIGRATE_TO_PASSWORD: '' } });
}

test('rw-migrate --help lists its commands and exits 0', () => {
  const r = cli('--help');
  assert.equal(r.status, 0, r.stderr);
  for (const command of ['copy', 'resume', 'status']) assert.match(r.stdout, new RegExp(`\\b${command}\\b`));
});

test('a password in a URL is refused with exit code 2 and a message naming the fix', () => {
  const r = cli('copy', '--from', 'mysql://u:secret@127.0.0.1:1/x', '--to', 'mysql://u@127.0.0.1:2/y', '--all');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /RW_MIGRATE_FROM_PASSWORD/);
  assert.doesNotMatch(r.stderr + r.stdout, /secret/);
});
