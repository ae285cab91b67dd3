/** The engine's public surface, for the worker, the CLI and tests. */
export { startJob, type StartOptions } from './migrator.js';
export { listJobs, loadJob, resumeJob, withPasswords, type Passwords } from './jobs.js';
export { startedJobSummary } from './jobSummary.js';
export { RefusedError, CancelledError } from './errors.js';
export type { LagProbe, ProbeReading } from './throttler.js';
export * from './types.js';
