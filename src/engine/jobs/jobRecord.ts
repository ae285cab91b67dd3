/**
 * What a migration report is made of: the job's spec (passwords removed), a summary folded from its
 * progress events (tables, snapshot position, throttling), the final result and the verification
 * report. vscode-free, so the CLI and tests can build one too.
 */
import type { JobResult, JobSpec, JobState, ProgressEvent, SnapshotPosition, ThrottleState } from './types.js';
import type { VerifyReport } from '../verify/types.js';
import { redactSpec } from './redact.js';

export interface TableRecord {
  table: string;
  keyName: string | null;
  estimatedRows: number;
  /** Rows copied, once the table is done. */
  rows: number | null;
}

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

const MAX_REASONS = 20;
const MAX_WARNINGS = 100;

/** Folds one job's events into a JobRecord as they arrive. */
export class JobRecorder {
  private readonly summary: JobEventsSummary = {
    tables: [],
    snapshot: null,
    snapshotCount: 0,
    retries: 0,
    retryMessages: [],
    throttledMs: 0,
    throttleEpisodes: 0,
    throttleReasons: [],
    peakRowsPerSecond: 0,
    warnings: [],
    states: [],
  };
  private throttledSince: number | null = null;
  private readonly startedAt: string;
  private finishedAt: string | null = null;
  private result: JobResult | null = null;
  private verify: VerifyReport | null = null;
  private readonly spec: JobSpec | null;

  constructor(
    readonly jobId: string,
    spec: JobSpec | null,
    startedAtMs: number,
  ) {
    this.spec = spec ? redactSpec(spec, { omitInlineCa: true }) : null;
    this.startedAt = new Date(startedAtMs).toISOString();
  }

  event(ev: ProgressEvent, now: number): void {
    const s = this.summary;
    switch (ev.type) {
      case 'planned':
        s.tables = ev.tables.map((t) => ({ table: t.table, keyName: t.keyName, estimatedRows: t.estimatedRows, rows: null }));
        s.snapshot = ev.snapshot;
        s.snapshotCount = ev.snapshotCount ?? 1;
        break;
      case 'retry':
        s.retries++;
        if (s.retryMessages.length < MAX_REASONS) s.retryMessages.push(`${ev.what}: ${ev.cause}, attempt ${ev.attempt} (${ev.error})`);
        break;
      case 'progress':
        s.peakRowsPerSecond = Math.max(s.peakRowsPerSecond, ev.rowsPerSecond);
        this.throttle(ev.throttle, now);
        break;
      case 'throttle':
        this.throttle(ev.throttle, now);
        break;
      case 'table-done': {
        const t = s.tables.find((x) => x.table === ev.table);
        if (t) t.rows = ev.rows;
        else s.tables.push({ table: ev.table, keyName: null, estimatedRows: ev.rows, rows: ev.rows });
        break;
      }
      case 'state':
        s.states.push({ state: ev.state, at: new Date(now).toISOString(), ...(ev.message ? { message: ev.message } : {}) });
        if (ev.state === 'paused') this.throttle({ throttled: false }, now);
        break;
      case 'log':
        if (ev.level === 'warn' && s.warnings.length < MAX_WARNINGS) s.warnings.push(ev.message);
        break;
    }
  }

  private throttle(state: ThrottleState, now: number): void {
    const s = this.summary;
    if (state.throttled) {
      if (this.throttledSince === null) {
        this.throttledSince = now;
        s.throttleEpisodes++;
      }
      const reason = state.reason ?? 'over limit';
      if (!s.throttleReasons.includes(reason) && s.throttleReasons.length < MAX_REASONS) s.throttleReasons.push(reason);
    } else if (this.throttledSince !== null) {
      s.throttledMs += now - this.throttledSince;
      this.throttledSince = null;
    }
  }

  /** Time spent throttled up to `now`, including a throttle still in progress. */
  throttledMs(now: number): number {
    return this.summary.throttledMs + (this.throttledSince === null ? 0 : Math.max(0, now - this.throttledSince));
  }

  finish(result: JobResult, now: number): void {
    this.throttle({ throttled: false }, now);
    this.result = result;
    this.finishedAt = new Date(now).toISOString();
  }

  setVerify(report: VerifyReport): void {
    this.verify = report;
  }

  record(): JobRecord {
    const s = this.summary;
    return {
      jobId: this.jobId,
      spec: this.spec,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      events: {
        ...s,
        tables: s.tables.map((t) => ({ ...t })),
        throttleReasons: [...s.throttleReasons],
        retryMessages: [...s.retryMessages],
        warnings: [...s.warnings],
        states: [...s.states],
      },
      result: this.result,
      verify: this.verify,
    };
  }
}
