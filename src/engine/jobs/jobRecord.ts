/**
 * What a migration report is made of: the job's spec (passwords removed), what its events said
 * (tables, snapshot position, throttling; read from the JobView), the final result and the
 * verification report. vscode-free, so the CLI and tests can build one too.
 */
import type { JobResult, JobSpec, JobState, SnapshotPosition } from './types.js';
import { throttledMsAt, type JobView, type TableRecord } from './jobView.js';
import type { VerifyReport } from '../verify/types.js';
import { redactSpec } from './redact.js';

export interface JobEventsSummary {
  tables: TableRecord[];
  /** The job's FIRST snapshot: the position changes must be applied from (kept across resumes). */
  snapshot: SnapshotPosition | null;
  /** Snapshots the job has read from (more than 1 once resumed); 0 before planning. */
  snapshotCount: number;
  /** Transient faults retried (deadlock, lock wait timeout, connection lost), and the first few as text. */
  retries: number;
  retryMessages: string[];
  throttledMs: number;
  throttleEpisodes: number;
  /** Distinct throttle reasons, in order of first appearance (at most 20). */
  throttleReasons: string[];
  peakRowsPerSecond: number;
  warnings: string[];
  states: { state: JobState; at: string; message?: string }[];
}

export interface JobRecord {
  jobId: string;
  /** Passwords removed; null when the job was resumed without its spec at hand. */
  spec: JobSpec | null;
  startedAt: string;
  finishedAt: string | null;
  events: JobEventsSummary;
  result: JobResult | null;
  verify: VerifyReport | null;
}

/**
 * The report's record of a job: a projection of its JobView (folded by the one reducer in
 * jobView.ts), with the spec's passwords removed and the verification, if any.
 */
export function jobRecord(view: JobView, spec: JobSpec | null, verify: VerifyReport | null = null): JobRecord {
  return {
    jobId: view.jobId,
    spec: spec ? redactSpec(spec, { omitInlineCa: true }) : null,
    startedAt: new Date(view.startedAt).toISOString(),
    finishedAt: view.finishedAt === null ? null : new Date(view.finishedAt).toISOString(),
    events: {
      tables: view.tables.map((t) => ({ ...t })),
      snapshot: view.snapshot,
      snapshotCount: view.snapshotCount,
      retries: view.retries,
      retryMessages: [...view.retryMessages],
      throttledMs: throttledMsAt(view, view.updatedAt),
      throttleEpisodes: view.throttleEpisodes,
      throttleReasons: [...view.throttleReasons],
      peakRowsPerSecond: view.peakRowsPerSecond,
      warnings: [...view.warnings],
      states: [...view.states],
    },
    result: view.result,
    verify,
  };
}
