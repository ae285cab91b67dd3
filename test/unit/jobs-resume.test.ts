import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProfileSetting } from '../../src/engine/topology/profileModel.js';
import type { JobState, JobSummary } from '../../src/engine/jobs/types.js';
import { clock, jobSummary } from './jobsFixture.js';
import { JobsModel, resumeKind, rowContext, describeRow } from '../../src/jobs/jobsModel.js';
import { JobProgressStore } from '../../src/jobs/progressStore.js';
import { findProfileServer } from '../../src/jobs/resume.js';
import { progressView } from '../../src/webview-pages/progressView.js';

const summary = (id: string, state: JobState = 'copying'): JobSummary =>
  jobSummary(id, { state }, { source: { host: '127.0.0.1', port: 3306, user: 'rwadmin', name: 'replica1' }, target: { host: '127.0.0.1', port: 3309, user: 'rwadmin' } });

describe('Resume: which action for which job state', () => {
  test('paused is un-paused in the worker; cancelled and failed continue from the checkpoint', () => {
    const row = (state: JobState, interrupted = false) => ({ state, interrupted });
    assert.equal(resumeKind(row('paused')), 'unpause');
    assert.equal(resumeKind(row('cancelled')), 'checkpoint');
    assert.equal(resumeKind(row('failed')), 'checkpoint');
    for (const s of ['planning', 'copying', 'done', 'refused'] as const) assert.equal(resumeKind(row(s)), null, s);
    // Interrupted (checkpoint says active, no worker runs it): only the checkpoint continues it.
    for (const s of ['planning', 'copying', 'paused'] as const) assert.equal(resumeKind(row(s, true)), 'checkpoint', s);
    assert.equal(resumeKind(row('done', true)), null);
  });

  test('cancelled and failed rows offer Resume in the Jobs view; done ones do not', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('c', 'cancelled'), summary('f', 'failed'), summary('d', 'done'), summary('r', 'refused')]);
    assert.equal(rowContext(m.get('c')!), 'type=job,state=cancelled,resume');
    assert.equal(rowContext(m.get('f')!), 'type=job,state=failed,resume');
    assert.equal(rowContext(m.get('d')!), 'type=job,state=done,sync,syncfrom');
    assert.equal(rowContext(m.get('r')!), 'type=job,state=refused');
  });

  test('a listed active job no worker holds is interrupted: Resume only, no pause or cancel', () => {
    const m = new JobsModel(clock);
    m.applySummaries([summary('gone', 'copying'), summary('running', 'copying')]);
    m.markHeld(new Set(['running']));
    assert.equal(m.get('gone')!.interrupted, true);
    assert.equal(m.get('running')!.interrupted, false);
    assert.equal(rowContext(m.get('gone')!), 'type=job,state=copying,resume');
    assert.equal(rowContext(m.get('running')!), 'type=job,state=copying,pause,cancel');
    assert.match(describeRow(m.get('gone')!), /^interrupted \(copying\) · 10 rows$/);
    // A job seen live in this session is not interrupted by a listing that raced its start.
    m.applyEvent({ type: 'state', jobId: 'fresh', state: 'copying' });
    m.markHeld(new Set());
    assert.equal(m.get('fresh')!.interrupted, false);
  });

  test('the row keeps the endpoints without passwords; resuming makes it active so its events count again', () => {
    const m = new JobsModel(clock);
    const s = summary('c', 'cancelled');
    s.spec.source.password = 'secret';
    m.applySummaries([s]);
    const row = m.get('c')!;
    assert.deepEqual(row.endpoints, {
      source: { host: '127.0.0.1', port: 3306, user: 'rwadmin', name: 'replica1' },
      target: { host: '127.0.0.1', port: 3309, user: 'rwadmin' },
      sourceDatabase: 'shop',
      targetDatabase: 'shop_copy',
    });
    // A finished row ignores active events...
    m.applyEvent({ type: 'state', jobId: 'c', state: 'copying' });
    assert.equal(m.get('c')!.view.state, 'cancelled');
    // ...until Resume re-opens it.
    const before = m.applyResuming('c');
    assert.equal(before?.view.state, 'cancelled');
    assert.equal(m.get('c')!.view.state, 'planning');
    m.applyEvent({ type: 'state', jobId: 'c', state: 'copying' });
    assert.equal(m.get('c')!.view.state, 'copying');
    m.applyResult({ jobId: 'c', state: 'done', rows: 100, bytes: 1, seconds: 2 });
    assert.equal(m.get('c')!.view.state, 'done');
    m.restore(before!);
    assert.equal(m.get('c')!.view.state, 'cancelled');
  });

  test('the progress store clears the earlier result on restart, so the panel shows the job running', () => {
    const store = new JobProgressStore({ minIntervalMs: 0, clock: () => 1000 });
    store.begin('c', null);
    store.finish({ jobId: 'c', state: 'cancelled', rows: 40, bytes: 1, seconds: 1, message: 'cancelled' });
    assert.equal(progressView(JSON.parse(JSON.stringify((store.replay('c') as { snapshot: unknown }).snapshot)), []).finished, true);
    store.restart('c');
    const replay = store.replay('c');
    assert.ok(replay && replay.type === 'snapshot');
    assert.equal(replay.snapshot.result, undefined);
    const v = progressView(replay.snapshot, []);
    assert.equal(v.finished, false);
    assert.equal(v.stateText, 'Planning');
  });
});

describe('Resume: passwords come from the profile server the stored spec names', () => {
  const profiles: ProfileSetting[] = [
    { name: 'sandbox', primary: { host: '127.0.0.1', port: 3306, user: 'rwadmin' }, replicas: [{ host: '127.0.0.1', port: 3307, user: 'rwadmin', name: 'replica1' }] },
    { name: 'also-3309', primary: { host: '127.0.0.1', port: 3309, user: 'rwadmin' } },
    { name: 'sandbox-target', primary: { host: '127.0.0.1', port: 3309, user: 'rwadmin' }, target: true },
  ];

  test('matches host, port and user, replicas included', () => {
    assert.equal(findProfileServer(profiles, { host: '127.0.0.1', port: 3307, user: 'rwadmin' }, 'source')?.server.name, 'replica1');
    assert.equal(findProfileServer(profiles, { host: '127.0.0.1', port: 3306, user: 'rwadmin' }, 'source')?.profile.name, 'sandbox');
    assert.equal(findProfileServer(profiles, { host: '127.0.0.1', port: 3306, user: 'other' }, 'source'), undefined);
    assert.equal(findProfileServer(profiles, { host: '10.0.0.1', port: 3306, user: 'rwadmin' }, 'source'), undefined);
  });

  test('prefers a target profile for the target and another for the source', () => {
    const server = { host: '127.0.0.1', port: 3309, user: 'rwadmin' };
    assert.equal(findProfileServer(profiles, server, 'target')?.profile.name, 'sandbox-target');
    assert.equal(findProfileServer(profiles, server, 'source')?.profile.name, 'also-3309');
  });

  test('a profile server without user or port uses the defaults (root, 3306)', () => {
    const p: ProfileSetting[] = [{ name: 'defaults', primary: { host: 'db' } }];
    assert.equal(findProfileServer(p, { host: 'db', port: 3306, user: 'root' }, 'source')?.profile.name, 'defaults');
  });
});
