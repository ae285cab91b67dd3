/**
 * Plain data of the change stream: positions in the source's binlog and the row changes read from it.
 * Nothing here touches a driver, so the CLI, the worker and tests can share it.
 */

/** A point in the source's binlog: the end of a committed transaction (never inside one). */
export interface BinlogPosition {
  file: string;
  position: number;
  /**
   * The server whose binlog this is (`server_id/binlog basename`, see resumePoint.ts): file names
   * and offsets mean nothing on another server. Absent where not known.
   */
  server?: string;
}

/** A column value as the stream decodes it with exact options (see stream.ts). */
export type CellValue = string | number | Buffer | null;
export type RowImage = Record<string, CellValue>;

export type RowChange =
  | { op: 'insert'; table: string; after: RowImage }
  | { op: 'update'; table: string; before: RowImage; after: RowImage }
  | { op: 'delete'; table: string; before: RowImage };

/**
 * One Rows event of a job table as the source wrote it, for a replay with `BINLOG` statements
 * (replay/): its Table_map (renamed to the target database), the Format_description it is read
 * under, and how many rows it holds (counted, not decoded).
 */
export interface RawRowsEvent {
  tableId: number;
  tableMap: Buffer;
  /** Replaced by a copy with the statement-end flag when the statement's last event is not the job's. */
  rows: Buffer;
  /** Null when they could not be counted from the bytes (replay/rowCount.ts): the batch then goes by SQL. */
  rowCount: number | null;
  fde: Buffer;
}

/** What the stream hands the applier, in binlog order. */
export type StreamItem =
  | { kind: 'row'; change: RowChange }
  /** A job table's Rows event, not decoded (streams opened with `rawFor` hand these out instead of rows). */
  | { kind: 'raw'; event: RawRowsEvent }
  /**
   * A transaction (or a statement outside one) ended here: a safe position to commit. `gtid`: the GTID position there (all domains), when known. timestamp: the
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
