/**
 * The JobHandle of a running job, the same for every runner (copy, incremental, hybrid): the id as
 * soon as the runner knows it (or from its result), the result, and pause/resume/cancel.
 */
import type { JobHandle, JobResult } from './types.js';

export interface JobRun {
  /** Set by jobHandle: the runner calls it once its job id is known. */
  onId: (id: string) => void;
  run(): Promise<JobResult>;
}

/** What pause, resume and cancel act on: a runner's RunGate, or a runner with its own rules (hybrid). */
export interface JobControl {
  pause(): void;
  resume(): void;
  cancel(): void;
}

export function jobHandle(run: JobRun, control: JobControl): JobHandle {
  let resolveId: (id: string) => void = () => {};
  const jobId = new Promise<string>((r) => (resolveId = r));
  run.onId = resolveId;
  const done = run.run();
  done.then((r) => resolveId(r.jobId), () => undefined);
  return { jobId, done, pause: () => control.pause(), resume: () => control.resume(), cancel: () => control.cancel() };
}
