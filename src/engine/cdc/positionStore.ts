/**
 * Where a job's change stream stands, in the target's rw_migrate schema. The row is written in the
 * same transaction as the rows it covers, so after a kill the stored position is exactly the last
 * applied transaction: exactly once, whatever happens to the process.
 */
import mysql from 'mysql2';
import { queryRows, type Connection } from '../db/connection.js';
import { CHECKPOINT_DB } from '../jobs/checkpoint.js';
import { RefusedError } from '../db/errors.js';
import type { BinlogPosition } from './types.js';

export const CDC_STATE_DDL = `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.cdc_state (
   job_id VARCHAR(64) NOT NULL PRIMARY KEY,
   binlog_file VARCHAR(255) NOT NULL,
   binlog_pos BIGINT UNSIGNED NOT NULL,
   gtid VARCHAR(255) NULL,
   source_server VARCHAR(255) NULL,
   events BIGINT UNSIGNED NOT NULL DEFAULT 0,
   transactions BIGINT UNSIGNED NOT NULL DEFAULT 0,
   state VARCHAR(16) NOT NULL DEFAULT 'syncing',
   message TEXT NULL,
   updated_at DATETIME(3) NOT NULL
 ) ENGINE=InnoDB`;

export interface CdcState {
  /** Where the job stands in the binlog of the server it followed (`position.server`, null in rows from before it was kept). */
  position: BinlogPosition;
  /** The job's MariaDB GTID position at `position` (all domains; a single GTID in rows from before). */
  gtid: string | null;
  events: number;
  transactions: number;
  state: string;
  message: string | null;
  updatedAt: string;
}

export async function ensureCdcSchema(target: Connection): Promise<void> {
  await target.query(`CREATE DATABASE IF NOT EXISTS ${CHECKPOINT_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await target.query(CDC_STATE_DDL);
  // Tables made before the source server was kept: add its column (MySQL has no ADD COLUMN IF NOT EXISTS).
  const [has] = await queryRows(
    target,
    "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'cdc_state' AND COLUMN_NAME = 'source_server'",
    [CHECKPOINT_DB],
  );
  if (Number(has.n) === 0) await target.query(`ALTER TABLE ${CHECKPOINT_DB}.cdc_state ADD COLUMN source_server VARCHAR(255) NULL AFTER gtid`);
}

export async function loadCdcState(target: Connection, jobId: string): Promise<CdcState | null> {
  const rows = await queryRows(
    target,
    `SELECT * FROM ${CHECKPOINT_DB}.cdc_state WHERE job_id = ?`,
    [jobId],
  ).catch((err: { errno?: number }) => {
    if (err.errno === 1146 || err.errno === 1049) return [];
    throw err;
  });
  const r = rows[0];
  if (!r) return null;
  return {
    position: { file: String(r.binlog_file), position: Number(r.binlog_pos), ...(r.source_server ? { server: String(r.source_server) } : {}) },
    gtid: r.gtid === null ? null : String(r.gtid),
    events: Number(r.events),
    transactions: Number(r.transactions),
    state: String(r.state),
    message: r.message === null ? null : String(r.message),
    updatedAt: String(r.updated_at),
  };
}

const SAVE_POSITION = `INSERT INTO ${CHECKPOINT_DB}.cdc_state (job_id, binlog_file, binlog_pos, gtid, source_server, events, transactions, state, message, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'syncing', NULL, NOW(3))
     ON DUPLICATE KEY UPDATE binlog_file = VALUES(binlog_file), binlog_pos = VALUES(binlog_pos),
       gtid = COALESCE(VALUES(gtid), gtid), source_server = COALESCE(VALUES(source_server), source_server),
       events = events + VALUES(events), transactions = transactions + VALUES(transactions),
       state = 'syncing', message = NULL, updated_at = NOW(3)`;

/** Runs inside the batch's transaction. */
export async function savePosition(
  conn: Connection,
  jobId: string,
  position: BinlogPosition,
  gtid: string | null,
  events: number,
  transactions: number,
): Promise<void> {
  await conn.query(SAVE_POSITION, [jobId, position.file, position.position, gtid, position.server ?? null, events, transactions]);
}

/** savePosition as one statement's text (values escaped), for a batch sent as one multi-statement query. */
export function savePositionSql(jobId: string, position: BinlogPosition, gtid: string | null, events: number, transactions: number): string {
  return mysql.format(SAVE_POSITION, [jobId, position.file, position.position, gtid, position.server ?? null, events, transactions]);
}

/** The outcome of a run (done, failed, stopped by DDL...), next to the position; the position is untouched. */
export async function setCdcOutcome(target: Connection, jobId: string, state: string, message: string | null): Promise<void> {
  await target.query(`UPDATE ${CHECKPOINT_DB}.cdc_state SET state = ?, message = ?, updated_at = NOW(3) WHERE job_id = ?`, [state, message, jobId]);
}

/**
 * Where a job's change stream continues: its committed position, or before any, its first
 * snapshot's (a resumed copy's rows converge from there). Refused when neither is recorded.
 */
export function continueFrom(jobId: string, state: CdcState | null, snapshot: { binlogFile: string | null; binlogPosition: number | null }, fix: string): BinlogPosition {
  const from = state?.position ?? (snapshot.binlogFile && snapshot.binlogPosition !== null ? { file: snapshot.binlogFile, position: snapshot.binlogPosition } : null);
  if (!from) throw new RefusedError(`job ${jobId} has no recorded binlog position (was the source's binlog on during the copy?). Fix: ${fix}`);
  return from;
}
