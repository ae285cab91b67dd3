/**
 * The cut-over request row in the TARGET's rw_migrate schema: the one place where a running hybrid
 * job (worker or CLI process) and whoever asks for its cut-over (the cutover command, the editor)
 * meet. The job calls watchCutover about every 500 ms, which both says "alive, in this phase" and
 * picks up a pending request; the asker writes the request and polls the row for the answer.
 *
 * state: NULL no request; requested (written by the asker) -> running (claimed by the job) ->
 * done | failed (written by the job). refused is written by the job when it will not cut over.
 */
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
     requested_at DATETIME(3) NULL,
     block VARCHAR(16) NULL,
     state VARCHAR(16) NULL,
     step VARCHAR(16) NULL,
     message TEXT NULL,
     report LONGTEXT NULL,
     updated_at DATETIME(3) NOT NULL
   ) ENGINE=InnoDB`,
];

export async function ensureCutoverSchema(conn: Connection): Promise<void> {
  for (const stmt of DDL) await conn.query(stmt);
}

export interface CutoverRow {
  jobId: string;
  /** Milliseconds since the job last called watchCutover (server clock), null if never. */
  seenMsAgo: number | null;
  phase: JobPhaseName | null;
  behindSeconds: number | null;
  block: CutoverBlock | null;
  state: CutoverRequestState | null;
  step: CutoverStep | null;
  message: string | null;
  report: CutoverReport | null;
}

export async function readCutoverRow(conn: Connection, jobId: string): Promise<CutoverRow | null> {
  const rows = await queryRows(
    conn,
    `SELECT job_id, TIMESTAMPDIFF(MICROSECOND, job_seen_at, NOW(3)) / 1000 AS seen_ms_ago, job_phase, job_behind_seconds,
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
export async function watchCutover(conn: Connection, jobId: string, phase: JobPhaseName, behindSeconds?: number | null): Promise<CutoverBlock | null> {
  await ensureCutoverSchema(conn);
  await conn.query(
    `INSERT INTO ${CUTOVER_TABLE} (job_id, job_seen_at, job_phase, job_behind_seconds, updated_at) VALUES (?, NOW(3), ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE job_seen_at = NOW(3), job_phase = VALUES(job_phase), job_behind_seconds = VALUES(job_behind_seconds)`,
    [jobId, phase, behindSeconds ?? null],
  );
  // The claim is one conditional UPDATE, so two processes of the same job can never both run it.
  const [res] = await conn.query(
    `UPDATE ${CUTOVER_TABLE} SET state = 'running', step = NULL, message = NULL, updated_at = NOW(3) WHERE job_id = ? AND state = 'requested'`,
    [jobId],
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
