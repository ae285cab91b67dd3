import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProbeResult } from '../../src/engine/lag/lagState.js';
import { chooseReplica, exclusion } from '../../src/engine/routing/choose.js';

const healthy = (lagSeconds: number): ProbeResult => ({ reachable: true, replicating: true, ioRunning: 'yes', sqlRunning: true, lastIoError: '', lastSqlError: '', lagSeconds });

describe('replica choice', () => {
  test('least lag within the limit wins; ties keep the profile order', () => {
    const c = chooseReplica([{ name: 'r1', probe: healthy(2) }, { name: 'r2', probe: healthy(0) }, { name: 'r3', probe: healthy(0) }], 5);
    assert.deepEqual(c.chosen, { name: 'r2', lagSeconds: 0 });
    assert.deepEqual(c.candidates.map((x) => x.name), ['r2', 'r3', 'r1']);
    assert.equal(c.reason, 'least lag 0.0s within maxStalenessSeconds 5s');
  });

  test('stopped, lagging, unreachable and unknown replicas are passed over, each with its reason', () => {
    const c = chooseReplica(
      [
        { name: 'stopped', probe: { ...healthy(0), sqlRunning: false, lagSeconds: null } },
        { name: 'slow', probe: healthy(12) },
        { name: 'gone', probe: { ...healthy(0), reachable: false, error: 'Cannot reach 127.0.0.1:1: connection refused', lagSeconds: null } },
        { name: 'unknown', probe: healthy(0) },
        { name: 'ok', probe: healthy(1) },
      ].map((r) => (r.name === 'unknown' ? { ...r, probe: { ...r.probe, lagSeconds: null } } : r)),
      5,
    );
    assert.equal(c.chosen?.name, 'ok');
    assert.deepEqual(c.excluded, [
      'stopped: stopped (SQL thread stopped)',
      'slow: lagging past the limit (lag 12.0s > maxStalenessSeconds 5s)',
      'gone: unreachable (Cannot reach 127.0.0.1:1: connection refused)',
      'unknown: lag unknown',
    ]);
    assert.match(c.reason, /^lag 1\.0s within maxStalenessSeconds 5s; passed over stopped: stopped/);
  });

  test('no replica can serve: the primary, saying why', () => {
    const c = chooseReplica([{ name: 'r1', probe: { ...healthy(0), ioRunning: 'no', lagSeconds: null } }, { name: 'r2', probe: healthy(9) }], 5);
    assert.equal(c.chosen, null);
    assert.equal(c.reason, 'no replica can serve it: r1: stopped (IO thread stopped); r2: lagging past the limit (lag 9.0s > maxStalenessSeconds 5s)');
    assert.equal(chooseReplica([], 5).reason, 'the profile has no replicas');
  });

  test('the age of a cached reading counts as lag', () => {
    assert.equal(exclusion(healthy(4), 5, 0.5), null);
    assert.match(exclusion(healthy(4), 5, 1.5) ?? '', /lag 5\.5s > maxStalenessSeconds 5s/);
    assert.equal(exclusion({ ...healthy(0), replicating: false }, 5), 'not replicating (no replication channel)');
  });
});
