/**
 * Checkpoint store in the `rw_migrate` schema on the TARGET. Each chunk's row is inserted in the
 * same transaction as the chunk's data, so after a crash the committed chunk rows say exactly which
 * key ranges are on the target, and resume continues after the last one.
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import type { KeyValue, RangeBounds } from '../db/keyset.js';
import { redactSpec } from './redact.js';
import type { JobSpec, JobState, SnapshotPosition } from './types.js';

export const CHECKPOINT_DB = 'rw_migrate';

const DDL = [
  `CREATE DATABASE IF NOT EXISTS ${CHECKPOINT_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.jobs (
     id VARCHAR(64) NOT NULL PRIMARY KEY,
     spec LONGTEXT NOT NULL,
     state VARCHAR(16) NOT NULL,
     message TEXT NULL,
     created_at DATETIME(3) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     binlog_file VARCHAR(255) NULL,
     binlog_pos BIGINT UNSIGNED NULL,
     gtid_pos TEXT NULL,
     total_rows BIGINT NOT NULL DEFAULT 0
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.job_tables (
     job_id VARCHAR(64) NOT NULL,
     table_name VARCHAR(64) NOT NULL,
     state VARCHAR(16) NOT NULL,
     estimated_rows BIGINT NOT NULL DEFAULT 0,
     key_columns TEXT NOT NULL,
     PRIMARY KEY (job_id, table_name)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.chunks (
     job_id VARCHAR(64) NOT NULL,
     table_name VARCHAR(64) NOT NULL,
     seq INT UNSIGNED NOT NULL,
     lo_key LONGTEXT NULL,
     hi_key LONGTEXT NULL,
     row_count INT UNSIGNED NOT NULL,
     byte_count BIGINT UNSIGNED NOT NULL,
     committed_at DATETIME(3) NOT NULL,
     PRIMARY KEY (job_id, table_name, seq)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.deferred_keys (
     job_id VARCHAR(64) NOT NULL,
     table_name VARCHAR(64) NOT NULL,
     definitions LONGTEXT NOT NULL,
     PRIMARY KEY (job_id, table_name)
   ) ENGINE=InnoDB`,
  // Every snapshot a job read from, numbered from 1; a resume opens a new one. Separate from jobs so
  // that an existing rw_migrate schema gains it by CREATE IF NOT EXISTS, without an ALTER.
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.snapshots (
     job_id VARCHAR(64) NOT NULL,
     n INT UNSIGNED NOT NULL,
     taken_at DATETIME(3) NOT NULL,
     binlog_file VARCHAR(255) NULL,
     binlog_pos BIGINT UNSIGNED NULL,
     gtid_pos TEXT NULL,
     exact TINYINT NOT NULL,
     rows_before BIGINT UNSIGNED NOT NULL,
     PRIMARY KEY (job_id, n)
   ) ENGINE=InnoDB`,
];

export async function ensureCheckpointSchema(target: Connection): Promise<void> {
  for (const stmt of DDL) await target.query(stmt);
}

/** Keys are stored as JSON arrays of hex strings (null for SQL NULL): exact for any byte content. */
export function encodeKey(key: KeyValue | null): string | null {
  return key === null ? null : JSON.stringify(key.map((b) => (b === null ? null : b.toString('hex'))));
}

export function decodeKey(text: string | null): KeyValue | null {
  if (text === null) return null;
  const arr: unknown = JSON.parse(text);
  if (!Array.isArray(arr)) throw new Error('bad checkpoint key');
  return arr.map((h) => (h === null ? null : Buffer.from(String(h), 'hex')));
}

export async function createJob(target: Connection, id: string, spec: JobSpec): Promise<void> {
  await target.query(
    `INSERT INTO ${CHECKPOINT_DB}.jobs (id, spec, state, created_at, updated_at) VALUES (?, ?, 'planning', NOW(3), NOW(3))`,
    [id, JSON.stringify(redactSpec(spec))],
  );
}

export async function setJobState(target: Connection, id: string, state: JobState, message: string | null = null): Promise<void> {
  await target.query(`UPDATE ${CHECKPOINT_DB}.jobs SET state = ?, message = ?, updated_at = NOW(3) WHERE id = ?`, [state, message, id]);
}

/** One snapshot a job read from; `rowsBefore` rows were already on the target when it was taken. */
export interface SnapshotRecord extends SnapshotPosition {
  n: number;
  takenAt: string;
  rowsBefore: number;
}

/**
 * Records the snapshot this run reads from. The job's position (jobs.binlog_*, gtid_pos) is the FIRST
 * snapshot's and is written once, never overwritten by a resume: changes must be applied from there,
 * because the rows copied before a resume reflect that earlier point. A job recorded before the
 * snapshots table existed keeps the position it already has.
 */
export async function recordSnapshot(target: Connection, id: string, pos: SnapshotPosition, rowsBefore: number, totalRows: number): Promise<SnapshotRecord[]> {
  await target.query('START TRANSACTION');
  try {
    const [job] = await queryRows(target, `SELECT binlog_file, binlog_pos, gtid_pos FROM ${CHECKPOINT_DB}.jobs WHERE id = ? FOR UPDATE`, [id]);
    const [last] = await queryRows(target, `SELECT COALESCE(MAX(n), 0) AS n FROM ${CHECKPOINT_DB}.snapshots WHERE job_id = ?`, [id]);
    const n = Number(last?.n ?? 0) + 1;
    const recorded = job && (job.binlog_file !== null || job.gtid_pos !== null);
    if (n === 1 && recorded) {
      // The job's first snapshot predates this table: keep it as number 1 (its exactness unknown).
      await target.query(
        `INSERT INTO ${CHECKPOINT_DB}.snapshots (job_id, n, taken_at, binlog_file, binlog_pos, gtid_pos, exact, rows_before) SELECT id, 1, created_at, binlog_file, binlog_pos, gtid_pos, 0, 0 FROM ${CHECKPOINT_DB}.jobs WHERE id = ?`,
        [id],
      );
    }
    const seq = n === 1 && recorded ? 2 : n;
    await target.query(
      `INSERT INTO ${CHECKPOINT_DB}.snapshots (job_id, n, taken_at, binlog_file, binlog_pos, gtid_pos, exact, rows_before) VALUES (?, ?, NOW(3), ?, ?, ?, ?, ?)`,
      [id, seq, pos.binlogFile, pos.binlogPosition, pos.gtidBinlogPos, pos.exact ? 1 : 0, rowsBefore],
    );
    if (seq === 1) {
      await target.query(
        `UPDATE ${CHECKPOINT_DB}.jobs SET binlog_file = ?, binlog_pos = ?, gtid_pos = ?, total_rows = ?, updated_at = NOW(3) WHERE id = ?`,
        [pos.binlogFile, pos.binlogPosition, pos.gtidBinlogPos, totalRows, id],
      );
    } else {
      await target.query(`UPDATE ${CHECKPOINT_DB}.jobs SET total_rows = ?, updated_at = NOW(3) WHERE id = ?`, [totalRows, id]);
    }
    await target.query('COMMIT');
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return jobSnapshots(target, id);
}

/** The snapshots a job read from, first first (empty before its first run planned). */
export async function jobSnapshots(target: Connection, id: string): Promise<SnapshotRecord[]> {
  const rows = await queryRows(
    target,
    `SELECT n, DATE_FORMAT(taken_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS taken_at, binlog_file, binlog_pos, gtid_pos, exact, rows_before FROM ${CHECKPOINT_DB}.snapshots WHERE job_id = ? ORDER BY n`,
    [id],
  );
  return rows.map((r) => ({
    n: Number(r.n),
    takenAt: String(r.taken_at),
    binlogFile: r.binlog_file === null ? null : String(r.binlog_file),
    binlogPosition: r.binlog_pos === null ? null : Number(r.binlog_pos),
    gtidBinlogPos: r.gtid_pos === null ? null : String(r.gtid_pos),
    exact: Number(r.exact) === 1,
    rowsBefore: Number(r.rows_before),
  }));
}

export interface JobTableRow {
  table: string;
  state: 'pending' | 'copying' | 'done';
  estimatedRows: number;
}

export async function addJobTable(target: Connection, id: string, table: string, estimatedRows: number, keyColumns: string[]): Promise<void> {
  await target.query(
    `INSERT INTO ${CHECKPOINT_DB}.job_tables (job_id, table_name, state, estimated_rows, key_columns) VALUES (?, ?, 'pending', ?, ?)`,
    [id, table, estimatedRows, JSON.stringify(keyColumns)],
  );
}

export async function jobTables(target: Connection, id: string): Promise<JobTableRow[]> {
  const rows = await queryRows(target, `SELECT table_name, state, estimated_rows FROM ${CHECKPOINT_DB}.job_tables WHERE job_id = ? ORDER BY table_name`, [id]);
  return rows.map((r) => ({ table: String(r.table_name), state: r.state as JobTableRow['state'], estimatedRows: Number(r.estimated_rows) }));
}

/** Runs on the writer connection inside the chunk's transaction (or the stream's, for keyless tables). */
export function markTableDoneSql(): { sql: string } {
  return { sql: `UPDATE ${CHECKPOINT_DB}.job_tables SET state = 'done' WHERE job_id = ? AND table_name = ?` };
}

export async function markTableDone(target: Connection, id: string, table: string): Promise<void> {
  await target.query(markTableDoneSql().sql, [id, table]);
}

export const INSERT_CHUNK_SQL = `INSERT INTO ${CHECKPOINT_DB}.chunks (job_id, table_name, seq, lo_key, hi_key, row_count, byte_count, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3))`;

export interface CommittedChunk {
  seq: number;
  lo: KeyValue | null;
  hi: KeyValue | null;
  loText: string | null;
  hiText: string | null;
  rows: number;
  bytes: number;
}

export async function committedChunks(target: Connection, id: string, table: string): Promise<CommittedChunk[]> {
  const rows = await queryRows(
    target,
    `SELECT seq, lo_key, hi_key, row_count, byte_count FROM ${CHECKPOINT_DB}.chunks WHERE job_id = ? AND table_name = ? ORDER BY seq`,
    [id, table],
  );
  return rows.map((r) => {
    const loText = r.lo_key === null ? null : String(r.lo_key);
    const hiText = r.hi_key === null ? null : String(r.hi_key);
    return { seq: Number(r.seq), lo: decodeKey(loText), hi: decodeKey(hiText), loText, hiText, rows: Number(r.row_count), bytes: Number(r.byte_count) };
  });
}

/** Whether a chunk's checkpoint row is there: its COMMIT landed, even if the answer was lost. */
export async function chunkCommitted(target: Connection, id: string, table: string, seq: number): Promise<boolean> {
  const rows = await queryRows(target, `SELECT 1 AS x FROM ${CHECKPOINT_DB}.chunks WHERE job_id = ? AND table_name = ? AND seq = ?`, [id, table, seq]);
  return rows.length > 0;
}

/**
 * The key range not yet on the target. Writers load in parallel but commit in chunk order (see
 * CommitSequencer), so the committed chunks of a table are always a contiguous prefix: what is
 * missing is everything after the last committed chunk's upper key.
 */
export function missingRange(chunks: CommittedChunk[]): RangeBounds {
  const sorted = [...chunks].sort((a, b) => a.seq - b.seq);
  let prevHi: string | null = null;
  for (const c of sorted) {
    if (c.loText !== prevHi) throw new Error(`checkpoint chunks are not contiguous at seq ${c.seq}`);
    prevHi = c.hiText;
  }
  const last = sorted[sorted.length - 1];
  return { after: last ? last.hi : null, upTo: null };
}

export async function copiedTotals(target: Connection, id: string): Promise<{ rows: number; bytes: number }> {
  const rows = await queryRows(
    target,
    `SELECT COALESCE(SUM(row_count), 0) AS r, COALESCE(SUM(byte_count), 0) AS b FROM ${CHECKPOINT_DB}.chunks WHERE job_id = ?`,
    [id],
  );
  return { rows: Number(rows[0].r), bytes: Number(rows[0].b) };
}
