/** The public surface of engine/incremental: runs of `--mode incremental` jobs (watermark column). */
export { startIncremental, resumeIncremental, type IncrementalOptions } from './run.js';
