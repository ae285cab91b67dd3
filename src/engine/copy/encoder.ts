/**
 * Encodes raw row bytes for LOAD DATA ... CHARACTER SET binary FIELDS TERMINATED BY '\t'
 * ESCAPED BY '\\' LINES TERMINATED BY '\n'. The bytes are the source's own (character_set_results
 * = binary), so only the four bytes that LOAD DATA interprets are escaped and nothing is re-encoded.
 */
import type { RawRow } from '../db/rawRows.js';

const TAB = 9;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;

/** Escapes for the bytes LOAD DATA would otherwise read as structure. */
const ESCAPE = new Int16Array(256).fill(-1);
ESCAPE[0] = 0x30; // \0
ESCAPE[TAB] = 0x74; // \t
ESCAPE[LF] = 0x6e; // \n
ESCAPE[CR] = 0x72; // \r
ESCAPE[BACKSLASH] = BACKSLASH; // \\

/**
 * Copies one value into `out` at `p` with LOAD DATA's escapes (backslash, tab, newline, NUL...), runs
 * without an escape in one copy; returns the new position. `out` must have room for 2 * v.length.
 */
function escapeInto(v: Buffer, out: Buffer, p: number): number {
  let start = 0;
  for (let j = 0; j < v.length; j++) {
    const e = ESCAPE[v[j]];
    if (e < 0) continue;
    if (j > start) p += v.copy(out, p, start, j);
    out[p++] = BACKSLASH;
    out[p++] = e;
    start = j + 1;
  }
  if (start < v.length) p += v.copy(out, p, start, v.length);
  return p;
}

/** Columns picked from each row (generated columns are read for the key but never written). */
export function encodeRows(rows: RawRow[], columns: readonly number[]): Buffer {
  let worst = 0;
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c];
      worst += v === null ? 3 : v.length * 2 + 1;
    }
  }
  const out = Buffer.allocUnsafe(worst + rows.length);
  let p = 0;
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) out[p++] = TAB;
      const v = row[columns[i]];
      if (v === null) {
        out[p++] = BACKSLASH;
        out[p++] = 0x4e; // N
        continue;
      }
      p = escapeInto(v, out, p);
    }
    out[p++] = LF;
  }
  // The worst case reserved twice the bytes; a queued chunk should not pin the unused half.
  return p < out.length * 0.75 ? Buffer.from(out.subarray(0, p)) : out.subarray(0, p);
}

/** Bytes encodeRows would produce, without producing them (the INSERT path's byte count). */
export function encodedLength(rows: RawRow[], columns: readonly number[]): number {
  let n = 0;
  for (const row of rows) {
    n += columns.length; // separators and the line end
    for (const c of columns) {
      const v = row[c];
      if (v === null) {
        n += 2;
        continue;
      }
      n += v.length;
      for (let j = 0; j < v.length; j++) if (ESCAPE[v[j]] >= 0) n++;
    }
  }
  return n;
}

/** Block size of BlockEncoder: what mysql2 copies per LOAD DATA packet, and the unit of backpressure. */
export const BLOCK_BYTES = 256 * 1024;

/**
 * Blocks whose load finished come back here and are reused: a block lives for seconds (read, queued,
 * loaded), long enough to reach V8's old generation, where dead ones would wait for a full GC while
 * new ones are allocated; reusing them keeps the copy's buffer memory at what is in flight.
 */
const pool: Buffer[] = [];
const POOL_MAX = 128;

function takeBlock(size: number): Buffer {
  if (size === BLOCK_BYTES) {
    const b = pool.pop();
    if (b) return b;
  }
  return Buffer.allocUnsafeSlow(size);
}

/**
 * Hands blocks from BlockEncoder.finish() back for reuse. Only call this once nothing reads them any
 * more (their LOAD DATA statement has returned).
 */
export function releaseBlocks(blocks: Buffer[]): void {
  for (const b of blocks) {
    if (pool.length >= POOL_MAX) break;
    // A sealed block is a view of a whole BLOCK_BYTES allocation of its own (allocUnsafeSlow).
    if (b.byteOffset === 0 && b.buffer.byteLength === BLOCK_BYTES) pool.push(Buffer.from(b.buffer, 0, BLOCK_BYTES));
  }
  blocks.length = 0;
}

/**
 * Encodes rows one at a time, as they arrive from the server, into fixed-size blocks: no row is
 * kept after it is encoded (its cells are slices that pin mysql2's network buffers), nothing is
 * reserved at twice the size, and the blocks go to LOAD DATA as they are, without a final concat.
 */
export class BlockEncoder {
  private readonly blocks: Buffer[] = [];
  private cur: Buffer;
  private p = 0;
  private sealed = 0;

  constructor(private readonly blockBytes = BLOCK_BYTES) {
    this.cur = takeBlock(blockBytes);
  }

  /** Encoded bytes so far. */
  get bytes(): number {
    return this.sealed + this.p;
  }

  private room(n: number): void {
    if (this.cur.length - this.p >= n) return;
    if (this.p === 0 && this.cur.length === BLOCK_BYTES) releaseBlocks([this.cur]);
    this.seal();
    this.cur = takeBlock(Math.max(this.blockBytes, n));
    this.p = 0;
  }

  private seal(): void {
    if (this.p === 0) return;
    const used = this.cur.subarray(0, this.p);
    // An oversized block (one huge value) should not pin its unused worst-case half.
    this.blocks.push(this.cur.length > this.blockBytes && this.p < this.cur.length * 0.75 ? Buffer.from(used) : used);
    this.sealed += this.p;
  }

  row(row: RawRow, columns: readonly number[]): void {
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]];
      if (v === null) {
        this.room(3);
        const out = this.cur;
        if (i > 0) out[this.p++] = TAB;
        out[this.p++] = BACKSLASH;
        out[this.p++] = 0x4e; // N
        continue;
      }
      this.room(v.length * 2 + 2);
      const out = this.cur;
      let p = this.p;
      if (i > 0) out[p++] = TAB;
      this.p = escapeInto(v, out, p);
    }
    this.room(1);
    this.cur[this.p++] = LF;
  }

  /**
   * One text-protocol row straight from its packet bytes (`buf[pos..end)`: `width` length-coded
   * cells, 0xfb = NULL): the first `write` cells are encoded, the rest (key-only columns) skipped.
   * No cell Buffers and no row array are made. Throws on a malformed packet.
   */
  packetRow(buf: Buffer, pos: number, end: number, width: number, write: number): void {
    // Worst case for the whole row at once, one check per row instead of one per cell: a value of L
    // bytes takes at least L + 1 packet bytes and at most a tab plus 2L escaped bytes (<= 2 x its
    // packet bytes); a NULL takes 1 packet byte and writes 3 (tab, backslash, N), one more than twice.
    // So: twice the payload, plus one per cell, plus the line end. (Reserving only twice the payload
    // let a mostly-NULL row run past the block's end, where the bytes were silently dropped and two
    // rows merged into one.)
    this.room(2 * (end - pos) + width + 1);
    const out = this.cur;
    let p = this.p;
    for (let i = 0; i < width; i++) {
      if (pos >= end) throw new Error('row packet shorter than its columns');
      let len = buf[pos++];
      if (len === 0xfb) {
        if (i < write) {
          if (i > 0) out[p++] = TAB;
          out[p++] = BACKSLASH;
          out[p++] = 0x4e; // N
        }
        continue;
      }
      if (len >= 0xfc) {
        const n = len === 0xfc ? 2 : len === 0xfd ? 3 : 8;
        len = n === 8 ? Number(buf.readBigUInt64LE(pos)) : buf.readUIntLE(pos, n);
        pos += n;
      }
      const stop = pos + len;
      if (stop > end) throw new Error('row packet cell runs past its end');
      if (i >= write) {
        pos = stop;
        continue;
      }
      if (i > 0) out[p++] = TAB;
      if (len < 64) {
        // Short cells: one pass copying byte by byte beats a native copy call per cell. Every byte
        // to escape is <= 13 or a backslash, so most bytes take the first branch on two comparisons.
        for (; pos < stop; pos++) {
          const b = buf[pos];
          if (b > CR && b !== BACKSLASH) out[p++] = b;
          else {
            const e = ESCAPE[b];
            if (e < 0) out[p++] = b;
            else {
              out[p++] = BACKSLASH;
              out[p++] = e;
            }
          }
        }
      } else {
        let from = pos;
        for (; pos < stop; pos++) {
          const b = buf[pos];
          if (b > CR && b !== BACKSLASH) continue;
          const e = ESCAPE[b];
          if (e < 0) continue;
          if (pos > from) p += buf.copy(out, p, from, pos);
          out[p++] = BACKSLASH;
          out[p++] = e;
          from = pos + 1;
        }
        if (from < stop) p += buf.copy(out, p, from, stop);
      }
    }
    out[p++] = LF;
    this.p = p;
  }

  /** The encoded blocks; the encoder is done after this. */
  finish(): Buffer[] {
    this.seal();
    // An unused current block (nothing was written to it) goes straight back.
    if (this.p === 0 && this.cur.length === BLOCK_BYTES) releaseBlocks([this.cur]);
    this.cur = EMPTY;
    this.p = 0;
    return this.blocks;
  }
}

const EMPTY = Buffer.alloc(0);

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const BINARY_PREFIX = Buffer.from("_binary X'", 'latin1');
const NULL_TEXT = Buffer.from('NULL', 'latin1');

/** The bytes match /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/ (sql.ts valueLiteral's NUMERIC). */
function numericText(v: Buffer): boolean {
  const n = v.length;
  let i = 0;
  const digit = (k: number) => k < n && v[k] >= 0x30 && v[k] <= 0x39;
  if (i < n && (v[i] === 0x2b || v[i] === 0x2d)) i++;
  let mantissa = 0;
  for (; digit(i); i++) mantissa++;
  if (i < n && v[i] === 0x2e) {
    i++;
    for (; digit(i); i++) mantissa++;
  }
  if (mantissa === 0) return false;
  if (i < n && (v[i] === 0x65 || v[i] === 0x45)) {
    i++;
    if (i < n && (v[i] === 0x2b || v[i] === 0x2d)) i++;
    if (!digit(i)) return false;
    while (digit(i)) i++;
  }
  return i === n;
}

/** Printable ASCII without quote or backslash. */
function plainAscii(v: Buffer): boolean {
  for (let j = 0; j < v.length; j++) {
    const b = v[j];
    if (b < 0x20 || b > 0x7e || b === 0x27 || b === 0x5c) return false;
  }
  return true;
}

/**
 * The INSERT path's `(...), (...)` VALUES text, written as bytes while rows arrive and turned into
 * one flat string at the end: no per-cell strings, ropes or regexes. Literals are those of sql.ts
 * valueLiteral (numbers as they are, `_binary X'hex'` otherwise), except that a printable-ASCII value
 * without quote or backslash is written `'as is'` where `plain[i]` allows (ASCII-compatible charsets).
 */
export class SqlValuesEncoder {
  private out = Buffer.allocUnsafe(64 * 1024);
  private p = 0;
  rows = 0;

  /** Bytes of VALUES text so far. */
  get bytes(): number {
    return this.p;
  }

  constructor(
    private readonly numeric: readonly boolean[],
    private readonly plain: readonly boolean[],
  ) {}

  private room(n: number): void {
    if (this.out.length - this.p >= n) return;
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.p + n));
    this.out.copy(next, 0, 0, this.p);
    this.out = next;
  }

  row(row: RawRow, columns: readonly number[]): void {
    this.room(3);
    if (this.rows++ > 0) {
      this.out[this.p++] = 0x2c; // ,
      this.out[this.p++] = 0x20;
    }
    this.out[this.p++] = 0x28; // (
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]];
      if (i > 0) {
        this.room(2);
        this.out[this.p++] = 0x2c;
        this.out[this.p++] = 0x20;
      }
      if (v === null) {
        this.room(4);
        this.p += NULL_TEXT.copy(this.out, this.p);
      } else if (v.length === 0) {
        this.room(2);
        this.out[this.p++] = 0x27;
        this.out[this.p++] = 0x27;
      } else if (this.numeric[i] && numericText(v)) {
        this.room(v.length);
        this.p += v.copy(this.out, this.p);
      } else if (this.plain[i] && plainAscii(v)) {
        this.room(v.length + 2);
        this.out[this.p++] = 0x27;
        this.p += v.copy(this.out, this.p);
        this.out[this.p++] = 0x27;
      } else {
        this.room(v.length * 2 + BINARY_PREFIX.length + 1);
        const out = this.out;
        let p = this.p + BINARY_PREFIX.copy(out, this.p);
        for (let j = 0; j < v.length; j++) {
          out[p++] = HEX[v[j] >> 4];
          out[p++] = HEX[v[j] & 15];
        }
        out[p++] = 0x27;
        this.p = p;
      }
    }
    this.room(1);
    this.out[this.p++] = 0x29; // )
  }

  /** The VALUES text (ASCII only). */
  finish(): string {
    const text = this.out.toString('latin1', 0, this.p);
    this.out = Buffer.alloc(0);
    return text;
  }
}

/** The cells of one text-protocol row packet as Buffers (copies; for the last row's key). */
export function packetCells(buf: Buffer, pos: number, end: number, width: number): RawRow {
  const row: RawRow = [];
  for (let i = 0; i < width; i++) {
    let len = buf[pos++];
    if (len === 0xfb) {
      row.push(null);
      continue;
    }
    if (len >= 0xfc) {
      const n = len === 0xfc ? 2 : len === 0xfd ? 3 : 8;
      len = n === 8 ? Number(buf.readBigUInt64LE(pos)) : buf.readUIntLE(pos, n);
      pos += n;
    }
    if (pos + len > end) throw new Error('row packet cell runs past its end');
    row.push(Buffer.from(buf.subarray(pos, pos + len)));
    pos += len;
  }
  return row;
}

/** Inverse of encodeRows, for tests: LOAD DATA's own reading rules. */
export function decodeRows(data: Buffer, width: number): RawRow[] {
  const rows: RawRow[] = [];
  let row: RawRow = [];
  let field: number[] = [];
  let escapedNull = false;
  const endField = () => {
    row.push(escapedNull && field.length === 0 ? null : Buffer.from(field));
    field = [];
    escapedNull = false;
  };
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === BACKSLASH) {
      const n = data[++i];
      if (n === 0x4e && field.length === 0) {
        escapedNull = true;
        continue;
      }
      field.push(n === 0x30 ? 0 : n === 0x74 ? TAB : n === 0x6e ? LF : n === 0x72 ? CR : n);
    } else if (b === TAB) endField();
    else if (b === LF) {
      endField();
      if (row.length !== width) throw new Error(`row width ${row.length} != ${width}`);
      rows.push(row);
      row = [];
    } else field.push(b);
  }
  return rows;
}
