/** The engine's public surface, for the worker, the CLI and tests. */
export { startJob, type StartOptions } from './copy/copyJob.js';
export { listJobs, loadJob, resumeJob, withPasswords, type Passwords } from './copy/jobControl.js';
export { startedJobSummary } from './jobs/jobSummary.js';
export { RefusedError, CancelledError } from './db/errors.js';
export { ConnectionFailedError } from './copy/connectRole.js';
export type { LagProbe, ProbeReading } from './lag/throttler.js';
export * from './jobs/types.js';
