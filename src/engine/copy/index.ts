/**
 * The public surface of engine/copy: start, list and resume copy jobs. Planner, reader, encoder,
 * queue, sequencer and applier are the copy's inside and stay behind this index.
 */
export { startJob, type StartOptions } from './copyJob.js';
export { ConnectionFailedError } from './connectRole.js';
export { listJobs, loadJob, resumeJob, withPasswords, type Passwords } from './jobControl.js';
