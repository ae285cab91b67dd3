/**
 * Plain data of the change stream: positions in the source's binlog and the row changes read from it.
 * Nothing here touches a driver, so the CLI, the worker and tests can share it.
 */

/** A point in the source's binlog: the end of a committed transaction (never inside one). */
export interface BinlogPosition {
  file: string;
  position: number;
}

/** A column value as the stream decodes it with exact options (see stream.ts). */
export type CellValue = string | number | Buffer | null;
export type RowImage = Record<string, CellValue>;

export type RowChange =
  | { op: 'insert'; table: string; after: RowImage }
  | { op: 'update'; table: string; before: RowImage; after: RowImage }
  | { op: 'delete'; table: string; before: RowImage };

/** What the stream hands the applier, in binlog order. */
export type StreamItem =
  | { kind: 'row'; change: RowChange }
  /**
   * A transaction (or a statement outside one) ended here: a safe position to commit. timestamp: the
   * source's commit time (epoch ms, whole seconds as the binlog has it), absent for a rotate.
   */
  | { kind: 'commit'; position: BinlogPosition; gtid: string | null; timestamp?: number }
  /** A statement the stream must not pass over (DDL, TRUNCATE, RENAME on a captured table). */
  | { kind: 'stop'; position: BinlogPosition; reason: string };

export interface SyncResult {
  jobId: string;
  state: 'done' | 'failed' | 'cancelled' | 'refused';
  /** Row events applied in this run. */
  events: number;
  transactions: number;
  seconds: number;
  /** The committed position at the end of the run (null when nothing was ever committed). */
  position: BinlogPosition | null;
  /** The source's position when the run started: the run applies everything up to it. */
  stopAt: BinlogPosition | null;
  reconnects: number;
  message?: string;
  details?: string[];
}

export type SyncEvent =
  | { type: 'sync-start'; jobId: string; from: BinlogPosition; stopAt: BinlogPosition }
  | { type: 'sync-progress'; jobId: string; events: number; transactions: number; eventsPerSecond: number; position: BinlogPosition }
  | { type: 'sync-log'; jobId: string; level: 'info' | 'warn'; message: string };
