/**
 * The public surface of engine/jobs: what a job is (spec, events, result), its records and reports.
 * The checkpoint tables are the copy's business and stay behind this index.
 */
export type {
  CutoverBlock,
  CutoverOutcome,
  CutoverReport,
  StreamPosition,
  IfExists,
  JobEvents,
  JobHandle,
  JobMode,
  JobPhaseName,
  JobResult,
  JobSpec,
  JobState,
  JobSummary,
  ProgressEvent,
  ConnectionFailure,
  ServerRole,
  ThrottleSignal,
  ServerSpec,
  SnapshotPosition,
  TablePlanInfo,
  ThrottleState,
  WriteMethod,
  WatermarkSpec,
} from './types.js';
export { startedJobSummary } from './jobSummary.js';
export { redactServer, redactSpec, type RedactOptions } from './redact.js';
export { jobRecord, type JobRecord } from './jobRecord.js';
export { emptyJobView, foldJobView, initialJobView, isActive, phaseText, reduceJobView, PHASES, PHASE_TEXT, type JobPhase, type JobView, type JobViewEvent } from './jobView.js';
export { formatBytes, formatDuration } from './format.js';
export { pauseRefusal } from './pauseRule.js';
export { reportJson, reportMarkdown, type MigrationReportJson } from './report.js';
export { INCREMENTAL_BLIND_SPOTS, WATERMARK_SAFETY_HELP } from './modes.js';
