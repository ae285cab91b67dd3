import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { readProfile, routeCommand } from '../../src/cli/routeCommand.js';

async function explain(args: Parameters<typeof routeCommand>[0]): Promise<{ code: number; lines: string[] }> {
  let text = '';
  const code = await routeCommand(args, (s) => (text += s));
  return { code, lines: text.trimEnd().split('\n') };
}

describe('rw-migrate route --explain (no servers)', () => {
  test('one line per statement, the first word primary or replica, then the reason', async () => {
    const { code, lines } = await explain({ explain: "SELECT * FROM t; UPDATE t SET a = 'x;y'; SELECT a INTO @v FROM t; SELECT 'FOR UPDATE'" });
    assert.equal(code, 0);
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['replica', 'primary', 'primary', 'replica']);
    assert.match(lines[1], /^primary write \(UPDATE\)/);
    assert.match(lines[2], /^primary assigns user variables \(SELECT \.\.\. INTO @v\)/);
  });

  test('--json prints {"route","reason"} per statement', async () => {
    const { lines } = await explain({ explain: 'START TRANSACTION READ ONLY; SELECT 1; COMMIT; SELECT GET_LOCK("x", 1)', json: true });
    const parsed = lines.map((l) => JSON.parse(l) as { route: string; reason: string; statement: string });
    assert.deepEqual(parsed.map((p) => p.route), ['replica', 'replica', 'replica', 'primary']);
    assert.equal(parsed[3].reason, 'takes a named lock (GET_LOCK)');
    assert.equal(parsed[1].statement, 'SELECT 1');
  });

  test('bad input exits 2 with a message naming the fix', async () => {
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (errors.push(s), true)) as typeof process.stderr.write;
    try {
      assert.equal(await main(['node', 'rw-migrate', 'route', '--explain', '   ']), 2);
      assert.equal(await main(['node', 'rw-migrate', 'route', '--explain', 'SELECT 1', '--max-staleness', 'soon']), 2);
      assert.equal(await main(['node', 'rw-migrate', 'route', '--explain', 'SELECT 1', '--profile', '/nonexistent/profile.json']), 2);
    } finally {
      process.stderr.write = write;
    }
    assert.match(errors.join(''), /give the SQL to explain/);
    assert.match(errors.join(''), /--max-staleness must be a number/);
    assert.match(errors.join(''), /cannot read the profile \/nonexistent\/profile.json/);
  });

  test('a profile file: one object, or an array picked by --name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rw-route-'));
    const one = path.join(dir, 'one.json');
    const many = path.join(dir, 'many.json');
    const p = (name: string) => ({ name, primary: { host: 'db1', port: 3306, user: 'app' }, replicas: [{ host: 'db2', name: 'r1' }] });
    writeFileSync(one, JSON.stringify(p('a')));
    writeFileSync(many, JSON.stringify([p('a'), p('b')]));
    assert.equal(readProfile(one).name, 'a');
    assert.equal(readProfile(many, 'b').name, 'b');
    assert.throws(() => readProfile(many), /holds 2 profiles: pick one with --name \(a, b\)/);
    assert.throws(() => readProfile(many, 'c'), /no profile named "c"/);
    writeFileSync(one, JSON.stringify({ name: 'x' }));
    assert.throws(() => readProfile(one), /no usable profile/);
  });
});
