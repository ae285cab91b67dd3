import type { JobSpec, JobSummary } from './types.js';

/** The summary of a job that has just been started: nothing copied, no snapshot yet. */
export function startedJobSummary(id: string, redactedSpec: JobSpec, now = new Date().toISOString()): JobSummary {
  return {
    id,
    state: 'planning',
    spec: redactedSpec,
    createdAt: now,
    updatedAt: now,
    snapshot: { binlogFile: null, binlogPosition: null, gtidBinlogPos: null },
    rowsCopied: 0,
    totalRows: 0,
    message: null,
  };
}
