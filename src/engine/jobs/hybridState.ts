/**
 * Where a hybrid job stands, in the target's rw_migrate schema next to its jobs row: the phase
 * (snapshot, catching-up, in-sync, cutting-over, done) and its last message. The jobs row's state
 * says whether the job runs; this row says how far it got, so a resume continues in that phase and
 * a listing shows it. Its own table, so an existing schema gains it by CREATE IF NOT EXISTS.
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { CHECKPOINT_DB } from './checkpoint.js';
import type { JobPhaseName } from './types.js';

const DDL = `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.hybrid_state (
   job_id VARCHAR(64) NOT NULL PRIMARY KEY,
   phase VARCHAR(16) NOT NULL,
   message TEXT NULL,
   updated_at DATETIME(3) NOT NULL
 ) ENGINE=InnoDB`;

const PHASES: ReadonlySet<string> = new Set<JobPhaseName>(['planning', 'copying', 'snapshot', 'catching-up', 'in-sync', 'cutting-over', 'done']);

export async function ensureHybridState(target: Connection): Promise<void> {
  await target.query(`CREATE DATABASE IF NOT EXISTS ${CHECKPOINT_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await target.query(DDL);
}

export async function saveHybridPhase(target: Connection, jobId: string, phase: JobPhaseName, message: string | null = null): Promise<void> {
  await target.query(
    `INSERT INTO ${CHECKPOINT_DB}.hybrid_state (job_id, phase, message, updated_at) VALUES (?, ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE phase = VALUES(phase), message = VALUES(message), updated_at = NOW(3)`,
    [jobId, phase, message],
  );
}

/** The recorded phase of every job that has one (none before the first hybrid job: no table). */
export async function loadHybridPhases(target: Connection): Promise<Map<string, { phase: JobPhaseName; message: string | null }>> {
  const rows = await queryRows(target, `SELECT job_id, phase, message FROM ${CHECKPOINT_DB}.hybrid_state`).catch((err: { errno?: number }) => {
    if (err.errno === 1146 || err.errno === 1049) return [];
    throw err;
  });
  const out = new Map<string, { phase: JobPhaseName; message: string | null }>();
  for (const r of rows) {
    const phase = String(r.phase);
    if (PHASES.has(phase)) out.set(String(r.job_id), { phase: phase as JobPhaseName, message: r.message === null ? null : String(r.message) });
  }
  return out;
}
