/**
 * Throttling of a job that writes chunks to a target (the full copy and the watermark run): what it
 * watches, and the wait between chunks while any of it is over its limit.
 */
import { CancelledError } from '../db/errors.js';
import type { ProgressTracker } from '../jobs/progress.js';
import type { JobSpec, ProgressEvent } from '../jobs/types.js';
import type { HeartbeatSource } from '../lag/replicaProbe.js';
import { ReplicaProbe, throttleProbe } from '../lag/replicaProbe.js';
import { SlaveStatusLagProbe, ThreadsRunningProbe, Throttler, type LagProbe } from '../lag/throttler.js';

const THROTTLE_DEFAULTS = { maxLagSeconds: 1, maxLoad: 50 };

/**
 * The target's replicas (judged by the heartbeat when there is one, their thread states still from
 * their status), the source's replicas, the target's load, and the caller's extra probes.
 */
export function jobThrottler(spec: JobSpec, heartbeat: { source(pendingLimitSeconds: number): HeartbeatSource } | null, extra: LagProbe[] = []): Throttler {
  const maxLag = spec.maxLagSeconds ?? THROTTLE_DEFAULTS.maxLagSeconds;
  const hb = heartbeat?.source(maxLag);
  return new Throttler([
    ...(spec.replicas ?? []).map((r) => (hb ? throttleProbe(ReplicaProbe.forSpec(r, hb), { warnSeconds: maxLag }) : new SlaveStatusLagProbe(r, maxLag))),
    ...(spec.sourceReplicas ?? []).map((r) => new SlaveStatusLagProbe(r, maxLag)),
    new ThreadsRunningProbe({ ...spec.target, name: spec.target.name ?? 'target' }, spec.maxLoad ?? THROTTLE_DEFAULTS.maxLoad),
    ...extra,
  ]);
}

/** Waits while throttled, each change reported as a throttle event and in the progress; throws CancelledError once cancelled. */
export async function waitUnthrottled(
  throttler: Throttler | null,
  job: { jobId: string; progress: ProgressTracker | null; emit(e: ProgressEvent): void; cancelled(): boolean },
): Promise<void> {
  if (!throttler) return;
  await throttler.waitClear(
    (s) => {
      if (job.progress) job.progress.throttle = s;
      job.emit({ type: 'throttle', jobId: job.jobId, throttle: s });
      job.progress?.maybeEmit(true);
    },
    job.cancelled,
  );
  if (job.cancelled()) throw new CancelledError();
}
