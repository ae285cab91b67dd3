/**
 * Whether a hybrid job can be asked to cut over now, from what its target records: the jobs row
 * (state, mode), its hybrid phase row, and the cut-over row the running job refreshes every 500 ms
 * (alive, phase, how far behind). Pure, so each answer is unit-tested without a server. A job that
 * is catching up may be waited for (the cutover command does, up to its --timeout); everything else
 * that is not in sync is refused at once, saying what to do.
 */
import { serverLabel } from '../db/connection.js';
import type { ServerSpec } from '../db/server.js';
import type { JobMode, JobPhaseName } from '../jobs/types.js';
import type { CutoverRow } from './requestStore.js';

/** A job that has not called watchCutover for this long is not running. */
export const JOB_ALIVE_MS = 5_000;

/** The job as its jobs row (and hybrid phase row, when it has one) records it. */
export interface CutoverJobRow {
  state: string;
  mode: JobMode;
  /** The phase recorded in rw_migrate.hybrid_state (absent before the job recorded one). */
  phase?: JobPhaseName | null;
}

export type CutoverDecision =
  | { kind: 'ask' }
  | { kind: 'refuse'; message: string }
  /** Catching up and alive: in sync soon, perhaps (how far behind it said). */
  | { kind: 'wait'; behindSeconds: number | null; behindEvents: number | null };

function behindText(row: CutoverRow): string {
  if (row.behindSeconds === null) return 'how far behind is not known yet';
  return `${row.behindSeconds.toFixed(1)} s behind the source`;
}

/**
 * What to do with a cut-over request for `jobId` now. `waitForSync`: a live job catching up is
 * waited for (`wait`) instead of refused.
 */
export function cutoverDecision(jobId: string, target: ServerSpec, job: CutoverJobRow | null, row: CutoverRow | null, waitForSync = false): CutoverDecision {
  const refuse = (message: string): CutoverDecision => ({ kind: 'refuse', message });
  const where = serverLabel(target);
  if (!job) return refuse(`No job ${jobId} on ${where}: list the jobs there with rw-migrate status --to URL (the job id, and the target URL it was started with).`);
  if (job.mode !== 'hybrid') {
    return refuse(`Job ${jobId} is not a hybrid job (its mode is ${job.mode}): only a hybrid job (copy, then follow the source's changes) can cut over. Start a hybrid job for these tables instead (job mode hybrid).`);
  }
  if (row?.state === 'done') return refuse(`Job ${jobId} has already cut over: ${row.message ?? 'done'}.`);
  if (row?.state === 'requested' || row?.state === 'running') {
    return refuse(`A cut-over of job ${jobId} is already ${row.state === 'running' ? 'running' : 'requested'}; wait for its outcome (rw-migrate status --to URL).`);
  }
  const alive = row !== null && row.seenMsAgo !== null && row.seenMsAgo <= JOB_ALIVE_MS;
  if (!alive) {
    if (job.state === 'done') return refuse(`Job ${jobId} is already done.`);
    const active = job.state === 'planning' || job.state === 'copying' || job.state === 'paused';
    if (active && (job.phase === 'planning' || job.phase === 'snapshot')) {
      // The snapshot phase has no cut-over row yet: the job starts refreshing it once it follows the source.
      return refuse(
        `Job ${jobId} is in its ${job.phase} phase (copying the tables${job.state === 'paused' ? ', paused' : ''}): it follows the source's changes only after the snapshot, ` +
          `and can cut over once it is in sync. Ask again then (rw-migrate status --to URL shows its phase); if its process stopped, run rw-migrate resume ${jobId} first.`,
      );
    }
    const last = row?.seenMsAgo != null ? ` (last seen ${Math.round(row.seenMsAgo / 1000)} s ago)` : '';
    return refuse(`Job ${jobId} is not running${last}: the cut-over is done by the running job. Run rw-migrate resume ${jobId} first, then ask again once it is in sync.`);
  }
  if (job.state === 'paused') {
    return refuse(
      `Job ${jobId} is paused (phase ${row.phase ?? 'unknown'}, ${behindText(row)}): nothing is applied while it is paused, so it cannot catch up or cut over. ` +
        'Resume it first (Resume Job in the Jobs view), then ask again once it is in sync.',
    );
  }
  if (row.phase === 'in-sync') return { kind: 'ask' };
  if (row.phase === 'catching-up' && waitForSync) return { kind: 'wait', behindSeconds: row.behindSeconds, behindEvents: row.behindEvents };
  // As Vitess and gh-ost do: no write downtime is taken while the target lags, since the block
  // would last as long as the catching up.
  return refuse(`Job ${jobId} is ${row.phase ?? 'starting'}, not in sync (${behindText(row)}): writes would stay blocked while the target catches up. Ask again when it is in sync.`);
}

/** Why the job cannot cut over now, or null when it can (a job catching up is refused: no waiting). */
export function cutoverRefusal(jobId: string, target: ServerSpec, job: CutoverJobRow | null, row: CutoverRow | null): string | null {
  const d = cutoverDecision(jobId, target, job, row);
  return d.kind === 'refuse' ? d.message : d.kind === 'wait' ? `Job ${jobId} is catching up, not in sync.` : null;
}
