/**
 * Public, serialisable types of the verification engine (compare, diff, repair). They cross the
 * worker <-> extension boundary and the CLI's --json output, so: plain data only, no Buffers,
 * no classes. Binary values travel as { hex } so a webview can show them without guessing a charset.
 */
import type { ServerSpec, ThrottleState } from '../jobs/types.js';

/**
 * One value, JSON-safe: text as a string; bytes that are not valid UTF-8 (BLOB, BINARY, latin1
 * columns read as raw bytes) as hex; NULL as null. Numbers and dates are strings, as the server
 * prints them, so nothing is rounded.
 */
export type CellValue = string | null | { hex: string };

/** A key tuple, in key-column order. */
export type KeyTuple = CellValue[];

/**
 * count:    estimated rows (information_schema) for every table, plus exact COUNT(*) on both sides.
 * estimate: estimated rows only (instant, approximate; never a verdict of match).
 * checksum: COUNT + hash per key range on both sides; localises mismatches to ranges.
 * rows:     checksum, then narrows each mismatched range down to rows and classifies them.
 */
export type VerifyMode = 'estimate' | 'count' | 'checksum' | 'rows';

export interface VerifySpec {
  source: ServerSpec;
  target: ServerSpec;
  /** Database on the source; on the target too unless targetDatabase is given. */
  database: string;
  targetDatabase?: string;
  /** Table names; all base tables of the source database when omitted. */
  tables?: string[];
  mode: VerifyMode;
  /** Rows per checksum chunk (default 10000). */
  chunkRows?: number;
  /** Replicas of the target (and of the source) whose lag throttles verification (default none). */
  replicas?: ServerSpec[];
  /** Replica lag above which verification waits, seconds (default 1). */
  maxLagSeconds?: number;
  /** Threads_running on either server above which verification waits (default 50). */
  maxLoad?: number;
  /**
   * The target is a replica of the source: a mismatched chunk is re-checked once after the replica
   * has caught up to the primary's GTID position (MASTER_GTID_WAIT) before it counts.
   */
  targetIsReplica?: boolean;
  /** Seconds MASTER_GTID_WAIT may take (default 30). */
  replicaWaitSeconds?: number;
  /** Most sample rows per table in a RowDiff (default 1000). */
  maxDiffRows?: number;
  /**
   * Range hash: crc32 (default; exact SUM of each row's CRC32, fast) or md5 (XOR of 64 bits of
   * each row's MD5; stronger, about twice the server CPU).
   */
  hash?: 'crc32' | 'md5';
  /** Include generated (virtual/stored) columns in the hash (default false: they are derived). */
  includeGenerated?: boolean;
}

export interface ChunkVerdict {
  index: number;
  /** Exclusive lower bound (null: from the start). */
  lower: KeyTuple | null;
  /** Inclusive upper bound (null: to the end). */
  upper: KeyTuple | null;
  sourceCount: number;
  targetCount: number;
  /** The range's order-independent hash, compared for equality (decimal SUM for crc32, hex for md5). */
  sourceHash: string;
  targetHash: string;
  match: boolean;
  /** True when this verdict came from the re-check after waiting for a replica. */
  rechecked?: boolean;
}

/** A key range as the report shows it (hex tuples, JSON-safe); the engine works on db/keyset's RangeBounds. */
export interface KeyRange {
  lower: KeyTuple | null;
  upper: KeyTuple | null;
}

export interface ChangedRow {
  key: KeyTuple;
  /** Names of the columns whose bytes differ. */
  columns: string[];
  /** Only the differing columns. */
  source: Record<string, CellValue>;
  target: Record<string, CellValue>;
}

export interface RowDiff {
  keyColumns: string[];
  /** In the source, not in the target. */
  missing: KeyTuple[];
  /** In the target, not in the source. */
  extra: KeyTuple[];
  different: ChangedRow[];
  /** True when more rows differed than maxDiffRows: the lists are a sample. */
  truncated: boolean;
}

export type TableStatus = 'match' | 'mismatch' | 'not-checked' | 'error';

export interface TableVerdict {
  table: string;
  /** Exact when rowsExact, else the information_schema estimate (null: table absent). */
  sourceRows: number | null;
  targetRows: number | null;
  rowsExact: boolean;
  status: TableStatus;
  /** Key used for ranges; empty for whole-table checks. */
  keyColumns: string[];
  /** Whole-table check (no usable key): rows cannot be localised. */
  wholeTable: boolean;
  chunks: ChunkVerdict[];
  mismatchedRanges: KeyRange[];
  diff?: RowDiff;
  /** Why not checked, the error, or notes such as "no key: whole-table check, rows not localised". */
  message?: string;
  seconds: number;
}

export type VerifyProgress =
  | { type: 'started'; tables: string[]; mode: VerifyMode }
  | { type: 'table-start'; table: string; estimatedRows: number }
  | {
      type: 'chunk';
      table: string;
      chunk: number;
      rowsChecked: number;
      estimatedRows: number;
      match: boolean;
      rowsPerSecond: number;
    }
  | { type: 'throttle'; throttle: ThrottleState }
  | { type: 'replica-wait'; table: string; chunk: number; gtid: string }
  | { type: 'table-done'; verdict: TableVerdict }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface VerifyReport {
  source: string;
  target: string;
  database: string;
  targetDatabase: string;
  mode: VerifyMode;
  startedAt: string;
  seconds: number;
  tables: TableVerdict[];
  /** True when every checked table matched (estimate mode is never clean). */
  clean: boolean;
  rowsChecked: number;
  summary: { match: number; mismatch: number; notChecked: number; error: number };
  /**
   * Why Repair is not offered for this target (it replicates, has read_only on, was compared as a
   * replica, or could not be checked), with the fix; absent when the target may be repaired.
   */
  repairRefusal?: string;
}

export interface RepairSpec {
  source: ServerSpec;
  /** The only server written to. */
  target: ServerSpec;
  database: string;
  targetDatabase?: string;
  /** Tables and the row keys to repair, usually from a VerifyReport's diffs. */
  tables: { table: string; diff: RowDiff }[];
  /** Must be true: nothing is written without it. */
  confirm: boolean;
  /** Keys per transaction (default 500). */
  batchRows?: number;
  /**
   * The target was compared as a replica of the source: repair is refused (replicaGuard.ts). The
   * target's own replication channels and read_only are checked either way.
   */
  targetIsReplica?: boolean;
}

export interface RepairTableResult {
  table: string;
  /** Rows written (REPLACE'd) from the source: missing + different. */
  upserted: number;
  /** Extra target rows deleted. */
  deleted: number;
  /** Keys listed as missing/different that the source no longer has: deleted on the target instead. */
  vanished: number;
  error?: string;
}

export interface RepairResult {
  tables: RepairTableResult[];
  seconds: number;
}

export interface VerifyEvents {
  onEvent?(event: VerifyProgress): void;
  /** Polled between chunks; true stops verification (the report then lists what was checked). */
  cancelled?(): boolean;
}
