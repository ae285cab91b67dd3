/**
 * One way in for every job mode: the worker and the CLI start and resume jobs here, and the mode in
 * the spec picks the runner (copy/ for a full copy; the incremental and hybrid runners add their
 * case). Keeps "which runner" out of the callers, so a new mode is wired once.
 */
import { RefusedError } from '../db/errors.js';
import { startJob, type StartOptions } from '../copy/copyJob.js';
import { startHybridJob } from '../hybrid/index.js';
import { loadJob, resumeJob, withPasswords, type Passwords } from '../copy/jobControl.js';
import type { JobEvents, JobHandle, JobSpec, ServerSpec } from '../jobs/types.js';

function unsupported(mode: string): never {
  throw new RefusedError(`mode ${mode} is not available in this version (available: full, hybrid)`);
}

export function startMigration(spec: JobSpec, events: JobEvents = {}, opts: StartOptions = {}): JobHandle {
  switch (spec.mode) {
    case 'full':
      return startJob(spec, events, opts);
    case 'hybrid':
      return startHybridJob(spec, events, opts);
    default:
      return unsupported(spec.mode);
  }
}

/** Continue a job in whichever phase it stopped (a finished job is refused). */
export async function resumeMigration(target: ServerSpec, jobId: string, pw: Passwords, events: JobEvents = {}, opts: StartOptions = {}): Promise<JobHandle> {
  const job = await loadJob({ ...target, password: pw.target ?? target.password }, jobId);
  const mode = job?.spec.mode ?? 'full';
  switch (mode) {
    case 'full':
      return resumeJob(target, jobId, pw, events, opts);
    case 'hybrid': {
      if (!job) throw new Error(`job ${jobId} not found in rw_migrate on ${target.host}:${target.port}`);
      if (job.state === 'done') throw new Error(`job ${jobId} already finished (cut over)`);
      const spec = withPasswords(job.spec, { ...pw, target: pw.target ?? target.password });
      return startHybridJob(spec, events, { ...opts, resumeJobId: jobId });
    }
    default:
      return unsupported(mode);
  }
}
