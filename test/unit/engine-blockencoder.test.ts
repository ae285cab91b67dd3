import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockEncoder, SqlValuesEncoder, decodeRows, encodeRows, encodedLength, packetCells, releaseBlocks } from '../../src/engine/copy/encoder';
import type { RawRow } from '../../src/engine/db/rawRows';
import { valueLiteral, type ColumnCodec } from '../../src/engine/db/sql';
import { BoundedQueue } from '../../src/engine/copy/queue';

/** A text-protocol row packet payload: length-coded cells, 0xfb for NULL. */
function rowPacket(row: RawRow): Buffer {
  const parts: Buffer[] = [];
  for (const v of row) {
    if (v === null) parts.push(Buffer.from([0xfb]));
    else if (v.length < 0xfb) parts.push(Buffer.from([v.length]), v);
    else if (v.length < 0x10000) {
      const h = Buffer.alloc(3);
      h[0] = 0xfc;
      h.writeUInt16LE(v.length, 1);
      parts.push(h, v);
    } else {
      const h = Buffer.alloc(4);
      h[0] = 0xfd;
      h.writeUIntLE(v.length, 1, 3);
      parts.push(h, v);
    }
  }
  return Buffer.concat(parts);
}

const tricky = Buffer.from([0, 9, 10, 13, 92, 65, 0xf0, 0x9f, 0x98, 0x80]);
const rows: RawRow[] = [
  [Buffer.from('1'), Buffer.from('plain'), null, Buffer.from('')],
  [Buffer.from('2'), tricky, Buffer.from('x'.repeat(70) + '\t\\'), null],
  [Buffer.from('3'), Buffer.alloc(300, 92), Buffer.alloc(70_000, 10), Buffer.from('k')],
];

describe('BlockEncoder', () => {
  it('row() encodes exactly like encodeRows, across small blocks', () => {
    const enc = new BlockEncoder(64);
    for (const r of rows) enc.row(r, [0, 1, 2, 3]);
    const blocks = enc.finish();
    assert.ok(blocks.length > 1);
    const expected = encodeRows(rows, [0, 1, 2, 3]);
    assert.deepEqual(Buffer.concat(blocks), expected);
    assert.equal(enc.bytes, expected.length);
    assert.equal(encodedLength(rows, [0, 1, 2, 3]), expected.length);
    assert.deepEqual(decodeRows(Buffer.concat(blocks), 4), rows);
  });

  it('packetRow() encodes row packets like encodeRows and skips key-only columns', () => {
    const enc = new BlockEncoder(128);
    for (const r of rows) {
      const p = Buffer.concat([Buffer.from('junk'), rowPacket(r), Buffer.from('tail')]);
      enc.packetRow(p, 4, p.length - 4, 4, 3);
    }
    assert.deepEqual(Buffer.concat(enc.finish()), encodeRows(rows, [0, 1, 2]));
  });

  it('packetCells() reads cells back; malformed packets throw', () => {
    const p = rowPacket(rows[2]);
    assert.deepEqual(packetCells(p, 0, p.length, 4), rows[2]);
    const enc = new BlockEncoder();
    assert.throws(() => enc.packetRow(p, 0, p.length - 1, 4, 4), /past its end|shorter/);
  });

  it('released blocks are reused by the next encoder', () => {
    const a = new BlockEncoder();
    a.row([Buffer.from('a')], [0]);
    const blocks = a.finish();
    const underlying = blocks[0].buffer;
    releaseBlocks(blocks);
    assert.equal(blocks.length, 0);
    const b = new BlockEncoder();
    b.row([Buffer.from('b')], [0]);
    assert.equal(b.finish()[0].buffer, underlying);
  });
});

describe('BoundedQueue budget', () => {
  it('holds back puts over the cost budget but always admits one item', async () => {
    const q = new BoundedQueue<number>(10, { maxCost: 10, cost: (n) => n });
    assert.equal(await q.put(25), true); // over budget alone: admitted
    let second = false;
    const p = q.put(3).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false);
    assert.equal(await q.take(), 25);
    await p;
    assert.equal(second, true);
    assert.deepEqual(q.size, { items: 1, cost: 3 });
    q.end();
    assert.equal(await q.take(), 3);
    assert.equal(await q.take(), null);
  });
});

describe('SqlValuesEncoder', () => {
  const num: ColumnCodec = { kind: 'number', charset: null, collation: null };
  const str: ColumnCodec = { kind: 'string', charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' };
  const cells = ['12', '-1.5', '+.5e-3', '1e', '.', '', '0x1F', "it's", 'a\\b', 'plain text', '\u00e9t\u00e9', '2024-01-02 03:04:05.678'];

  it('matches valueLiteral with plain literals off, numbers checked like its regex', () => {
    const enc = new SqlValuesEncoder([true, false], [false, false]);
    const rows: RawRow[] = cells.map((c) => [Buffer.from(c), Buffer.from(c)]);
    rows.push([null, null]);
    for (const r of rows) enc.row(r, [0, 1]);
    const expected = rows.map((r) => `(${valueLiteral(num, r[0])}, ${valueLiteral(str, r[1])})`).join(', ');
    assert.equal(enc.finish(), expected);
  });

  it("writes printable ASCII without quote or backslash as 'text' where allowed", () => {
    const enc = new SqlValuesEncoder([false], [true]);
    for (const c of ['plain text', "it's", '\u00e9']) enc.row([Buffer.from(c)], [0]);
    assert.equal(enc.finish(), `('plain text'), (${valueLiteral(str, Buffer.from("it's"))}), (${valueLiteral(str, Buffer.from('\u00e9'))})`);
  });
});

describe('BlockEncoder: sparse rows at the block edge', () => {
  // A BIGINT key and 40 mostly-NULL columns: each NULL is 1 packet byte but 3 encoded bytes.
  const sparse = (i: number): RawRow => [Buffer.from(String(100_000 + i)), ...Array.from({ length: 40 }, (_, c) => (c === i % 40 && i % 3 === 0 ? Buffer.from(String(i)) : null))];

  it('packetRow() keeps every sparse row whole at every offset of a small block', () => {
    const all: RawRow[] = Array.from({ length: 400 }, (_, i) => sparse(i));
    for (const blockBytes of [64, 97, 128, 200, 256]) {
      const enc = new BlockEncoder(blockBytes);
      for (const r of all) {
        const p = rowPacket(r);
        enc.packetRow(p, 0, p.length, 41, 41);
      }
      const data = Buffer.concat(enc.finish());
      assert.deepEqual(data, encodeRows(all, Array.from({ length: 41 }, (_, i) => i)), `block size ${blockBytes}`);
      assert.deepEqual(decodeRows(data, 41), all);
    }
  });

  it('packetRow() keeps 200,000 sparse rows whole across real 256 KB blocks', () => {
    const enc = new BlockEncoder();
    const packets = Array.from({ length: 97 }, (_, i) => rowPacket(sparse(i)));
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const p = packets[i % packets.length];
      enc.packetRow(p, 0, p.length, 41, 41);
    }
    const blocks = enc.finish();
    assert.ok(blocks.length > 10, `${blocks.length} blocks`);
    const data = Buffer.concat(blocks);
    assert.equal(enc.bytes, data.length);
    let lines = 0;
    for (const b of data) if (b === 10) lines++;
    assert.equal(lines, n, 'one line per row');
    const decoded = decodeRows(data, 41);
    assert.equal(decoded.length, n);
    assert.deepEqual(decoded[n - 1], sparse((n - 1) % 97));
    releaseBlocks(blocks);
  });
});
