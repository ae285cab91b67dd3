/**
 * Public, serialisable types of the copy engine. Everything here crosses a process boundary
 * (worker <-> extension, CLI --json), so: plain data, no classes, no functions except in JobHandle.
 */

import type { ServerSpec } from '../db/server.js';

export type { ServerSpec };

export type IfExists = 'abort' | 'truncate' | 'upsert';
export type JobMode = 'full' | 'incremental' | 'hybrid';

export interface WatermarkSpec {
  /** The column marking changes: an auto-increment id, or a timestamp such as updated_at. */
  column: string;
  /**
   * Rows whose column is within this many seconds of the source's clock are copied but the mark does
   * not pass them, so a late commit with an older timestamp is seen next run (default 0; set it for
   * temporal columns).
   */
  safetySeconds?: number;
}

/** How a cut-over blocks writes to the moved tables on the source. */
export type CutoverBlock = 'read-only' | 'lock';

/** What asking for a cut-over ends with (the cutover command, the editor's Cut Over button). */
export interface CutoverOutcome {
  state: 'done' | 'failed' | 'refused';
  message: string;
  report?: CutoverReport;
}

/** A binlog point: the end of a committed transaction. */
export interface StreamPosition {
  file: string;
  position: number;
}

/** What a finished cut-over reports (JobResult.cutover, the cutover command's answer). */
export interface CutoverReport {
  block: CutoverBlock;
  /** The source's position after writes were blocked: everything up to it is on the target. */
  finalPosition: StreamPosition;
  finalGtid: string | null;
  /** From the block to the target holding everything up to finalPosition (the write outage if the application switches then). */
  blockedToCaughtUpMs: number;
  /** Verification by checksum of every moved table, after the block. */
  verifyMs: number;
  tables: { table: string; rows: number; match: boolean }[];
  /** How the user lifts the block on the source, as statements to run (writes stay blocked until then). */
  lift: string[];
  /** What the block does not cover, e.g. read-only: the connected accounts whose privilege bypasses read_only. */
  warnings?: string[];
}
export type WriteMethod = 'load' | 'insert';

export interface JobSpec {
  source: ServerSpec;
  target: ServerSpec;
  sourceDatabase: string;
  targetDatabase: string;
  /** Table names in the source database, or 'all'. */
  tables: string[] | 'all';
  /**
   * full: one consistent snapshot, copied in chunks. incremental: rows above a stored watermark
   * (`watermark`), upserted; sees neither deletes nor updates that leave the column alone.
   * hybrid: snapshot (the `first` tables first), then the binlog change stream from the snapshot's
   * position until in sync, then a cut-over the user asks for (engine/hybrid).
   */
  mode: JobMode;
  /** hybrid: tables copied before the others (in this order). */
  first?: string[];
  /** incremental: the monotonic column whose rows above the stored mark are copied. */
  watermark?: WatermarkSpec;
  /** hybrid: behind the source by less than this = in sync (seconds, default 1). */
  syncThresholdSeconds?: number;
  /** hybrid: how the change stream's batches reach the target (cdc/replay/replayer.ts; default auto). */
  applyMethod?: 'auto' | 'binlog' | 'sql';
  writers?: number;
  /** Target time of one chunk, seconds (default 0.5). */
  chunkTimeSeconds?: number;
  /** Replica lag above which the copy waits, seconds (default 1). */
  maxLagSeconds?: number;
  /** Threads_running on the target above which the copy waits (default 50). */
  maxLoad?: number;
  /** Replicas of the target to watch for lag. */
  replicas?: ServerSpec[];
  /**
   * Throttle the target's replicas on a pt-heartbeat compatible table in this database: the job writes
   * the target's row every 200 ms (creating the table if missing) and reads it on each of `replicas`.
   */
  heartbeat?: { database: string };
  /** Replicas of the source to watch too (when reading from a busy primary). */
  sourceReplicas?: ServerSpec[];
  ifExists?: IfExists;
  /** Required with ifExists 'truncate': the user confirmed the destruction. */
  confirmTruncate?: boolean;
  allowNoKey?: boolean;
  method?: WriteMethod;
  /**
   * Write to a target that replicates from another server or has read_only set. Refused without it;
   * set only after the user confirmed (CLI: --allow-replica-target --yes; editor: a modal).
   */
  allowReplicaTarget?: boolean;
  /** Retries of a chunk after a deadlock, lock wait timeout or dropped connection (default 6, backoff 0.25 s doubling to 8 s). */
  retries?: number;
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
  /** Which signals are over their limit, in probe order (absent when not throttled). */
  signals?: ThrottleSignal[];
}

/** heartbeat: a replicated timestamp; replica-status: SHOW SLAVE STATUS (threads, Seconds_Behind_Master); threads_running: the target's load. */
export type ThrottleSignal = 'heartbeat' | 'replica-status' | 'threads_running';

export interface TablePlanInfo {
  table: string;
  keyColumns: string[];
  keyName: string | null;
  estimatedRows: number;
  noKey: boolean;
}

/** The phases a job goes through; jobView.ts orders them per mode. */
export type JobPhaseName = 'planning' | 'copying' | 'snapshot' | 'catching-up' | 'in-sync' | 'cutting-over' | 'done';

export type ProgressEvent =
  | {
      type: 'planned';
      jobId: string;
      tables: TablePlanInfo[];
      /** The position changes must be applied from: the job's FIRST snapshot (kept across resumes). */
      snapshot: SnapshotPosition;
      /** The snapshot this run reads from (equal to `snapshot` on the first run). */
      runSnapshot?: SnapshotPosition;
      /** How many snapshots the job has read from so far, this run's included (1 unless resumed). */
      snapshotCount?: number;
    }
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
  /** The job entered a phase (hybrid and incremental jobs; a full copy's phases follow its states). */
  | { type: 'phase'; jobId: string; phase: JobPhaseName; message?: string }
  /**
   * About once a second while a hybrid job follows the change stream. behindSeconds: now minus the
   * source timestamp of the last applied transaction, 0 when the applied position is the source's
   * current one, null before the first read; behindEvents: row events received and not yet applied.
   */
  | {
      type: 'stream';
      jobId: string;
      events: number;
      transactions: number;
      eventsPerSecond: number;
      behindSeconds: number | null;
      behindEvents: number;
      position: StreamPosition;
    }
  /** Steps of a cut-over as they happen (requested, blocked, caught-up, verified, done, failed). */
  | { type: 'cutover'; jobId: string; step: 'requested' | 'blocked' | 'caught-up' | 'verified' | 'done' | 'failed'; block: CutoverBlock; message: string }
  | { type: 'throttle'; jobId: string; throttle: ThrottleState }
  | { type: 'state'; jobId: string; state: JobState; message?: string }
  | { type: 'log'; jobId: string; level: 'info' | 'warn'; message: string }
  | {
      type: 'retry';
      jobId: string;
      /** What was being done: e.g. "orders chunk 12", "customers (keyless stream)". */
      what: string;
      /** The failed attempt (1 = the first try). */
      attempt: number;
      retriesLeft: number;
      /** deadlock, lock wait timeout, connection lost */
      cause: string;
      error: string;
    };

export interface SnapshotPosition {
  binlogFile: string | null;
  binlogPosition: number | null;
  gtidBinlogPos: string | null;
  /**
   * True only when file, position and GTID were all taken at the snapshot itself (MariaDB:
   * Binlog_snapshot_* and BINLOG_GTID_POS). False: read after the snapshot started (MySQL) and possibly
   * later than it. Absent in records written before this was tracked.
   */
  exact?: boolean;
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
  /** Snapshots the job read from over all its runs (more than 1 after a resume). */
  snapshotCount?: number;
  /** The position changes must be applied from: the job's first snapshot. */
  applyFrom?: SnapshotPosition;
  /** Transient faults retried during this run (deadlock, lock wait timeout, connection lost). */
  retries?: number;
  /** A server could not be reached or refused the login: which one, in which role, and the fix. */
  connection?: ConnectionFailure;
  /** Hybrid: the cut-over that ended the job. */
  cutover?: CutoverReport;
  /** Incremental: each table's stored mark after this run (the column's value as the server prints it). */
  watermarks?: { table: string; mark: string | null; rows: number }[];
}

export type ServerRole = 'source' | 'target' | 'replica' | 'source replica';

export interface ConnectionFailure {
  role: ServerRole;
  /** host:port (and its name when it has one). */
  server: string;
  kind: 'auth' | 'unreachable' | 'tls' | 'other';
  /** The server's or the network's own words. */
  error: string;
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
  /** The position changes must be applied from: the job's first snapshot. */
  snapshot: SnapshotPosition;
  /** Every snapshot the job read from (absent in summaries made before the first was taken). */
  snapshots?: (SnapshotPosition & { n: number; takenAt: string; rowsBefore: number })[];
  rowsCopied: number;
  totalRows: number;
  message: string | null;
  /** Hybrid and incremental jobs: the phase recorded on the target (absent for a full copy). */
  phase?: JobPhaseName;
}
