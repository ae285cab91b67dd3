import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { humanRenderer, plannedLine, retryLine, snapshotsNote } from '../../src/cli/render';
import { INCREMENTAL_BLIND_SPOTS } from '../../src/engine/jobs/modes.js';

const first = { binlogFile: 'bin.000001', binlogPosition: 100, gtidBinlogPos: '0-1-10', exact: true };
const later = { binlogFile: 'bin.000001', binlogPosition: 900, gtidBinlogPos: '0-1-19', exact: true };

describe('cli render: snapshots and retries', () => {
  it('a first run names its one snapshot', () => {
    assert.equal(plannedLine({ type: 'planned', jobId: 'j', tables: [], snapshot: first, runSnapshot: first, snapshotCount: 1 }), 'job j: 0 tables, snapshot bin.000001:100 gtid 0-1-10');
  });

  it('a resumed run names this run\'s snapshot and the first one, to apply changes from', () => {
    const line = plannedLine({ type: 'planned', jobId: 'j', tables: [], snapshot: first, runSnapshot: later, snapshotCount: 2 });
    assert.equal(line, 'job j: 0 tables, snapshot 2 of this job at bin.000001:900 gtid 0-1-19; changes must be applied from snapshot 1 at bin.000001:100 gtid 0-1-10');
  });

  it('an approximate position says so', () => {
    assert.match(plannedLine({ type: 'planned', jobId: 'j', tables: [], snapshot: { ...first, exact: false } }), /approximate: not read at the snapshot/);
  });

  it('the result of a job with 2 snapshots says what that means', () => {
    assert.equal(snapshotsNote({ jobId: 'j', state: 'done', rows: 1, bytes: 1, seconds: 1, snapshotCount: 1, applyFrom: first }), null);
    assert.equal(
      snapshotsNote({ jobId: 'j', state: 'done', rows: 1, bytes: 1, seconds: 1, snapshotCount: 2, applyFrom: first }),
      "2 snapshots: rows copied after the resume reflect a later point; apply changes from the first snapshot's position (bin.000001:100 gtid 0-1-10) to converge",
    );
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const r = humanRenderer(stream);
    r.event({ type: 'retry', jobId: 'j', what: 'big chunk 3', attempt: 1, retriesLeft: 5, cause: 'connection lost', error: 'Connection was killed' });
    r.result({ jobId: 'j', state: 'done', rows: 10, bytes: 10, seconds: 1, snapshotCount: 2, applyFrom: first, retries: 1 });
    const text = out.join('');
    assert.match(text, /retrying big chunk 3 after connection lost \(attempt 1 failed, 5 retries left\): Connection was killed/);
    assert.match(text, /done: job j, 10 rows, .*, 1 retry after transient faults/);
    assert.match(text, /2 snapshots: rows copied after the resume reflect a later point/);
  });

  it('the result of an incremental run lists each mark, says what the mode does not see and how to go on', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    humanRenderer(stream).result({
      jobId: 'j', state: 'done', rows: 3, bytes: 30, seconds: 1, message: INCREMENTAL_BLIND_SPOTS,
      watermarks: [{ table: 'orders', mark: '2026-01-01 00:00:11.250001', rows: 3 }, { table: 'empty', mark: null, rows: 0 }],
    });
    const text = out.join('');
    assert.match(text, /orders: 3 rows this run, mark 2026-01-01 00:00:11\.250001/);
    assert.match(text, /empty: 0 rows this run, mark \(none yet: no rows\)/);
    assert.ok(text.includes(INCREMENTAL_BLIND_SPOTS));
    assert.match(text, /next increment: rw-migrate sync j/);
  });

  it('a retry line reads naturally with one retry left', () => {
    assert.match(retryLine({ type: 'retry', jobId: 'j', what: 't chunk 0', attempt: 5, retriesLeft: 1, cause: 'deadlock', error: 'x' }), /1 retry left/);
  });
});
