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
import type { CutoverBlock, CutoverOutcome, JobPhaseName, JobSpec } from '../jobs/types.js';
import { cutoverDecision, type CutoverDecision, type CutoverJobRow } from './readiness.js';
import { CUTOVER_TABLE, ensureCutoverSchema, readCutoverRow, type CutoverStep } from './requestStore.js';

const POLL_MS = 200;
/** While waiting for a job to be in sync: it refreshes its cut-over row every 500 ms. */
const SYNC_POLL_MS = 500;

export interface CutoverWaiting {
  phase: 'catching-up';
  behindSeconds: number | null;
  behindEvents: number | null;
  /** How long the asker waits for the job to be in sync. */
  timeoutMs: number;
}

export interface RequestCutoverOptions {
  /**
   * How long to wait for the job's answer; on expiry a request the job has not picked up is
   * withdrawn. With waitForSync, also how long to wait for a catching-up job to be in sync first.
   */
  timeoutMs: number;
  /** A running job that is catching up is waited for (up to timeoutMs) instead of refused at once. */
  waitForSync?: boolean;
  /** The wait for in-sync starts (once), with how far behind the job said it is. */
  onWaiting?(w: CutoverWaiting): void;
  /** Each step the job records (requested, blocked, caught-up, verified, done, failed). */
  onStep?(step: CutoverStep, message: string): void;
  /** Stop waiting (Ctrl-C): a request the job has not picked up yet is withdrawn, as on timeout. */
  signal?: AbortSignal;
}

function refused(message: string): CutoverOutcome {
  return { state: 'refused', message };
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ER_BAD_DB_ERROR' || code === 'ER_NO_SUCH_TABLE';
}

async function readJob(conn: Connection, jobId: string): Promise<CutoverJobRow | null> {
  let job: CutoverJobRow;
  try {
    const rows = await queryRows(conn, `SELECT state, spec FROM ${CHECKPOINT_DB}.jobs WHERE id = ?`, [jobId]);
    if (!rows[0]) return null;
    const spec = JSON.parse(String(rows[0].spec)) as Partial<JobSpec>;
    // Jobs recorded before modes existed are full copies.
    job = { state: String(rows[0].state), mode: spec.mode ?? 'full' };
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    const rows = await queryRows(conn, `SELECT phase FROM ${CHECKPOINT_DB}.hybrid_state WHERE job_id = ?`, [jobId]);
    job.phase = rows[0] ? (String(rows[0].phase) as JobPhaseName) : null;
  } catch (err) {
    // No hybrid job has recorded a phase on this target yet.
    if (!isMissing(err)) throw err;
  }
  return job;
}

async function decide(conn: Connection, target: ServerSpec, jobId: string, waitForSync: boolean): Promise<CutoverDecision> {
  const job = await readJob(conn, jobId);
  if (job) await ensureCutoverSchema(conn);
  const row = job ? await readCutoverRow(conn, jobId) : null;
  return cutoverDecision(jobId, target, job, row, waitForSync);
}

/**
 * Waits for a catching-up job to be in sync: null once it is (ask now), else the outcome (refused
 * when it stops, is paused, or is still catching up at the deadline; failed when cancelled).
 * Nothing is written meanwhile.
 */
async function waitInSync(conn: Connection, target: ServerSpec, jobId: string, first: CutoverDecision & { kind: 'wait' }, opts: RequestCutoverOptions): Promise<CutoverOutcome | null> {
  try {
    opts.onWaiting?.({ phase: 'catching-up', behindSeconds: first.behindSeconds, behindEvents: first.behindEvents, timeoutMs: opts.timeoutMs });
  } catch {
    // a listener's bug must not stop the wait
  }
  const deadline = Date.now() + opts.timeoutMs;
  let last: CutoverDecision = first;
  for (;;) {
    if (opts.signal?.aborted) return { state: 'failed', message: `Cancelled while waiting for job ${jobId} to be in sync: nothing was asked and nothing was changed.` };
    if (Date.now() > deadline) {
      const behind = last.kind === 'wait' && last.behindSeconds !== null ? ` (${last.behindSeconds.toFixed(1)} s / ${last.behindEvents ?? '?'} events behind)` : '';
      return refused(
        `Job ${jobId} was still catching up after ${Math.round(opts.timeoutMs / 1000)} s${behind}: nothing was asked and nothing was changed. ` +
          'Ask again later, or wait longer with --timeout.',
      );
    }
    await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    last = await decide(conn, target, jobId, true);
    if (last.kind === 'ask') return null;
    if (last.kind === 'refuse') return refused(last.message);
  }
}

/**
 * Asks the running hybrid job `jobId` (recorded on `target`) to cut over with `block`, and waits for
 * its answer. Refused (nothing written anywhere) when the job is unknown, not hybrid, already done,
 * not running, paused or not in sync; with waitForSync a running job that is catching up is first
 * waited for, up to timeoutMs. On timeout a request the job has not picked up yet is withdrawn.
 */
export async function requestCutover(target: ServerSpec, jobId: string, block: CutoverBlock, opts: RequestCutoverOptions): Promise<CutoverOutcome> {
  // A connection failure is a ConnectionFailedError naming the target and the fix, as for the other commands.
  const conn = await connectAs(target, 'target');
  try {
    const decision = await decide(conn, target, jobId, opts.waitForSync ?? false);
    if (decision.kind === 'refuse') return refused(decision.message);
    if (decision.kind === 'wait') {
      const stopped = await waitInSync(conn, target, jobId, decision, opts);
      if (stopped) return stopped;
    }
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
