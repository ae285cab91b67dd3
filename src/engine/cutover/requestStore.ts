/**
 * The cut-over request row in the TARGET's rw_migrate schema: the one place where a running hybrid
 * job (worker or CLI process) and whoever asks for its cut-over (the cutover command, the editor)
 * meet. The job calls watchCutover about every 500 ms, which both says "alive, in this phase" and
 * picks up a pending request; the asker writes the request and polls the row for the answer.
 *
 * state: NULL no request; requested (written by the asker) -> running (claimed by the job) ->
 * done | failed (written by the job). refused is written by the job when it will not cut over.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { CHECKPOINT_DB } from '../jobs/checkpoint.js';
import type { CutoverBlock, CutoverOutcome, CutoverReport, JobPhaseName, ProgressEvent } from '../jobs/types.js';

export const CUTOVER_TABLE = `${CHECKPOINT_DB}.cutover`;

export type CutoverStep = Extract<ProgressEvent, { type: 'cutover' }>['step'];
export type CutoverRequestState = 'requested' | 'running' | 'done' | 'failed' | 'refused';

const DDL = [
  `CREATE DATABASE IF NOT EXISTS ${CHECKPOINT_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS ${CUTOVER_TABLE} (
     job_id VARCHAR(64) NOT NULL PRIMARY KEY,
     job_seen_at DATETIME(3) NULL,
     job_phase VARCHAR(16) NULL,
     job_behind_seconds DOUBLE NULL,
     job_behind_events BIGINT NULL,
     requested_at DATETIME(3) NULL,
     block VARCHAR(16) NULL,
     state VARCHAR(16) NULL,
     step VARCHAR(16) NULL,
     message TEXT NULL,
     report LONGTEXT NULL,
     claimed_by VARCHAR(128) NULL,
     updated_at DATETIME(3) NOT NULL
   ) ENGINE=InnoDB`,
];

// CREATE ... IF NOT EXISTS is binlogged even when nothing is created: once per connection, not on
// every 500 ms watch (the target's replicas would receive each one).
const ensured = new WeakSet<Connection>();

export async function ensureCutoverSchema(conn: Connection): Promise<void> {
  if (ensured.has(conn)) return;
  for (const stmt of DDL) await conn.query(stmt);
  // claimed_by and job_behind_events came after the first version of the table.
  const cols = await queryRows(
    conn,
    "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'cutover' AND COLUMN_NAME IN ('claimed_by', 'job_behind_events')",
    [CHECKPOINT_DB],
  );
  const has = new Set(cols.map((r) => String(r.c)));
  if (!has.has('claimed_by')) await conn.query(`ALTER TABLE ${CUTOVER_TABLE} ADD COLUMN claimed_by VARCHAR(128) NULL AFTER report`);
  if (!has.has('job_behind_events')) await conn.query(`ALTER TABLE ${CUTOVER_TABLE} ADD COLUMN job_behind_events BIGINT NULL AFTER job_behind_seconds`);
  ensured.add(conn);
}

/** This process, as the claimant of a request: a later process of the same job sees that the claimant is gone. */
const PROCESS_TOKEN = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export interface CutoverRow {
  jobId: string;
  /** Milliseconds since the job last called watchCutover (server clock), null if never. */
  seenMsAgo: number | null;
  phase: JobPhaseName | null;
  behindSeconds: number | null;
  /** Row events the job has received and not applied yet, when it said. */
  behindEvents: number | null;
  block: CutoverBlock | null;
  state: CutoverRequestState | null;
  step: CutoverStep | null;
  message: string | null;
  report: CutoverReport | null;
}

export async function readCutoverRow(conn: Connection, jobId: string): Promise<CutoverRow | null> {
  const rows = await queryRows(
    conn,
    `SELECT job_id, TIMESTAMPDIFF(MICROSECOND, job_seen_at, NOW(3)) / 1000 AS seen_ms_ago, job_phase, job_behind_seconds, job_behind_events,
            block, state, step, message, report
       FROM ${CUTOVER_TABLE} WHERE job_id = ?`,
    [jobId],
  );
  const r = rows[0];
  if (!r) return null;
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    jobId: String(r.job_id),
    seenMsAgo: r.seen_ms_ago === null ? null : Number(r.seen_ms_ago),
    phase: str(r.job_phase) as JobPhaseName | null,
    behindSeconds: r.job_behind_seconds === null ? null : Number(r.job_behind_seconds),
    behindEvents: r.job_behind_events === null || r.job_behind_events === undefined ? null : Number(r.job_behind_events),
    block: str(r.block) as CutoverBlock | null,
    state: str(r.state) as CutoverRequestState | null,
    step: str(r.step) as CutoverStep | null,
    message: str(r.message),
    report: r.report === null ? null : (JSON.parse(String(r.report)) as CutoverReport),
  };
}

/**
 * Called by the running job about every 500 ms (on its target connection): records that it is alive
 * and in which phase (and, when known, how far behind the source it is), and claims a pending
 * request. Returns the block mode of the claimed request (the row is then 'running': the job must
 * end it with finishCutover), or null when nothing is asked.
 */
export async function watchCutover(conn: Connection, jobId: string, phase: JobPhaseName, behindSeconds?: number | null, behindEvents?: number | null): Promise<CutoverBlock | null> {
  await ensureCutoverSchema(conn);
  await conn.query(
    `INSERT INTO ${CUTOVER_TABLE} (job_id, job_seen_at, job_phase, job_behind_seconds, job_behind_events, updated_at) VALUES (?, NOW(3), ?, ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE job_seen_at = NOW(3), job_phase = VALUES(job_phase), job_behind_seconds = VALUES(job_behind_seconds),
       job_behind_events = VALUES(job_behind_events)`,
    [jobId, phase, behindSeconds ?? null, behindEvents ?? null],
  );
  // A cut-over claimed by another process of this job that is not finished: that process died
  // during it (a job runs in one process at a time). Its block may still be in place: say so.
  await conn.query(
    `UPDATE ${CUTOVER_TABLE}
        SET state = 'failed', step = 'failed', updated_at = NOW(3),
            message = CONCAT('The job process that was running this cut-over stopped before it finished (block: ', IFNULL(block, '?'),
              '). Writes to the moved tables may still be blocked on the source: check SHOW TRIGGERS LIKE ''rwm_cutover_%'' and @@read_only there, and lift what is left. Its last step: ',
              IFNULL(message, 'none recorded'))
      WHERE job_id = ? AND state = 'running' AND (claimed_by IS NULL OR claimed_by <> ?)`,
    [jobId, PROCESS_TOKEN],
  );
  // The claim is one conditional UPDATE, so two processes of the same job can never both run it.
  const [res] = await conn.query(
    `UPDATE ${CUTOVER_TABLE} SET state = 'running', step = NULL, message = NULL, claimed_by = ?, updated_at = NOW(3) WHERE job_id = ? AND state = 'requested'`,
    [PROCESS_TOKEN, jobId],
  );
  if ((res as { affectedRows: number }).affectedRows !== 1) return null;
  const row = await readCutoverRow(conn, jobId);
  return row?.block ?? null;
}

/** The job records a step of the cut-over it is running (the asker shows it); also counts as alive. */
export async function recordCutoverStep(conn: Connection, jobId: string, step: CutoverStep, message: string): Promise<void> {
  await conn.query(
    `UPDATE ${CUTOVER_TABLE} SET step = ?, message = ?, job_seen_at = NOW(3), updated_at = NOW(3) WHERE job_id = ? AND state = 'running'`,
    [step, message, jobId],
  );
}

/** The job's answer to the request it claimed: done (with the report), failed or refused (with why). */
export async function finishCutover(conn: Connection, jobId: string, outcome: CutoverOutcome): Promise<void> {
  await ensureCutoverSchema(conn);
  const step: CutoverStep | null = outcome.state === 'done' ? 'done' : outcome.state === 'failed' ? 'failed' : null;
  await conn.query(
    `INSERT INTO ${CUTOVER_TABLE} (job_id, state, step, message, report, updated_at) VALUES (?, ?, ?, ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE state = VALUES(state), step = VALUES(step), message = VALUES(message), report = VALUES(report), updated_at = NOW(3)`,
    [jobId, outcome.state, step, outcome.message, outcome.report ? JSON.stringify(outcome.report) : null],
  );
}
