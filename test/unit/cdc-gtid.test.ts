// MariaDB GTID positions of the change stream (src/engine/cdc/gtid.ts): advancing per committed
// transaction, equality, and whether a server's @@gtid_binlog_state holds every transaction a job
// position names (the guard that keeps a sync on another server from skipping ahead), and the
// GEOMETRY re-labelling that makes zongji hand over spatial values as their stored bytes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { advanceGtidPosition, formatGtidPosition, parseGtidPosition, sameGtidPosition, uncoveredGtids } from '../../src/engine/cdc/gtid.js';
import { rawGeometryColumns } from '../../src/engine/cdc/geometry.js';

test('a position advances per domain, exactly beyond 2^53, and ignores commits without a GTID', () => {
  assert.equal(advanceGtidPosition('0-1-10,1-3-5', '0-1-11'), '0-1-11,1-3-5');
  assert.equal(advanceGtidPosition('1-3-5', '0-2-1'), '0-2-1,1-3-5');
  assert.equal(advanceGtidPosition(null, '0-1-7'), '0-1-7');
  assert.equal(advanceGtidPosition('0-1-7', undefined), '0-1-7');
  assert.equal(advanceGtidPosition(null, null), null);
  // MySQL: the last transaction's GTID, as before; a MySQL set is not extended
  assert.equal(advanceGtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5', '3e11fa47-71ca-11e1-9e33-c80aa9429562:6'), '3e11fa47-71ca-11e1-9e33-c80aa9429562:6');
  assert.equal(advanceGtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5', '0-1-2'), '0-1-2');
  assert.equal(advanceGtidPosition('0-1-18446744073709551614', '0-1-18446744073709551615'), '0-1-18446744073709551615');
  // after a failover the new server's numbers may be lower: last applied wins, as MariaDB keeps it
  assert.equal(advanceGtidPosition('0-1-100', '0-2-3'), '0-2-3');
});

test('positions parse strictly and compare by content, not by text', () => {
  assert.ok(sameGtidPosition('1-3-5, 0-1-10', '0-1-10,1-3-5'));
  assert.ok(!sameGtidPosition('0-1-10', '0-1-11'));
  assert.ok(sameGtidPosition('', null));
  assert.equal(formatGtidPosition(parseGtidPosition(' 2-1-1 ,0-1-9')), '0-1-9,2-1-1');
  assert.throws(() => parseGtidPosition('0-1-1,0-2-2'), /names domain 0 twice/);
  assert.throws(() => parseGtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'), /not a MariaDB GTID/);
});

test('a server covers a position only when it logged every named transaction under the same server id', () => {
  assert.deepEqual(uncoveredGtids('0-1-10', '0-1-10'), []);
  assert.deepEqual(uncoveredGtids('0-1-10', '0-1-12,0-2-3'), []);
  assert.deepEqual(uncoveredGtids('0-1-10', '0-1-9'), ['0-1-10'], 'behind');
  assert.deepEqual(uncoveredGtids('0-1-10', '0-2-50'), ['0-1-10'], 'another server id only: a different history');
  assert.deepEqual(uncoveredGtids('0-1-10,1-1-4', '0-1-10'), ['1-1-4'], 'a domain it never logged');
  assert.deepEqual(uncoveredGtids('0-1-10', ''), ['0-1-10']);
});

test('GEOMETRY columns of a table map become raw BLOBs, nothing else changes', () => {
  const entry = {
    columns: [
      { type: 3, charset: null },
      { type: 255, charset: 'binary' },
      { type: 252, charset: 'utf8mb4' },
    ],
  };
  assert.equal(rawGeometryColumns(entry), 1);
  assert.deepEqual(entry.columns, [
    { type: 3, charset: null },
    { type: 252, charset: null },
    { type: 252, charset: 'utf8mb4' },
  ]);
  assert.equal(rawGeometryColumns(undefined), 0);
});
