/**
 * The engine as one import for the worker, the CLI and tests: the copy-job API. Each name comes
 * from its folder's index (engine/<folder>/index.ts), never from past it.
 */
export { startJob, listJobs, loadJob, resumeJob, withPasswords, type Passwords, type StartOptions } from './copy/index.js';
export { startMigration, resumeMigration } from './migrate/index.js';
export { startedJobSummary } from './jobs/index.js';
export { CancelledError, RefusedError } from './db/index.js';
export { ConnectionFailedError } from './copy/index.js';
export type { LagProbe, ProbeReading } from './lag/index.js';
// A job's types (JobSpec, ProgressEvent, ServerSpec...), named once in jobs/index.ts.
export type * from './jobs/index.js';
export { ENGINE_VERSION } from './version.js';
