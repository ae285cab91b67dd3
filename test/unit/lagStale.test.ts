import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LagUpdate } from '../../src/engine/topology/types.js';
import { isStale, lagStatusView, staleAfterMs, STALE_POLLS } from '../../src/statusbar/lagStatusView.js';

const thresholds = { warnSeconds: 1, errorSeconds: 10 };

const update: LagUpdate = {
  profile: 'prod',
  at: 0,
  state: 'ok',
  worstLagSeconds: 0.2,
  replicas: [
    {
      name: 'replica1', host: 'db2', port: 3306, state: 'ok', reason: 'lag 0.2s', lagSeconds: 0.2, source: 'replica-status', reachable: true,
      ioRunning: 'yes', sqlRunning: true, lastIoError: '', lastSqlError: '', history: [],
    },
  ],
};

test('a reading is stale after a few poll intervals, not before', () => {
  assert.equal(STALE_POLLS, 3);
  assert.equal(staleAfterMs(1000), 3000);
  assert.equal(isStale(10_000, 12_999, 1000), false);
  assert.equal(isStale(10_000, 13_001, 1000), true);
  // Unfocused polling is slower: the same age is still fresh.
  assert.equal(isStale(10_000, 13_001, 10_000), false);
});

test('a stale reading shows as unknown, with a warning and the restart link, never as the old ok', () => {
  const live = lagStatusView({ kind: 'live', update }, thresholds);
  assert.equal(live.text, '$(pulse) 0.2s');
  assert.equal(live.background, null);
  const stale = lagStatusView({ kind: 'stale', update, profile: 'prod', staleAfterMs: 3000, reason: 'the worker stopped' }, thresholds);
  assert.equal(stale.text, '$(question) lag unknown');
  assert.equal(stale.background, 'warning');
  assert.match(stale.tooltip, /\*\*prod\*\* is unknown: the worker stopped/);
  assert.match(stale.tooltip, /worst lag 0\.2s\) is more than 3 s old/);
  assert.match(stale.tooltip, /\(command:rwMigrate\.restartWorker\)/);
  const never = lagStatusView({ kind: 'stale', update: null, profile: 'prod', staleAfterMs: 3000, reason: 'no reading for more than 3 s' }, thresholds);
  assert.match(never.tooltip, /No reading yet/);
});
