import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration } from '../../src/engine/jobs/format.js';

test('formatBytes: binary units, whole bytes, one decimal above', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(2 * 1024 ** 2), '2.0 MiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  assert.equal(formatBytes(5 * 1024 ** 4), '5.0 TiB');
  assert.equal(formatBytes(Number.NaN), '? B');
});

test('formatDuration: milliseconds in, whole units out, unknown for nothing', () => {
  assert.equal(formatDuration(250), '250 ms');
  assert.equal(formatDuration(1000), '1 s');
  assert.equal(formatDuration(59_999), '59 s');
  assert.equal(formatDuration(73_000), '1 min 13 s');
  assert.equal(formatDuration(3_723_000), '1 h 2 min');
  assert.equal(formatDuration(-5), '0 ms');
  assert.equal(formatDuration(null), 'unknown');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), 'unknown');
});
