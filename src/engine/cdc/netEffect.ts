/**
 * A batch's net effect per key (applier.ts): for every key a change touched (the before key of an
 * update or delete, the after key of an insert or update), the row's last image in the batch, or
 * nothing if it was deleted last. Applying that is what applying the changes one by one gives.
 */
import type { CellValue, RowChange, RowImage } from './types.js';

/** What the reduction needs of a table: its name (for messages) and its key's columns. */
export interface KeyedTable {
  name: string;
  key: { name: string }[];
}

export interface NetRow {
  /** The image the key was read from (an update's or delete's before, an insert's or update's after). */
  keyImage: RowImage;
  /** The last image, or null when the key's last change deleted it. */
  row: RowImage | null;
}

/**
 * A Map key identifying a key value exactly (the same key = the same row). One column: the value
 * itself (a column's values have one JS type: numbers, or strings, or Buffers; a BIGINT is a string only
 * beyond 2^53, where no number equals it; -0, from a FLOAT/DOUBLE only, is kept apart from 0).
 * Several columns: JSON of the typed values.
 */
function keyString(values: CellValue[]): string {
  return JSON.stringify(values.map((v) => (Buffer.isBuffer(v) ? `x:${v.toString('hex')}` : typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : v}` : v)));
}

function singleKeyId(v: CellValue): string | number {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  return `x:${v.toString('hex')}`;
}

function keyId(t: KeyedTable, row: RowImage): string | number {
  const key = t.key;
  if (key.length === 1) {
    const v = row[key[0].name];
    if (v === undefined) missingKey(t, key[0].name);
    return singleKeyId(v);
  }
  return keyString(
    key.map((k) => {
      const v = row[k.name];
      if (v === undefined) missingKey(t, k.name);
      return v;
    }),
  );
}

function missingKey(t: KeyedTable, column: string): never {
  throw new Error(`binlog row of ${t.name} lacks key column ${column} (is binlog_row_image FULL?)`);
}

/** The net effect of the changes, per table (`tableOf` a change's table name), in first-touch order. */
export function reduceChanges<T extends KeyedTable>(changes: RowChange[], tableOf: (name: string) => T): Map<T, Map<string | number, NetRow>> {
  const net = new Map<T, Map<string | number, NetRow>>();
  let lastName = '';
  let t: T | null = null;
  let m: Map<string | number, NetRow> | undefined;
  for (const c of changes) {
    if (c.table !== lastName || !t) {
      lastName = c.table;
      t = tableOf(c.table);
      m = net.get(t);
      if (!m) net.set(t, (m = new Map()));
    }
    const rows = m as Map<string | number, NetRow>;
    if (c.op !== 'insert') rows.set(keyId(t, c.before), { keyImage: c.before, row: null });
    if (c.op !== 'delete') {
      const k = keyId(t, c.after);
      rows.delete(k); // keep the map in last-touch order for the inserts
      rows.set(k, { keyImage: c.after, row: c.after });
    }
  }
  return net;
}
