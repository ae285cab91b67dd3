/**
 * The one typed protocol shared by the extension host, the background worker and the webviews.
 * Every request and notification that crosses a process or iframe boundary is declared here, so a
 * reader learns the whole surface from one file. Worker messages are JSON-RPC (vscode-jsonrpc types);
 * webview messages are plain discriminated unions because postMessage has no RPC layer.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { CutoverBlock, CutoverOutcome, JobMode, JobPhaseName, JobResult, JobSpec, JobState, JobSummary, ProgressEvent, ServerSpec, ThrottleState } from '../engine/jobs/types.js';
import type { StreamView } from '../engine/jobs/jobView.js';
import type {
  ColumnSummary, ConnectionReport, DatabaseInfo, DiscoveredReplica, LagThresholds, LagUpdate, Outcome, PollSession, ServerRef, ServerSummary, TableSummary,
} from '../engine/topology/types.js';
import type { RepairResult, RepairSpec, VerifyProgress, VerifyReport, VerifySpec } from '../engine/verify/types.js';
import type { PartitionMap, PartitionTarget, RangeVerdict } from '../engine/partition/types.js';
import type { SyncEvent, SyncResult } from '../engine/cdc/types.js';

// ---------------------------------------------------------------------------------------------
// Extension host <-> worker
// ---------------------------------------------------------------------------------------------

export interface WorkerInfo {
  pid: number;
  nodeVersion: string;
  engineVersion: string;
  uptimeMs: number;
  rssBytes: number;
}

export interface PingParams {
  /** Wall-clock milliseconds on the sender, echoed back so the sender can measure the round trip. */
  sentAt: number;
}

export interface PingResult extends WorkerInfo {
  sentAt: number;
}

export const PingRequest = new RequestType<PingParams, PingResult, void>('rwMigrate/ping');

export const WorkerInfoRequest = new RequestType0<WorkerInfo, void>('rwMigrate/workerInfo');

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogParams {
  level: LogLevel;
  message: string;
}

/** Worker -> extension: log lines routed to the output channel (the worker has no UI of its own). */
export const LogNotification = new NotificationType<LogParams>('rwMigrate/log');

// ---------------------------------------------------------------------------------------------
// Extension host <-> webviews
// ---------------------------------------------------------------------------------------------

/** Page -> host. `ready` is the handshake: the host posts nothing until the page listens. */
export type WorkerInfoPageMessage = { type: 'ready' } | { type: 'refresh' };

/** Host -> page. */
export type WorkerInfoHostMessage =
  | { type: 'workerInfo'; info: WorkerInfo; roundTripMs: number }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------------------------------------
// Topology: connection profiles, the tree, Test Connection and the lag indicator
// ---------------------------------------------------------------------------------------------

export type * from '../engine/topology/types.js';

export interface ServerParams {
  server: ServerRef;
}

export const ServerSummaryRequest = new RequestType<ServerParams, Outcome<ServerSummary>, void>('rwMigrate/topology/serverSummary');

export const TestConnectionRequest = new RequestType<ServerParams & { database?: string }, Outcome<ConnectionReport>, void>('rwMigrate/topology/testConnection');

export const ListDatabasesRequest = new RequestType<ServerParams & { only?: string[] }, Outcome<DatabaseInfo[]>, void>('rwMigrate/topology/listDatabases');

export const ListTablesRequest = new RequestType<ServerParams & { database: string }, Outcome<TableSummary[]>, void>('rwMigrate/topology/listTables');

/** Columns of a database's base tables (the named ones, or all): the incremental strategy's watermark pick. */
export const ListColumnsRequest = new RequestType<ServerParams & { database: string; tables?: string[] }, Outcome<ColumnSummary[]>, void>('rwMigrate/topology/listColumns');

export const DiscoverReplicasRequest = new RequestType<ServerParams, Outcome<DiscoveredReplica[]>, void>('rwMigrate/topology/discoverReplicas');

/** Creates the pt-heartbeat compatible table on the primary; returns the primary's server_id. */
export const SetupHeartbeatRequest = new RequestType<ServerParams & { database: string }, Outcome<{ serverId: number }>, void>('rwMigrate/topology/setupHeartbeat');

export type StartLagPollingParams = PollSession;

/** Replaces any running poll session (one active profile at a time). */
export const StartLagPollingRequest = new RequestType<StartLagPollingParams, void, void>('rwMigrate/topology/startLagPolling');

export const SetLagPollingIntervalRequest = new RequestType<{ intervalMs: number; heartbeatIntervalMs?: number }, void, void>('rwMigrate/topology/setLagPollingInterval');

export const StopLagPollingRequest = new RequestType0<void, void>('rwMigrate/topology/stopLagPolling');

/** Worker -> extension: one poll round of the active profile. */
export const LagUpdateNotification = new NotificationType<LagUpdate>('rwMigrate/topology/lagUpdate');

/** Lag panel page -> host, and host -> page. */
export type LagPageMessage = { type: 'ready' };
export type LagHostMessage = { type: 'lag'; update: LagUpdate; thresholds: LagThresholds } | { type: 'idle'; message: string };

// ---------------------------------------------------------------------------------------------
// Verification: read-only comparisons, and the one repair that writes (after the user confirms).
// Cancellation rides on JSON-RPC's own $/cancelRequest: the caller passes a CancellationToken.
// ---------------------------------------------------------------------------------------------

export type { RepairResult, RepairSpec, VerifyProgress, VerifyReport, VerifySpec } from '../engine/verify/types.js';

export interface VerifyParams {
  /** Chosen by the caller so it can match progress notifications to its request. */
  verifyId: string;
  /** Carries passwords for this request only. */
  spec: VerifySpec;
}

export const VerifyRequest = new RequestType<VerifyParams, VerifyReport, void>('rwMigrate/verify/run');

export const VerifyProgressNotification = new NotificationType<{ verifyId: string; event: VerifyProgress }>('rwMigrate/verify/progress');

/** Writes to `spec.target` only, and only with `spec.confirm === true`. */
export const RepairRequest = new RequestType<{ spec: RepairSpec }, RepairResult, void>('rwMigrate/verify/repair');

// ---------------------------------------------------------------------------------------------
// Jobs: copy jobs run in the worker; the extension starts and steers them and receives progress.
// ---------------------------------------------------------------------------------------------

export type { JobResult, JobSpec, JobState, JobSummary, ProgressEvent, ServerSpec, ThrottleState } from '../engine/jobs/types.js';

export interface StartJobParams {
  /** Carries passwords for this request only; the worker never persists them. */
  spec: JobSpec;
}

export const StartJobRequest = new RequestType<StartJobParams, { jobId: string }, void>('rwMigrate/job/start');

export type JobAction = 'pause' | 'resume' | 'cancel';

export const JobControlRequest = new RequestType<{ jobId: string; action: JobAction }, { ok: boolean; message?: string }, void>(
  'rwMigrate/job/control',
);

/** Resumes a job recorded in the target's checkpoint schema (after a crash or a window reload). */
export const ResumeJobRequest = new RequestType<{ jobId: string; source: ServerSpec; target: ServerSpec }, { jobId: string }, void>(
  'rwMigrate/job/resume',
);

/** Jobs known to the worker now, plus those recorded on the given targets' checkpoint schemas. */
export const ListJobsRequest = new RequestType<{ targets: ServerSpec[] }, JobSummary[], void>('rwMigrate/job/list');

/** Worker -> extension, at most about 4 a second per job. */
export const JobEventNotification = new NotificationType<ProgressEvent>('rwMigrate/job/event');

export const JobFinishedNotification = new NotificationType<JobResult>('rwMigrate/job/finished');

// ---------------------------------------------------------------------------------------------
// Webviews: progress and diff
// ---------------------------------------------------------------------------------------------


/** One point of the progress chart: wall-clock ms, copy rate, worst replica lag (null: unknown). */
export interface ProgressSample {
  t: number;
  rowsPerSecond: number;
  lagSeconds: number | null;
  /** Hybrid, while following the change stream: events applied per second, and the delay behind the source. */
  eventsPerSecond?: number;
  behindSeconds?: number | null;
}

/** A hybrid job's change stream as the progress panel shows it (JobView.stream). */
export type ProgressStream = StreamView;

/** Everything the progress panel shows for one job, folded from its events by the host. */
export interface ProgressSnapshot {
  jobId: string;
  state: JobState;
  startedAt: number;
  updatedAt: number;
  rows: number;
  bytes: number;
  totalRows: number;
  totalIsEstimate: boolean;
  rowsPerSecond: number;
  etaSeconds: number | null;
  table: string | null;
  chunk: number;
  chunkRows: number;
  tablesTotal: number;
  tablesDone: number;
  throttle: ThrottleState;
  /** Milliseconds spent throttled so far. */
  throttledMs: number;
  /** Warnings and failures, newest last. */
  errors: string[];
  result?: JobResult;
  /** The job's mode and phase (absent in a page state saved before jobs had modes: a full copy). */
  mode?: JobMode;
  phase?: JobPhaseName;
  /** Hybrid: the change stream's last report (null before the first). */
  stream?: ProgressStream | null;
  /** Hybrid: the cut-over's steps so far, newest last. */
  cutover?: { step: string; message: string; at: string }[];
}

/** Progress page -> host. `cutover` asks for a hybrid job's cut-over: the host confirms with a modal first. */
export type ProgressPageMessage = { type: 'ready' } | { type: 'pause' } | { type: 'resume' } | { type: 'cancel' } | { type: 'cutover' };

/** Host -> progress page: the whole state on `ready`, then coalesced updates (at most 4 a second). */
export type ProgressHostMessage =
  | { type: 'snapshot'; snapshot: ProgressSnapshot; history: ProgressSample[] }
  | { type: 'update'; snapshot: ProgressSnapshot; samples: ProgressSample[] }
  | { type: 'finished'; snapshot: ProgressSnapshot; result: JobResult };

/** Diff page -> host. Repair names the tables; the host confirms with a modal before writing. */
export type DiffPageMessage = { type: 'ready' } | { type: 'verifyAgain' } | { type: 'repair'; tables: string[] };

/** Host -> diff page. `busy` covers a running Verify Again or Repair. */
export type DiffHostMessage = { type: 'report'; report: VerifyReport } | { type: 'busy'; busy: boolean; message?: string };

// ---------------------------------------------------------------------------------------------
// SQL checks: diagnostics the worker publishes on .sql documents (standard LSP text sync and
// publishDiagnostics). Settings reach the worker as initializationOptions and then through
// workspace/didChangeConfiguration as `{ rwMigrate: { sqlChecks: SqlChecksSettings } }`.
// ---------------------------------------------------------------------------------------------

export interface SqlChecksSettings {
  /** Rule ids (src/engine/sqlcheck) that report nothing. */
  disabledRules?: string[];
  /** Estimated rows from which a table counts as large for the DDL rule. */
  largeTableRows?: number;
}

export interface WorkerInitializationOptions {
  sqlChecks?: SqlChecksSettings;
}

// ---------------------------------------------------------------------------------------------
// Range partitioning: plan (reads the source only), then split or merge after the user confirmed.
// Passwords travel in the request only, keyed by host:port; the map itself never holds one.
// ---------------------------------------------------------------------------------------------

export type { PartitionMap, PartitionRange, PartitionTarget, RangeVerdict } from '../engine/partition/types.js';

export interface PartitionPlanParams {
  source: ServerSpec;
  database: string;
  table: string;
  targets: PartitionTarget[];
}

export type PartitionPlanResult =
  | { ok: true; map: PartitionMap }
  | { ok: false; refused: boolean; message: string };

export const PartitionPlanRequest = new RequestType<PartitionPlanParams, PartitionPlanResult, void>('rwMigrate/partition/plan');

export interface PartitionRunParams {
  /** Chosen by the caller to match progress notifications to this run. */
  runId: string;
  direction: 'split' | 'merge';
  map: PartitionMap;
  /** merge only: the one table the ranges go back into. */
  into?: PartitionTarget;
  /** host:port -> password, for every server read or written. */
  passwords: Record<string, string>;
}

export interface PartitionRunSummary {
  state: 'done' | 'failed' | 'cancelled' | 'refused' | 'mismatch';
  map: PartitionMap;
  verdicts: RangeVerdict[];
  jobs: { range: number; jobId: string; state: JobResult['state'] }[];
  message?: string;
}

/** Cancellation rides on $/cancelRequest: the range in flight is cancelled (resumable by its job id). */
export const PartitionRunRequest = new RequestType<PartitionRunParams, PartitionRunSummary, void>('rwMigrate/partition/run');

export interface PartitionProgress {
  runId: string;
  range: number;
  phase: 'copying' | 'verified';
  rows?: number;
  totalRows?: number;
  verdict?: RangeVerdict;
}

export const PartitionProgressNotification = new NotificationType<PartitionProgress>('rwMigrate/partition/progress');
// Run SQL: statements routed primary/replica in the worker; results kept there and paged to the grid.
// ---------------------------------------------------------------------------------------------

import type { Route } from '../engine/routing/classify.js';
import type { Cell } from '../engine/routing/execute.js';

export type { Cell } from '../engine/routing/execute.js';
export type { Route, StatementKind } from '../engine/routing/classify.js';

export interface SqlRunParams {
  /** The profile whose editor session runs it: transactions and read-your-writes carry over between runs. */
  profile: string;
  primary: ServerRef;
  replicas: ServerRef[];
  sql: string;
  maxStalenessSeconds: number;
  /** How long a replica may take to apply this session's last write before a read goes to the primary. */
  causalWaitSeconds: number;
  /** Run on Primary: every statement goes to the primary. */
  forcePrimary: boolean;
  /**
   * The partition maps saved for this profile (.rw-migrate/partitions/<profile>/): a statement that
   * selects or writes by key on a split table runs on its range's server, a wrong-range write is refused.
   */
  partitionMaps?: PartitionMap[];
  /** Profile servers at the maps' targets (by host:port), with their passwords when stored. */
  partitionServers?: ServerRef[];
}

/** One statement's answer: where it ran and why, and its result (the rows stay in the worker). */
export interface SqlStatementResult {
  index: number;
  text: string;
  /** Route the classifier asked for, and where it actually ran. */
  classified: Route;
  route: Route | null;
  /** The server's name from the profile; null when the statement did not run. */
  server: string | null;
  /** The chosen replica's lag when it was chosen; null on the primary. */
  lagSeconds: number | null;
  reason: string;
  columns: string[];
  /** Rows kept so far: all of them once `complete`. */
  rowCount: number;
  truncated: boolean;
  /**
   * False when the run was answered on its last statement's first rows while the rest still arrives:
   * SqlResultDoneNotification then tells the final count (or the error that cut the result short).
   */
  complete: boolean;
  affectedRows: number | null;
  insertId: string | null;
  elapsedMs: number;
  error: string | null;
  /** Handle for SqlRowsRequest / SqlExportRequest; null when there are no rows to page. */
  resultId: string | null;
  /** The first rows, so the grid shows something before it asks for more. */
  firstRows: Cell[][];
}

export interface SqlRunResult {
  profile: string;
  forcePrimary: boolean;
  startedAt: number;
  statements: SqlStatementResult[];
}

export const SqlRunRequest = new RequestType<SqlRunParams, SqlRunResult, void>('rwMigrate/sql/run');

/** A result answered while still loading (complete: false) has all its rows in, or failed part way. */
export interface SqlResultDone {
  resultId: string;
  rowCount: number;
  /** More rows than the worker keeps (1,000,000) arrived: the rest were read and dropped. */
  truncated: boolean;
  elapsedMs: number;
  /** The server's error when the result broke off mid-stream; the rows read before it stay pageable. */
  error: string | null;
}

/** Sent after the SqlRunRequest answer that said complete: false, never before it. */
export const SqlResultDoneNotification = new NotificationType<SqlResultDone>('rwMigrate/sql/resultDone');

export interface SqlRowsParams {
  resultId: string;
  offset: number;
  limit: number;
}

/** Rows of a kept result; on one still loading, those that have arrived (fewer, or none past the end). */
export const SqlRowsRequest = new RequestType<SqlRowsParams, { rows: Cell[][]; offset: number }, void>('rwMigrate/sql/rows');

export type SqlExportFormat = 'csv' | 'json';

/**
 * The worker writes the whole kept result to `path` (the user chose it in a save dialog). On a result
 * still loading it waits until all rows are in; a result that failed mid-stream is refused.
 */
export const SqlExportRequest = new RequestType<{ resultId: string; format: SqlExportFormat; path: string }, { rows: number; bytes: number }, void>('rwMigrate/sql/export');

/** Results page -> host. */
export type SqlResultsPageMessage =
  | { type: 'ready' }
  | { type: 'rows'; requestId: number; resultId: string; offset: number; limit: number }
  | { type: 'export'; resultId: string; format: SqlExportFormat };

/** Host -> results page. */
export type SqlResultsHostMessage =
  | { type: 'run'; run: SqlRunResult }
  | { type: 'resultDone'; done: SqlResultDone }
  | { type: 'rows'; requestId: number; resultId: string; offset: number; rows: Cell[][] }
  | { type: 'rowsError'; requestId: number; message: string };
// Change stream: incremental sync of a finished full copy (issue 10)
// ---------------------------------------------------------------------------------------------

export type { SyncResult, SyncEvent, BinlogPosition } from '../engine/cdc/types.js';

export interface SyncJobParams {
  jobId: string;
  /** The job's source, with its password (not read when `from` is given). */
  source: ServerSpec;
  target: ServerSpec;
  /**
   * Follow this server instead of the job's source, with its own password: after a failover, the
   * promoted replica holding the same GTIDs (`rw-migrate sync --source`). The sync finds its place
   * there by GTID and is refused, nothing written, when the server lacks a transaction the job
   * already applied. A binlog sync only: refused for an incremental job.
   */
  from?: ServerSpec;
}

/**
 * Applies the source's changes since the job's last sync (at first its full copy's snapshot) up to
 * the source's position now, then stops. Answers when the sync has finished, with its result.
 */
export const SyncJobRequest = new RequestType<SyncJobParams, SyncResult, void>('rwMigrate/job/sync');

/** Worker -> extension while a sync runs (start, about one progress a second, reconnects). */
export const SyncEventNotification = new NotificationType<SyncEvent>('rwMigrate/job/syncEvent');

// ---------------------------------------------------------------------------------------------
// Hybrid jobs: cut-over (issue 10)
// ---------------------------------------------------------------------------------------------

export type { CutoverBlock, CutoverOutcome, CutoverReport } from '../engine/jobs/types.js';

/**
 * Asks a running hybrid job to cut over, the way `rw-migrate cutover` does: a request row in the
 * target's rw_migrate schema that the job (in this worker or another process) picks up. Answers
 * when the job has finished the cut-over (report) or refused/failed it (message).
 */
export const CutoverJobRequest = new RequestType<{ jobId: string; target: ServerSpec; block: CutoverBlock }, CutoverOutcome, void>('rwMigrate/job/cutover');
