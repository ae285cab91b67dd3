import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration } from '../../src/engine/jobs/format.js';
import { workerInfoView } from '../../src/webview-pages/workerInfoView.js';

test('workerInfoView shows a ready worker with its pid and round trip', () => {
  const view = workerInfoView({
    type: 'workerInfo',
    roundTripMs: 3,
    info: { pid: 4242, nodeVersion: 'v20.20.2', engineVersion: '0.1.0', uptimeMs: 61_000, rssBytes: 52 * 1024 * 1024 },
  });
  assert.equal(view.status, 'Worker ready');
  assert.equal(view.ok, true);
  const rows = Object.fromEntries(view.rows.map((r) => [r.label, r.value]));
  assert.equal(rows['Process id'], '4242');
  assert.equal(rows['Uptime'], '1 min 1 s');
  assert.equal(rows['Memory (RSS)'], '52.0 MiB');
  assert.equal(rows['Round trip'], '3 ms');
});

test('workerInfoView names the failure when the worker is down', () => {
  const view = workerInfoView({ type: 'error', message: 'spawn ENOENT' });
  assert.equal(view.ok, false);
  assert.equal(view.status, 'Worker unavailable: spawn ENOENT');
  assert.deepEqual(view.rows, []);
});

test('formatters pick readable units', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  assert.equal(formatDuration(250), '250 ms');
  assert.equal(formatDuration(59_999), '59 s');
  assert.equal(formatDuration(3_723_000), '1 h 2 min');
});
