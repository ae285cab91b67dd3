/**
 * Jobs: list the jobs recorded in a target's checkpoint schema, and resume one by id. The stored
 * spec has no passwords; the caller supplies them again.
 */
import { closeQuietly, queryRows } from '../db/connection.js';
import { connectAs } from './connectRole.js';
import { CHECKPOINT_DB, copiedTotals, jobSnapshots } from '../jobs/checkpoint.js';
import { startJob, type StartOptions } from './copyJob.js';
import { databaseExists } from '../schema/inspector.js';
import { loadHybridPhases } from '../jobs/hybridState.js';
import type { JobEvents, JobHandle, JobSpec, JobState, JobSummary, ServerSpec } from '../jobs/types.js';

export async function listJobs(target: ServerSpec): Promise<JobSummary[]> {
  const conn = await connectAs(target, 'target');
  try {
    if (!(await databaseExists(conn, CHECKPOINT_DB))) return [];
    const rows = await queryRows(
      conn,
      `SELECT id, spec, state, message, created_at, updated_at, binlog_file, binlog_pos, gtid_pos, total_rows
         FROM ${CHECKPOINT_DB}.jobs ORDER BY created_at DESC`,
    );
    const phases = await loadHybridPhases(conn);
    const out: JobSummary[] = [];
    for (const r of rows) {
      const id = String(r.id);
      // A schema written by an older version has no snapshots table: the jobs row's position is all there is.
      const snapshots = await jobSnapshots(conn, id).catch(() => []);
      const first = snapshots[0];
      out.push({
        id,
        state: String(r.state) as JobState,
        spec: JSON.parse(String(r.spec)) as JobSpec,
        createdAt: String(r.created_at),
        updatedAt: String(r.updated_at),
        // The jobs row keeps the first snapshot's position (a resume never overwrites it).
        snapshot: {
          binlogFile: r.binlog_file === null ? null : String(r.binlog_file),
          binlogPosition: r.binlog_pos === null ? null : Number(r.binlog_pos),
          gtidBinlogPos: r.gtid_pos === null ? null : String(r.gtid_pos),
          ...(first ? { exact: first.exact } : {}),
        },
        snapshots,
        rowsCopied: (await copiedTotals(conn, id)).rows,
        totalRows: Number(r.total_rows),
        message: r.message === null ? null : String(r.message),
        ...(phases.has(id) ? { phase: phases.get(id)?.phase } : {}),
      });
    }
    return out;
  } finally {
    await closeQuietly(conn);
  }
}

export async function loadJob(target: ServerSpec, jobId: string): Promise<JobSummary | null> {
  return (await listJobs(target)).find((j) => j.id === jobId) ?? null;
}

export interface Passwords {
  source?: string;
  target?: string;
  replicas?: string;
}

/** The stored spec with passwords put back: what resume runs. */
export function withPasswords(spec: JobSpec, pw: Passwords): JobSpec {
  return {
    ...spec,
    source: { ...spec.source, password: pw.source },
    target: { ...spec.target, password: pw.target },
    replicas: spec.replicas?.map((r) => ({ ...r, password: pw.replicas ?? pw.target })),
    sourceReplicas: spec.sourceReplicas?.map((r) => ({ ...r, password: pw.replicas ?? pw.source })),
  };
}

/**
 * Continue a job after a crash, kill or cancel: chunks already committed stay, copying restarts
 * after each table's last committed chunk. A finished job is refused by the caller.
 */
export async function resumeJob(target: ServerSpec, jobId: string, pw: Passwords, events: JobEvents = {}, opts: StartOptions = {}): Promise<JobHandle> {
  const job = await loadJob({ ...target, password: pw.target ?? target.password }, jobId);
  if (!job) throw new Error(`job ${jobId} not found in ${CHECKPOINT_DB} on ${target.host}:${target.port}`);
  if (job.state === 'done') throw new Error(`job ${jobId} already finished`);
  const spec = withPasswords(job.spec, { ...pw, target: pw.target ?? target.password });
  return startJob(spec, events, { ...opts, resumeJobId: jobId });
}
