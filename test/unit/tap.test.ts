// The test runner's TAP reading (scripts/lib/tap.mjs), on reports node:test itself writes: tiny test
// files are run through `node --test --test-reporter=tap` here, so the samples are real, not typed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { checkTap, countTap, tapSummary } from '../../scripts/lib/tap.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-tap-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `body` as a test file and returns node:test's TAP for it. */
function tapOf(name: string, body: string): { file: string; tap: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `import { describe, test } from 'node:test';\n${body}\n`);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // we run inside node:test ourselves: start a fresh runner, not a child of ours
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: dir, encoding: 'utf8', env });
  return { file, tap: r.stdout };
}

const mixed = tapOf(
  'mixed.test.mjs',
  `describe('a suite', () => {
    test('passes', () => {});
    test('fails', () => { throw new Error('no'); });
    describe('nested suite', () => { test('deep', () => {}); });
  });
  test('parent', async (t) => { await t.test('child 1', () => {}); await t.test('child 2', () => {}); });
  test('skipped', { skip: true }, () => {});
  test('todo', { todo: true }, () => {});
  test('top fails', () => { throw new Error('x'); });`,
);

test('a full report: leaf tests counted as node counts them, no problem found', () => {
  assert.deepEqual(countTap(mixed.tap), { passed: 5, failed: 2 });
  const s = tapSummary(mixed.tap);
  assert.equal(s?.tests, 9);
  assert.equal(s?.pass, 5);
  assert.equal(s?.fail, 2);
  assert.deepEqual(checkTap(mixed.tap, mixed.file), { passed: 5, failed: 2, problems: [] });
});

test('a report cut short (the tail a forced exit loses) is named, before and inside the summary', () => {
  const cutAt = mixed.tap.indexOf('# Subtest: top fails');
  assert.ok(cutAt > 0);
  const cut = checkTap(mixed.tap.slice(0, cutAt), 'test/unit/mixed.test.ts');
  assert.deepEqual(countTap(mixed.tap.slice(0, cutAt)), { passed: 5, failed: 1 });
  assert.equal(cut.problems.length, 1, cut.problems.join('\n'));
  assert.match(cut.problems[0], /^test\/unit\/mixed\.test\.ts: the report ends before node:test's summary/);
  // the summary's first lines made it, the rest did not: still incomplete
  const partial = checkTap(mixed.tap.slice(0, mixed.tap.indexOf('# pass')), 'm.test.ts');
  assert.ok(partial.problems.some((p) => /summary says .* results are missing/.test(p)), partial.problems.join('\n'));
});

test('results missing between the plan and the summary are named', () => {
  // drop the whole 'top fails' result (its Subtest header up to the plan): node's own counts stay
  const from = mixed.tap.indexOf('# Subtest: top fails');
  const to = mixed.tap.indexOf('\n1..', from);
  const gap = checkTap(mixed.tap.slice(0, from) + mixed.tap.slice(to + 1), 'gap.test.ts');
  assert.ok(gap.problems.some((p) => /^gap\.test\.ts: the summary says 9 tests, 2 fail but the report holds 8, 1/.test(p)), gap.problems.join('\n'));
  assert.ok(gap.problems.some((p) => /planned 5 top-level results, reported 4/.test(p)), gap.problems.join('\n'));
});

test('a file that exits before its results arrive is named, though node reports it as passing', () => {
  const early = tapOf('early.test.mjs', `test('one', () => {}); test('exits', () => { process.exit(0); }); test('never', () => {});`);
  assert.match(early.tap, /^ok 1 - .*early\.test\.mjs$/m, 'node stands in one passing result for the file');
  const c = checkTap(early.tap, 'test/unit/early.test.mjs');
  assert.equal(c.passed, 1);
  assert.equal(c.problems.length, 1, c.problems.join('\n'));
  assert.match(c.problems[0], /^test\/unit\/early\.test\.mjs: no test of its own reported.*exited before its results arrived/);
});

test('a file with no tests is named too, and an empty report counts nothing', () => {
  const empty = tapOf('empty.test.mjs', '// no tests');
  assert.match(checkTap(empty.tap, empty.file).problems.join('\n'), /no test of its own reported/);
  assert.deepEqual(countTap(''), { passed: 0, failed: 0 });
  assert.match(checkTap('', 'x.test.ts').problems[0], /ends before node:test's summary/);
});
