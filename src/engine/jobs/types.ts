/**
 * Public, serialisable types of the copy engine. Everything here crosses a process boundary
 * (worker <-> extension, CLI --json), so: plain data, no classes, no functions except in JobHandle.
 */

import type { ServerSpec } from '../db/server.js';

export type { ServerSpec };

export type IfExists = 'abort' | 'truncate' | 'upsert';
export type WriteMethod = 'load' | 'insert';

export interface JobSpec {
  source: ServerSpec;
  target: ServerSpec;
  sourceDatabase: string;
  targetDatabase: string;
  /** Table names in the source database, or 'all'. */
  tables: string[] | 'all';
  mode: 'full';
  writers?: number;
  /** Target time of one chunk, seconds (default 0.5). */
  chunkTimeSeconds?: number;
  /** Replica lag above which the copy waits, seconds (default 1). */
  maxLagSeconds?: number;
  /** Threads_running on the target above which the copy waits (default 50). */
  maxLoad?: number;
  /** Replicas of the target to watch for lag. */
  replicas?: ServerSpec[];
  /** Replicas of the source to watch too (when reading from a busy primary). */
  sourceReplicas?: ServerSpec[];
  ifExists?: IfExists;
  /** Required with ifExists 'truncate': the user confirmed the destruction. */
  confirmTruncate?: boolean;
  allowNoKey?: boolean;
  method?: WriteMethod;
  /** Upper bound on rows per chunk, and start size. */
  maxChunkRows?: number;
  initialChunkRows?: number;
  /**
   * Copy only a slice of a table's key space (range partitioning): table name -> key range. The
   * reader ANDs the range into every chunk query, so chunks, throttling, checkpoints and resume work
   * as for a whole table. Only for keyed tables.
   */
  ranges?: Record<string, TableKeyRange>;
}

/**
 * One key column's value as the server prints it (numbers, dates, text), or `{ hex }` for bytes that
 * are not text; null is SQL NULL. The same convention as verify's KeyTuple.
 */
export type KeyPart = string | null | { hex: string };

export interface KeyBound {
  /** One value per key column, in key order. */
  key: KeyPart[];
  inclusive: boolean;
}

/** Rows with lower < key (or <=) and key < upper (or <=); an absent bound is open. */
export interface TableKeyRange {
  lower?: KeyBound | null;
  upper?: KeyBound | null;
}

export type JobState = 'planning' | 'copying' | 'paused' | 'done' | 'failed' | 'cancelled' | 'refused';

export interface ThrottleState {
  throttled: boolean;
  /** Human readable, e.g. "replica1: SQL thread stopped" or "replica2: lag 4 s > 1 s". */
  reason?: string;
}

export interface TablePlanInfo {
  table: string;
  keyColumns: string[];
  keyName: string | null;
  estimatedRows: number;
  noKey: boolean;
}

export type ProgressEvent =
  | { type: 'planned'; jobId: string; tables: TablePlanInfo[]; snapshot: SnapshotPosition }
  | {
      type: 'progress';
      jobId: string;
      rows: number;
      bytes: number;
      rowsPerSecond: number;
      totalRows: number;
      totalIsEstimate: boolean;
      etaSeconds: number | null;
      table: string | null;
      chunk: number;
      chunkRows: number;
      throttle: ThrottleState;
      state: JobState;
    }
  | { type: 'table-done'; jobId: string; table: string; rows: number }
  | { type: 'throttle'; jobId: string; throttle: ThrottleState }
  | { type: 'state'; jobId: string; state: JobState; message?: string }
  | { type: 'log'; jobId: string; level: 'info' | 'warn'; message: string };

export interface SnapshotPosition {
  binlogFile: string | null;
  binlogPosition: number | null;
  gtidBinlogPos: string | null;
}

export interface JobResult {
  jobId: string;
  state: 'done' | 'failed' | 'cancelled' | 'refused';
  rows: number;
  bytes: number;
  seconds: number;
  message?: string;
  /** For refusals: each reason, e.g. one line per schema difference. */
  details?: string[];
}

export interface JobEvents {
  onEvent?(event: ProgressEvent): void;
}

export interface JobHandle {
  readonly jobId: Promise<string>;
  pause(): void;
  resume(): void;
  cancel(): void;
  readonly done: Promise<JobResult>;
}

export interface JobSummary {
  id: string;
  state: JobState;
  spec: JobSpec;
  createdAt: string;
  updatedAt: string;
  snapshot: SnapshotPosition;
  rowsCopied: number;
  totalRows: number;
  message: string | null;
}
