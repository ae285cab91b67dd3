import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTap } from '../../scripts/lib/tap.mjs';

const tap = `TAP version 13
# Subtest: tree nodes
    # Subtest: profile context value
    ok 1 - profile context value
      ---
      duration_ms: 0.5
      ...
    # Subtest: servers
    not ok 2 - servers
      ---
      duration_ms: 1.2
      failureType: 'testCodeFailure'
      ...
    1..2
not ok 1 - tree nodes
  ---
  duration_ms: 2
  type: 'suite'
  failureType: 'subtestsFailed'
  ...
# Subtest: a top-level test
ok 2 - a top-level test
  ---
  duration_ms: 3
  ...
# Subtest: /abs/test/crashed.test.ts
not ok 3 - /abs/test/crashed.test.ts
  ---
  failureType: 'testCodeFailure'
  ...
1..3
`;

test('countTap counts leaf tests, not suites, and a crashed file as a failure', () => {
  assert.deepEqual(countTap(tap), { passed: 2, failed: 2 });
});

test('countTap reads nothing from an empty report', () => {
  assert.deepEqual(countTap(''), { passed: 0, failed: 0 });
});
