import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTs, heartbeatAge, heartbeatReading, parseTs } from '../../src/engine/lag/heartbeat.js';
import { classify, DEFAULT_THRESHOLDS, formatLag, PENDING_REASON, rollUp, type ProbeResult } from '../../src/engine/lag/lagState.js';

const healthy: ProbeResult = { reachable: true, replicating: true, ioRunning: 'yes', sqlRunning: true, lastIoError: '', lastSqlError: '', lagSeconds: 0.3 };
const t = DEFAULT_THRESHOLDS;

describe('lag classification', () => {
  test('thresholds: ok at or under warn, warning above it, error above the error threshold', () => {
    assert.deepEqual(classify(healthy, t), { state: 'ok', reason: 'lag 0.3s' });
    assert.equal(classify({ ...healthy, lagSeconds: 1 }, t).state, 'ok');
    assert.deepEqual(classify({ ...healthy, lagSeconds: 1.4 }, t), { state: 'warning', reason: 'lag 1.4s > 1s' });
    assert.equal(classify({ ...healthy, lagSeconds: 10 }, t).state, 'warning');
    assert.deepEqual(classify({ ...healthy, lagSeconds: 12 }, t), { state: 'error', reason: 'lag 12.0s > 10s' });
    assert.equal(classify({ ...healthy, lagSeconds: 3 }, { warnSeconds: 5, errorSeconds: 60 }).state, 'ok');
  });

  test('stopped threads are errors and carry the last error text', () => {
    assert.deepEqual(classify({ ...healthy, sqlRunning: false, lagSeconds: null }, t), { state: 'error', reason: 'SQL thread stopped' });
    assert.deepEqual(classify({ ...healthy, sqlRunning: false, lastSqlError: "Duplicate entry '42'", lagSeconds: null }, t), {
      state: 'error',
      reason: "SQL thread stopped: Duplicate entry '42'",
    });
    assert.deepEqual(classify({ ...healthy, ioRunning: 'connecting', lastIoError: 'Connection refused' }, t), {
      state: 'error',
      reason: 'IO thread connecting: Connection refused',
    });
    assert.equal(classify({ ...healthy, ioRunning: 'no', sqlRunning: false }, t).reason, 'IO thread stopped; SQL thread stopped');
  });

  test('unreachable, not replicating, unknown lag', () => {
    const down: ProbeResult = { ...healthy, reachable: false, error: 'Cannot reach 127.0.0.1:1: connection refused', lagSeconds: null };
    assert.deepEqual(classify(down, t), { state: 'error', reason: 'unreachable: Cannot reach 127.0.0.1:1: connection refused' });
    assert.equal(classify({ ...healthy, replicating: false }, t).state, 'error');
    assert.match(classify({ ...healthy, replicating: false }, t).reason, /not replicating/);
    assert.deepEqual(classify({ ...healthy, lagSeconds: null }, t), { state: 'warning', reason: 'lag unknown' });
    assert.equal(classify({ ...healthy, error: 'Access denied' }, t).state, 'error');
  });

  test('roll-up: the worst state and the worst known lag', () => {
    assert.deepEqual(rollUp([]), { state: 'ok', worstLagSeconds: null });
    assert.deepEqual(
      rollUp([
        { state: 'ok', lagSeconds: 0.2 },
        { state: 'warning', lagSeconds: 2.5 },
        { state: 'error', lagSeconds: null },
      ]),
      { state: 'error', worstLagSeconds: 2.5 },
    );
  });

  test('lag text', () => {
    assert.equal(formatLag(0), '0.0s');
    assert.equal(formatLag(0.26), '0.3s');
    assert.equal(formatLag(0.1 + 0.2), '0.3s');
    assert.equal(formatLag(9.94), '10.0s');
    assert.equal(formatLag(42.4), '42.4s');
    assert.equal(formatLag(59.96), '1m 0s');
    assert.equal(formatLag(185), '3m 5s');
    assert.equal(formatLag(7300), '2h 2m');
    assert.equal(formatLag(null), '?');
  });

  test('lag text never rounds down across a threshold: 10.0-10.5 s in error does not read "10s"', () => {
    for (const lag of [10.01, 10.04, 10.3, 10.49]) {
      const { state, reason } = classify({ ...healthy, lagSeconds: lag }, t);
      assert.equal(state, 'error');
      const shown = Number(/^lag (\d+(?:\.\d)?)s > 10s$/.exec(reason)?.[1]);
      assert.ok(shown > t.errorSeconds, `${lag} s shown as ${reason}`);
    }
    assert.equal(formatLag(10.3), '10.3s');
    assert.equal(formatLag(10.01), '10.1s');
    // At the threshold (not above it) the text says so too.
    assert.equal(classify({ ...healthy, lagSeconds: 10 }, t).reason, 'lag 10.0s > 1s');
    assert.equal(formatLag(120.2), '2m 1s');
  });

  test('first heartbeat of the session on its way: ok and pending, then a lower bound that can turn warning and error', () => {
    assert.deepEqual(classify({ ...healthy, lagSeconds: null, lagMeaning: 'pending' }, t), { state: 'ok', reason: PENDING_REASON });
    assert.deepEqual(classify({ ...healthy, lagSeconds: 4, lagMeaning: 'at-least' }, t), {
      state: 'warning',
      reason: "lag ≥ 4.0s > 1s (this session's first heartbeat has not reached the replica)",
    });
    assert.equal(classify({ ...healthy, lagSeconds: 11, lagMeaning: 'at-least' }, t).state, 'error');
    // A stopped thread stays an error whatever the heartbeat says.
    assert.equal(classify({ ...healthy, sqlRunning: false, lagSeconds: null, lagMeaning: 'pending' }, t).state, 'error');
  });

  test("roll-up: a stopped replica's last-applied age is not the worst lag", () => {
    assert.deepEqual(
      rollUp([
        { state: 'ok', lagSeconds: 0.2 },
        { state: 'error', lagSeconds: 30, lagMeaning: 'last-applied' },
        { state: 'ok', lagSeconds: null, lagMeaning: 'pending' },
      ]),
      { state: 'error', worstLagSeconds: 0.2 },
    );
  });
});

describe('heartbeat', () => {
  test('ts round-trips in pt-heartbeat format (UTC, microseconds)', () => {
    const ms = Date.UTC(2026, 10, 23, 9, 15, 41, 123);
    assert.equal(formatTs(ms), '2026-11-23T09:15:41.123000');
    assert.equal(parseTs(formatTs(ms)), ms);
    assert.equal(parseTs('2026-11-23 09:15:41.5'), Date.UTC(2026, 10, 23, 9, 15, 41, 500));
    assert.equal(parseTs('nonsense'), null);
  });

  test('without history (another process writes): now - ts', () => {
    const ts = formatTs(1_000_000);
    assert.deepEqual(heartbeatReading(ts, 1_002_500), { lagSeconds: 2.5 });
    assert.deepEqual(heartbeatReading(ts, 999_000), { lagSeconds: 0 });
    assert.deepEqual(heartbeatReading('bad', 1), { lagSeconds: null });
    assert.equal(heartbeatAge(ts, 1_001_700), 1.7);
    assert.equal(heartbeatAge('bad', 1), null);
  });

  test('with the writer history: the age of the oldest unapplied write', () => {
    const writes = [1000, 1100, 1200, 1300];
    // Replica has the latest write: caught up, whatever the write interval.
    assert.deepEqual(heartbeatReading(formatTs(1300), 1390, { writes, trimmed: false }), { lagSeconds: 0 });
    // Replica has 1100; 1200 has been waiting 0.5 s.
    assert.deepEqual(heartbeatReading(formatTs(1100), 1700, { writes, trimmed: false }), { lagSeconds: 0.5 });
    // A ts older than a trimmed history: the plain difference.
    assert.deepEqual(heartbeatReading(formatTs(10), 2010, { writes, trimmed: true }), { lagSeconds: 2 });
  });

  test('a ts left by an earlier session: pending until the first write arrives or has waited past the limit', () => {
    const sessionStart = 200_000;
    const old = formatTs(sessionStart - 121_000); // the table's row, 2 min old
    // The probe ran before the writer's first write: no "2m 1s" error from the old row.
    assert.deepEqual(heartbeatReading(old, sessionStart + 50, { writes: [], trimmed: false }, 1), { lagSeconds: null, meaning: 'pending' });
    // Written but not replicated yet, and not for long: still unknown.
    const writes = [sessionStart + 100, sessionStart + 300];
    assert.deepEqual(heartbeatReading(old, sessionStart + 400, { writes, trimmed: false }, 1), { lagSeconds: null, meaning: 'pending' });
    // A replica that really is behind: once the first write waited past the limit, its age is a lower bound.
    assert.deepEqual(heartbeatReading(old, sessionStart + 1_600, { writes, trimmed: false }, 1), { lagSeconds: 1.5, meaning: 'at-least' });
    assert.deepEqual(heartbeatReading(old, sessionStart + 12_100, { writes, trimmed: false }, 1), { lagSeconds: 12, meaning: 'at-least' });
    // The first write arrived: a plain reading from then on.
    assert.deepEqual(heartbeatReading(formatTs(sessionStart + 100), sessionStart + 400, { writes, trimmed: false }, 1), { lagSeconds: 0.1 });
    assert.deepEqual(heartbeatReading(formatTs(sessionStart + 300), sessionStart + 400, { writes, trimmed: false }, 1), { lagSeconds: 0 });
  });
});
