/**
 * Range partitioning's plain data: the plan shown before anything runs, and the map saved after a
 * split (which key range lives on which server and database). JSON-safe; no passwords.
 *
 * Keys: one integer column (the table's primary key or unique NOT NULL key). Bounds are decimal
 * strings, compared as BigInt, so any BIGINT UNSIGNED value is exact in JS and in the map file.
 * Ranges are half-open, `from <= key < to`, like Vitess key ranges: adjacent ranges share a bound
 * and no key falls between two ranges.
 */

/** Where a range lives: a server (no password) and a database on it. */
export interface PartitionTarget {
  name?: string;
  host: string;
  port: number;
  user: string;
  database: string;
}

export interface PartitionRange {
  /** Inclusive lower key; null = from the smallest key. */
  from: string | null;
  /** Exclusive upper key; null = to the largest key. */
  to: string | null;
  target: PartitionTarget;
  /** At plan time: rows in the range (exact count from the key index walk) and bytes (rows x average row length). */
  rows: number;
  bytes: number;
}

export interface RangeVerdict {
  /** Index into ranges. */
  range: number;
  sourceRows: number;
  targetRows: number;
  sourceHash: string;
  targetHash: string;
  match: boolean;
}

export interface PartitionMap {
  version: 1;
  /** The table that was split, where it was read from. */
  source: PartitionTarget;
  table: string;
  keyColumn: string;
  /** 0-based position of the key column among the table's columns (INSERT without a column list). */
  keyOrdinal: number;
  /** The key column's type, e.g. "int(10) unsigned". */
  keyType: string;
  ranges: PartitionRange[];
  /** planned: shown, not run; split: every range copied and verified; merged: copied back into one table. */
  state: 'planned' | 'split' | 'merged';
  createdAt: string;
  updatedAt: string;
  /** Per-range verification of the last split or merge. */
  verified?: RangeVerdict[];
  /** After a merge: where the ranges were put back together. */
  mergedInto?: PartitionTarget;
}

export const targetLabel = (t: PartitionTarget): string => `${t.name ?? `${t.host}:${t.port}`}/${t.database}`;

export function rangeLabel(r: Pick<PartitionRange, 'from' | 'to'>): string {
  return `[${r.from ?? '-∞'}, ${r.to ?? '+∞'})`;
}
