/**
 * How many rows a Rows event holds, without decoding them: the replay hands the server the event's
 * bytes, so rows are only counted (for the job's event counts, its "events behind" and its batch
 * size), never read. Counting walks each row's values by their stored widths, from the column
 * types and metadata zongji decoded from the Table_map.
 *
 * The walk must end exactly at the event's end; where it does not, or a column's width is not
 * knowable from the Table_map (MariaDB 5.3 "hires" temporals, whose width is in the column's
 * declared precision only; compressed columns; the pre-5.0 DECIMAL), the count is unknown (null)
 * and the batch is read again decoded and applied by SQL (follower.ts). A wrong count can never
 * reach the data: the rows themselves travel as the source's bytes.
 */
import { isRowsEvent } from './rawEvents.js';

/** A Table_map column as zongji decodes it: the type code (ENUM/SET already resolved) and its metadata. */
export interface MappedColumn {
  type: number;
  metadata?: { max_length?: number; length_size?: number; precision?: number; decimals?: number; bits?: number; size?: number } | null;
}

/** The bytes of a packed DECIMAL's leftover digits (MySQL's dig2bytes). */
const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

function decimalWidth(precision: number, scale: number): number {
  const intg = precision - scale;
  return Math.floor(intg / 9) * 4 + DIG2BYTES[intg % 9] + Math.floor(scale / 9) * 4 + DIG2BYTES[scale % 9];
}

/** Fixed widths by type code; the others depend on metadata or a length prefix (width below). */
const FIXED: Record<number, number> = {
  1: 1, // TINY
  2: 2, // SHORT
  3: 4, // LONG
  4: 4, // FLOAT
  5: 8, // DOUBLE
  8: 8, // LONGLONG
  9: 3, // INT24
  10: 3, // DATE
  13: 1, // YEAR
  14: 3, // NEWDATE
};

/** A temporal of the pre-5.6 layout: its width is fixed unless MariaDB stored it "hires" (declared precision > 0). */
const OLD_TEMPORAL: Record<number, number> = { 7: 4, 11: 3, 12: 8 };

/**
 * The width of one stored value at `at`, or -1 where it cannot be known. `declared` is the
 * column's COLUMN_TYPE (information_schema, as zongji fetched it).
 */
function width(event: Buffer, at: number, c: MappedColumn, declared: string): number {
  const fixed = FIXED[c.type];
  if (fixed !== undefined) return fixed;
  const m = c.metadata ?? {};
  switch (c.type) {
    case 7: // TIMESTAMP
    case 11: // TIME
    case 12: // DATETIME
      return /\(\s*[1-9]/.test(declared) ? -1 : OLD_TEMPORAL[c.type];
    case 17: // TIMESTAMP2
      return 4 + Math.ceil((m.decimals ?? 0) / 2);
    case 18: // DATETIME2
      return 5 + Math.ceil((m.decimals ?? 0) / 2);
    case 19: // TIME2
      return 3 + Math.ceil((m.decimals ?? 0) / 2);
    case 246: // NEWDECIMAL
      return m.precision === undefined ? -1 : decimalWidth(m.precision, m.decimals ?? 0);
    case 16: // BIT
      return m.bits === undefined ? -1 : Math.ceil(m.bits / 8);
    case 247: // ENUM
    case 248: // SET
      return m.size ?? -1;
    case 15: // VARCHAR
    case 254: {
      // STRING (CHAR, BINARY): a 1- or 2-byte length, then the bytes
      if (m.max_length === undefined) return -1;
      const prefix = m.max_length > 255 ? 2 : 1;
      return prefix + event.readUIntLE(at, prefix);
    }
    case 249: // TINY_BLOB
    case 250: // MEDIUM_BLOB
    case 251: // LONG_BLOB
    case 252: // BLOB (TEXT too)
    case 245: // JSON
    case 255: {
      // GEOMETRY
      const prefix = m.length_size;
      if (!prefix || prefix > 4) return -1;
      return prefix + event.readUIntLE(at, prefix);
    }
    default:
      // DECIMAL (pre-5.0), VAR_STRING, NULL, compressed columns: not counted
      return -1;
  }
}

function bitSet(bitmap: Buffer, i: number): boolean {
  return (bitmap[i >> 3] & (1 << (i & 7))) !== 0;
}

function bitsIn(bitmap: Buffer): number {
  let n = 0;
  for (const b of bitmap) for (let v = b; v; v &= v - 1) n++;
  return n;
}

/**
 * The number of rows in a Rows event (an update's before and after images count as one row), or
 * null when they cannot be counted exactly. `declared`: each column's COLUMN_TYPE, in order.
 */
export function countRows(event: Buffer, columns: MappedColumn[], declared: string[], checksum: boolean): number | null {
  const type = event[4];
  if (!isRowsEvent(type)) return null;
  const twoImages = type === 24 || type === 31;
  const end = event.length - (checksum ? 4 : 0);
  try {
    let at = 19 + 6 + 2;
    if (type >= 30) at += event.readUInt16LE(at); // v2: extra data, its length counting itself
    let n = event[at++];
    if (n === 252) {
      n = event.readUInt16LE(at);
      at += 2;
    } else if (n >= 251) return null; // more columns than fit a Table_map we take
    if (n !== columns.length) return null;
    const bitmapBytes = (n + 7) >> 3;
    const present = [event.subarray(at, at + bitmapBytes)];
    at += bitmapBytes;
    if (twoImages) {
      present.push(event.subarray(at, at + bitmapBytes));
      at += bitmapBytes;
    }
    const presentCounts = present.map(bitsIn);
    let rows = 0;
    while (at < end) {
      for (let image = 0; image < present.length; image++) {
        const bitmap = present[image];
        const nulls = event.subarray(at, at + ((presentCounts[image] + 7) >> 3));
        at += nulls.length;
        for (let i = 0, k = 0; i < n; i++) {
          if (!bitSet(bitmap, i)) continue;
          if (!bitSet(nulls, k++)) {
            const w = width(event, at, columns[i], declared[i] ?? '');
            if (w < 0) return null;
            at += w;
          }
        }
      }
      rows++;
    }
    return at === end ? rows : null;
  } catch {
    // read past the buffer: not a layout we know
    return null;
  }
}
