import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { behindSecondsOf, newestReached, nextStreamPhase, phaseRule, startPhase, type StreamPhaseState } from '../../src/engine/hybrid/phaseMachine.js';
import { firstTablesFirst } from '../../src/engine/copy/planner.js';
import { buildCopySpec } from '../../src/cli/options';
import { cutoverLines, inSyncLine, streamLine } from '../../src/cli/render';

const rule = phaseRule(1, 5_000);

/** Feeds readings (seconds behind, at ms) through the machine; the phase after each. */
function run(readings: [number | null, number][], from: StreamPhaseState = startPhase()): string[] {
  let s = from;
  return readings.map(([behind, at]) => (s = nextStreamPhase(s, behind, at, rule)).phase);
}

describe('hybrid: in-sync and catching-up', () => {
  it('starts catching up and is in sync at the first reading under the threshold', () => {
    assert.deepEqual(run([[null, 0], [30, 1000], [4, 2000], [0.99, 3000], [0.2, 4000]]), ['catching-up', 'catching-up', 'catching-up', 'in-sync', 'in-sync']);
  });

  it('the threshold itself is not in sync (behind < threshold)', () => {
    assert.deepEqual(run([[1, 0]]), ['catching-up']);
  });

  it('stays in sync over short spikes, falls back only after more than the grace period over the threshold', () => {
    const inSync: StreamPhaseState = { phase: 'in-sync', overSince: null };
    // over at 0..5000 (exactly the grace: still in sync), 5001: out
    assert.deepEqual(run([[3, 0], [3, 2500], [3, 5000], [3, 5001]], inSync), ['in-sync', 'in-sync', 'in-sync', 'catching-up']);
    // a reading under the threshold resets the clock
    assert.deepEqual(run([[3, 0], [3, 4000], [0.5, 4500], [3, 6000], [3, 10_000], [3, 11_001]], inSync), ['in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync', 'catching-up']);
    // no reading while in sync (source unreachable, nothing known) is not evidence of being in sync:
    // it counts as over the threshold, so the job leaves in-sync after the grace period
    assert.deepEqual(run([[null, 0], [null, 4_000], [null, 5_001]], inSync), ['in-sync', 'in-sync', 'catching-up']);
    // while catching up it is no evidence either way: the phase stays
    assert.deepEqual(run([[null, 0], [null, 60_000]]), ['catching-up', 'catching-up']);
  });

  it('a custom threshold, and a bad one falls back to the default 1 s', () => {
    assert.equal(nextStreamPhase(startPhase(), 4, 0, phaseRule(5)).phase, 'in-sync');
    assert.equal(phaseRule(undefined).thresholdSeconds, 1);
    assert.equal(phaseRule(0).thresholdSeconds, 1);
    assert.equal(phaseRule(Number.NaN).thresholdSeconds, 1);
  });
});

describe('hybrid: seconds behind', () => {
  const p = (file: string, position: number) => ({ file, position });
  it('is 0 at the source position with nothing pending, however old the last transaction', () => {
    assert.equal(behindSecondsOf({ applied: p('b.000002', 500), source: p('b.000002', 500), pending: 0, lastCommitAt: 0, now: 1e9 }), 0);
    assert.equal(behindSecondsOf({ applied: p('b.000003', 4), source: p('b.000002', 500), pending: 0, lastCommitAt: null, now: 1e9 }), 0);
  });
  it('is now minus the last applied commit otherwise, and unknown before any', () => {
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 500), pending: 0, lastCommitAt: 10_000, now: 12_500 }), 2.5);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 500), source: p('b.000002', 500), pending: 3, lastCommitAt: 10_000, now: 10_400 }), 0.4);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: null, pending: 0, lastCommitAt: null, now: 1 }), null);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000010', 4), pending: 0, lastCommitAt: 20_000, now: 10_000 }), 0, 'a clock behind the source is not negative');
  });
  it('takes the newest source reading the applied position has reached when it bounds tighter than the whole-second commit time', () => {
    // Commit time 10 s (whole seconds), now 10.96 s: 1.0 s by the commit time alone, though the
    // target has reached the position read at 10.70 s: 0.26 s at most.
    const readings = [
      { position: p('b.000002', 300), at: 10_450 },
      { position: p('b.000002', 400), at: 10_700 },
      { position: p('b.000002', 450), at: 10_950 },
    ];
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 450), pending: 2, lastCommitAt: 10_000, sourceReadings: readings, now: 10_960 }), 0.3);
    // Readings past the applied position say nothing: the commit time's bound stays.
    assert.equal(behindSecondsOf({ applied: p('b.000002', 200), source: p('b.000002', 450), pending: 2, lastCommitAt: 10_000, sourceReadings: readings, now: 10_960 }), 1);
    // A tighter commit-time bound wins over an old reading; a reading alone is enough.
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 450), pending: 0, lastCommitAt: 10_900, sourceReadings: readings, now: 10_960 }), 0.1);
    assert.equal(behindSecondsOf({ applied: p('b.000003', 4), source: p('b.000003', 90), pending: 0, lastCommitAt: null, sourceReadings: readings, now: 11_450 }), 0.5);
  });
  it('a paused job with no applied commit still says how far behind it falls: the newest reading it ever reached, kept beyond the window', () => {
    // Paused at b.000002:400 (reached by the reading sent at 10.7 s); the recent readings are all past it.
    const recent = [
      { position: p('b.000002', 900), at: 30_000 },
      { position: p('b.000002', 950), at: 30_250 },
    ];
    assert.equal(newestReached(p('b.000002', 400), recent, 10_700), 10_700);
    assert.equal(newestReached(p('b.000002', 950), recent, 10_700), 30_250);
    assert.equal(newestReached(p('b.000002', 400), recent, null), null);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 950), pending: 120, lastCommitAt: null, sourceReadings: recent, now: 30_300 }), null);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 950), pending: 120, lastCommitAt: null, sourceReadings: recent, reachedAt: 10_700, now: 30_300 }), 19.6);
    assert.equal(behindSecondsOf({ applied: p('b.000002', 400), source: p('b.000002', 950), pending: 120, lastCommitAt: null, sourceReadings: recent, reachedAt: 10_700, now: 31_300 }), 20.6, 'grows while nothing is applied');
  });
});

describe('hybrid: first tables and options', () => {
  it('puts the first tables in front, in their order, and refuses unknown ones with the fix', () => {
    assert.deepEqual(firstTablesFirst(['a', 'b', 'c', 'd'], ['c', 'a']), ['c', 'a', 'b', 'd']);
    assert.deepEqual(firstTablesFirst(['a', 'b'], undefined), ['a', 'b']);
    assert.throws(() => firstTablesFirst(['a', 'b'], ['z']), /first table\(s\) z are not among the job's tables \(a, b\).*Fix/);
  });

  it('--mode hybrid with --first and --sync-threshold; clear errors otherwise', () => {
    const base = { from: 'mysql://u@a:1/src', to: 'mysql://u@b:2/dst' };
    const s = buildCopySpec({ ...base, tables: 'a,b,c', mode: 'hybrid', first: 'c, b', syncThreshold: '2.5' });
    assert.equal(s.mode, 'hybrid');
    assert.deepEqual(s.first, ['c', 'b']);
    assert.equal(s.syncThresholdSeconds, 2.5);
    assert.deepEqual(buildCopySpec({ ...base, all: true, mode: 'hybrid', first: 'x' }).first, ['x'], 'with --all the engine checks');
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', mode: 'hybrid', first: 'b' }), /--first names b, not among the job's tables \(a\)/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', first: 'a' }), /--first .* --mode hybrid/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', syncThreshold: '1' }), /--sync-threshold is for --mode hybrid/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', mode: 'hybrid', syncThreshold: '0' }), /--sync-threshold must be a number/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', mode: 'bogus' }), /--mode bogus is not supported \(choose one of: full, incremental, hybrid\)/);
    // --apply: how the hybrid job's change stream reaches the target
    assert.equal(buildCopySpec({ ...base, tables: 'a', mode: 'hybrid', apply: 'sql' }).applyMethod, 'sql');
    assert.equal('applyMethod' in buildCopySpec({ ...base, tables: 'a', mode: 'hybrid' }), false, 'auto unless asked');
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', apply: 'binlog' }), /--apply is for --mode hybrid.*rw-migrate sync/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', mode: 'hybrid', apply: 'fast' }), /--apply must be auto, binlog or sql/);
  });

  it('the in-sync line and the stream line say where the stream stands', () => {
    const e = { type: 'stream' as const, jobId: 'j', events: 1200, transactions: 40, eventsPerSecond: 300, behindSeconds: 0.4, behindEvents: 12, position: { file: 'b.000002', position: 777 } };
    assert.deepEqual(inSyncLine('j', e), { type: 'state', state: 'in-sync', jobId: 'j', behindSeconds: 0.4, behindEvents: 12, position: { file: 'b.000002', position: 777 } });
    assert.equal(streamLine(e), 'following: behind 0.4 s, 12 events pending; applied 1,200 events in 40 transactions (300/s) up to b.000002:777');
  });

  it('a finished cut-over ends with where, how long, the tables and how to lift the block', () => {
    const lines = cutoverLines({
      block: 'lock',
      finalPosition: { file: 'b.000003', position: 42 },
      finalGtid: '0-1-9',
      blockedToCaughtUpMs: 180,
      verifyMs: 95,
      tables: [{ table: 'items', rows: 1200, match: true }],
      lift: ['DROP TRIGGER `db`.`t1`'],
    });
    assert.deepEqual(lines, [
      'cut over (block lock) at b.000003:42, GTID 0-1-9: writes blocked until the target caught up 180 ms, verified in 95 ms',
      '  items: 1,200 rows, match',
      'writes stay blocked on the source; switch the application to the target, then lift the block with:',
      '  DROP TRIGGER `db`.`t1`;',
    ]);
  });
});
