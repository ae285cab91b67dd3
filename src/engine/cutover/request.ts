/**
 * The asking side of a cut-over (the cutover command, the worker for the editor's button): checks
 * that the job can cut over now, writes the request row on the target, and waits for the running
 * job's answer. The job itself does the work (performCutover) in its own process; this side never
 * touches the source.
 */
import { closeQuietly, queryRows, serverLabel, type Connection } from '../db/connection.js';
import { connectAs } from '../copy/connectRole.js';
import { errorMessage } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { CHECKPOINT_DB } from '../jobs/checkpoint.js';
import type { CutoverBlock, CutoverOutcome, JobMode, JobSpec } from '../jobs/types.js';
import { CUTOVER_TABLE, ensureCutoverSchema, readCutoverRow, type CutoverRow, type CutoverStep } from './requestStore.js';

/** A job that has not called watchCutover for this long is not running. */
export const JOB_ALIVE_MS = 5_000;
const POLL_MS = 200;

export interface RequestCutoverOptions {
  /** How long to wait for the job's answer; on expiry a request the job has not picked up is withdrawn. */
  timeoutMs: number;
  /** Each step the job records (requested, blocked, caught-up, verified, done, failed). */
  onStep?(step: CutoverStep, message: string): void;
  /** Stop waiting (Ctrl-C): a request the job has not picked up yet is withdrawn, as on timeout. */
  signal?: AbortSignal;
}

function refused(message: string): CutoverOutcome {
  return { state: 'refused', message };
}

interface JobRow {
  state: string;
  mode: JobMode;
}

async function readJob(conn: Connection, jobId: string): Promise<JobRow | null> {
  try {
    const rows = await queryRows(conn, `SELECT state, spec FROM ${CHECKPOINT_DB}.jobs WHERE id = ?`, [jobId]);
    if (!rows[0]) return null;
    const spec = JSON.parse(String(rows[0].spec)) as Partial<JobSpec>;
    // Jobs recorded before modes existed are full copies.
    return { state: String(rows[0].state), mode: spec.mode ?? 'full' };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ER_BAD_DB_ERROR' || code === 'ER_NO_SUCH_TABLE') return null;
    throw err;
  }
}

function behindText(row: CutoverRow): string {
  if (row.behindSeconds === null) return 'how far behind is not known yet';
  return `${row.behindSeconds.toFixed(1)} s behind the source`;
}

/** Why the job cannot cut over now, or null when it can. */
export function cutoverRefusal(jobId: string, target: ServerSpec, job: JobRow | null, row: CutoverRow | null): string | null {
  const where = serverLabel(target);
  if (!job) return `No job ${jobId} on ${where}: list the jobs there with rw-migrate status --to URL (the job id, and the target URL it was started with).`;
  if (job.mode !== 'hybrid') {
    return `Job ${jobId} is not a hybrid job (its mode is ${job.mode}): only a hybrid job (copy, then follow the source's changes) can cut over. Start a hybrid job for these tables instead (job mode hybrid).`;
  }
  if (row?.state === 'done') return `Job ${jobId} has already cut over: ${row.message ?? 'done'}.`;
  if (row?.state === 'requested' || row?.state === 'running') {
    return `A cut-over of job ${jobId} is already ${row.state === 'running' ? 'running' : 'requested'}; wait for its outcome (rw-migrate status --to URL).`;
  }
  const alive = row !== null && row.seenMsAgo !== null && row.seenMsAgo <= JOB_ALIVE_MS;
  if (!alive) {
    if (job.state === 'done') return `Job ${jobId} is already done.`;
    const last = row?.seenMsAgo != null ? ` (last seen ${Math.round(row.seenMsAgo / 1000)} s ago)` : '';
    return `Job ${jobId} is not running${last}: the cut-over is done by the running job. Run rw-migrate resume ${jobId} first, then ask again once it is in sync.`;
  }
  if (row.phase !== 'in-sync') {
    // As Vitess and gh-ost do: no write downtime is taken while the target lags, since the block
    // would last as long as the catching up.
    return `Job ${jobId} is ${row.phase ?? 'starting'}, not in sync (${behindText(row)}): writes would stay blocked while the target catches up. Ask again when it is in sync.`;
  }
  return null;
}

/**
 * Asks the running hybrid job `jobId` (recorded on `target`) to cut over with `block`, and waits for
 * its answer. Refused (nothing written anywhere) when the job is unknown, not hybrid, already done,
 * not running or not in sync. On timeout a request the job has not picked up yet is withdrawn.
 */
export async function requestCutover(target: ServerSpec, jobId: string, block: CutoverBlock, opts: RequestCutoverOptions): Promise<CutoverOutcome> {
  // A connection failure is a ConnectionFailedError naming the target and the fix, as for the other commands.
  const conn = await connectAs(target, 'target');
  try {
    const job = await readJob(conn, jobId);
    if (job) await ensureCutoverSchema(conn);
    const row = job ? await readCutoverRow(conn, jobId) : null;
    const why = cutoverRefusal(jobId, target, job, row);
    if (why) return refused(why);
    // Conditional on the state read above: a concurrent asker loses here instead of overwriting.
    const [res] = await conn.query(
      `UPDATE ${CUTOVER_TABLE} SET state = 'requested', block = ?, requested_at = NOW(3), step = 'requested', message = NULL, report = NULL, updated_at = NOW(3)
        WHERE job_id = ? AND (state IS NULL OR state IN ('failed', 'refused'))`,
      [block, jobId],
    );
    if ((res as { affectedRows: number }).affectedRows !== 1) return refused(`Another cut-over of job ${jobId} was requested at the same moment; wait for its outcome.`);
    const step = (s: CutoverStep, m: string) => {
      try {
        opts.onStep?.(s, m);
      } catch {
        // a listener's bug must not lose the answer
      }
    };
    step('requested', `asked job ${jobId} to cut over (block: ${block})`);
    return await waitForAnswer(conn, jobId, opts, step);
  } finally {
    await closeQuietly(conn);
  }
}

async function waitForAnswer(conn: Connection, jobId: string, opts: RequestCutoverOptions, step: (s: CutoverStep, m: string) => void): Promise<CutoverOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastStep: string | null = 'requested';
  for (;;) {
    const row = await readCutoverRow(conn, jobId);
    if (!row) return { state: 'failed', message: `The cut-over request of job ${jobId} disappeared from ${CUTOVER_TABLE}.` };
    if (row.state === 'running' && row.step && row.step !== lastStep) {
      lastStep = row.step;
      step(row.step, row.message ?? '');
    }
    if (row.state === 'done' || row.state === 'failed' || row.state === 'refused') {
      if (row.step && row.step !== lastStep) step(row.step, row.message ?? '');
      return { state: row.state, message: row.message ?? row.state, ...(row.report ? { report: row.report } : {}) };
    }
    if (opts.signal?.aborted) return stopWaiting(conn, jobId, 'Cancelled');
    if (Date.now() > deadline) return stopWaiting(conn, jobId, `No answer within ${Math.round(opts.timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Stops waiting for the answer: withdraws a request not picked up yet, else says the job is still at it. */
async function stopWaiting(conn: Connection, jobId: string, why: string): Promise<CutoverOutcome> {
  try {
    const [res] = await conn.query(`UPDATE ${CUTOVER_TABLE} SET state = NULL, step = NULL, updated_at = NOW(3) WHERE job_id = ? AND state = 'requested'`, [jobId]);
    if ((res as { affectedRows: number }).affectedRows === 1) {
      return { state: 'failed', message: `${why}: job ${jobId} had not picked up the cut-over request; the request was withdrawn and nothing was changed.` };
    }
  } catch (err) {
    return { state: 'failed', message: `${why}, and the request could not be withdrawn (${errorMessage(err)}): the job may still pick it up.` };
  }
  return {
    state: 'failed',
    message:
      `${why}, but job ${jobId} is already running the cut-over: writes to the moved tables may be blocked on the source ` +
      'until it ends. Its outcome will be on the job (rw-migrate status --to URL).',
  };
}

/**
 * What a cut-over of `jobId` would block, in words (the cutover command's refusal without --yes):
 * which server, which tables or the whole server, and how the block is lifted.
 */
export async function describeCutover(target: ServerSpec, jobId: string, block: CutoverBlock): Promise<string> {
  const conn = await connectAs(target, 'target');
  try {
    const rows = await queryRows(conn, `SELECT spec FROM ${CHECKPOINT_DB}.jobs WHERE id = ?`, [jobId]).catch(() => []);
    if (!rows[0]) return `No job ${jobId} on ${serverLabel(target)}: list the jobs there with rw-migrate status --to URL.`;
    const spec = JSON.parse(String(rows[0].spec)) as JobSpec;
    let tables = spec.tables === 'all' ? [] : spec.tables;
    if (spec.tables === 'all') {
      const t = await queryRows(conn, `SELECT table_name FROM ${CHECKPOINT_DB}.job_tables WHERE job_id = ? ORDER BY table_name`, [jobId]).catch(() => []);
      tables = t.map((r) => String(r.table_name));
    }
    const src = `${spec.source.host}:${spec.source.port}`;
    const list = tables.length > 0 ? tables.map((t) => `${spec.sourceDatabase}.${t}`).join(', ') : `every table of ${spec.sourceDatabase} the job copies`;
    const how =
      block === 'read-only'
        ? `the WHOLE server ${src} becomes read-only (SET GLOBAL read_only = ON): every database on it, not only ${spec.sourceDatabase}; ` +
          'accounts with READ_ONLY ADMIN (MariaDB 10.11+; SUPER on MySQL) still write. Lifted by: SET GLOBAL read_only = OFF'
        : `writes to ${list} on ${src} are refused by blocker triggers (BEFORE INSERT/UPDATE/DELETE, created under a short LOCK TABLES ... WRITE). ` +
          'Lifted by the DROP TRIGGER statements the report prints';
    return (
      `The cut-over of job ${jobId} (${spec.sourceDatabase} on ${src} -> ${spec.targetDatabase} on ${spec.target.host}:${spec.target.port}) blocks writes on the source: ${how}. ` +
      `Moved tables: ${list}. After a successful cut-over writes STAY blocked until you lift the block; on failure it is lifted at once.`
    );
  } finally {
    await closeQuietly(conn);
  }
}
