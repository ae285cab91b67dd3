/**
 * Per-job progress state for the progress panels: the latest snapshot, a bounded history of chart
 * samples and a JobRecord, folded from the worker's events. Updates to listeners are coalesced to at
 * most one per `minIntervalMs` (250 ms: 4 a second) so a chatty job cannot flood a webview, and a
 * reopened panel is restored from `replay()`. vscode-free: time and timers are injected.
 */
import type { JobResult, JobSpec, ProgressEvent } from '../engine/jobs/types.js';
import type { VerifyReport } from '../engine/verify/types.js';
import type { ProgressHostMessage, ProgressSample, ProgressSnapshot } from '../protocol/index.js';
import { type JobRecord, JobRecorder } from '../engine/jobs/jobRecord.js';

export type Schedule = (fn: () => void, delayMs: number) => { cancel(): void };

export interface ProgressStoreOptions {
  /** Smallest gap between two updates to listeners (default 250 ms). */
  minIntervalMs?: number;
  /** Smallest gap between two chart samples (default 1000 ms). */
  sampleEveryMs?: number;
  /** Most samples kept per job (default 3600: an hour at one a second). */
  maxSamples?: number;
  clock?: () => number;
  schedule?: Schedule;
}

export type ProgressListener = (msg: ProgressHostMessage) => void;

const MAX_ERRORS = 50;
/** A lag reading older than this is not put on the chart. */
const LAG_FRESH_MS = 10_000;

interface JobEntry {
  snapshot: ProgressSnapshot;
  history: ProgressSample[];
  /** Samples not yet sent in an update. */
  unsent: ProgressSample[];
  recorder: JobRecorder;
  lastEmit: number;
  dirty: boolean;
  timer: { cancel(): void } | null;
  listeners: Set<ProgressListener>;
}

const defaultSchedule: Schedule = (fn, delayMs) => {
  const handle = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(handle) };
};

/** The worst lag named in a throttle reason such as "replica1: lag 3 s > 1 s; replica2: lag 5 s > 1 s". */
export function lagFromReason(reason: string | undefined): number | null {
  if (!reason) return null;
  let worst: number | null = null;
  for (const m of reason.matchAll(/\blag (\d+(?:\.\d+)?) s\b/g)) worst = Math.max(worst ?? 0, Number(m[1]));
  return worst;
}

export class JobProgressStore {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly minIntervalMs: number;
  private readonly sampleEveryMs: number;
  private readonly maxSamples: number;
  private readonly clock: () => number;
  private readonly schedule: Schedule;
  private lastLag: { at: number; seconds: number | null } | null = null;

  constructor(opts: ProgressStoreOptions = {}) {
    this.minIntervalMs = opts.minIntervalMs ?? 250;
    this.sampleEveryMs = opts.sampleEveryMs ?? 1000;
    this.maxSamples = opts.maxSamples ?? 3600;
    this.clock = opts.clock ?? Date.now;
    this.schedule = opts.schedule ?? defaultSchedule;
  }

  /** Registers a job before its first event, so the report has its spec. Idempotent. */
  begin(jobId: string, spec: JobSpec | null, now = this.clock()): void {
    if (this.jobs.has(jobId)) return;
    this.jobs.set(jobId, {
      snapshot: {
        jobId,
        state: 'planning',
        startedAt: now,
        updatedAt: now,
        rows: 0,
        bytes: 0,
        totalRows: 0,
        totalIsEstimate: true,
        rowsPerSecond: 0,
        etaSeconds: null,
        table: null,
        chunk: 0,
        chunkRows: 0,
        tablesTotal: 0,
        tablesDone: 0,
        throttle: { throttled: false },
        throttledMs: 0,
        errors: [],
      },
      history: [],
      unsent: [],
      recorder: new JobRecorder(jobId, spec, now),
      lastEmit: Number.NEGATIVE_INFINITY,
      dirty: false,
      timer: null,
      listeners: new Set(),
    });
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /** Worst replica lag from the lag poller; used for the chart's lag line. */
  lag(seconds: number | null, now = this.clock()): void {
    this.lastLag = { at: now, seconds };
  }

  ingest(ev: ProgressEvent, now = this.clock()): void {
    this.begin(ev.jobId, null, now);
    const job = this.jobs.get(ev.jobId) as JobEntry;
    job.recorder.event(ev, now);
    const s = job.snapshot;
    switch (ev.type) {
      case 'planned':
        s.tablesTotal = ev.tables.length;
        if (s.rows === 0) s.totalRows = ev.tables.reduce((sum, t) => sum + t.estimatedRows, 0);
        break;
      case 'progress':
        Object.assign(s, {
          rows: ev.rows,
          bytes: ev.bytes,
          totalRows: ev.totalRows,
          totalIsEstimate: ev.totalIsEstimate,
          rowsPerSecond: ev.rowsPerSecond,
          etaSeconds: ev.etaSeconds,
          table: ev.table,
          chunk: ev.chunk,
          chunkRows: ev.chunkRows,
          throttle: ev.throttle,
          state: ev.state,
        });
        this.sample(job, now);
        break;
      case 'table-done':
        s.tablesDone++;
        break;
      case 'throttle':
        s.throttle = ev.throttle;
        break;
      case 'state':
        s.state = ev.state;
        if (ev.state === 'failed' && ev.message) this.error(job, ev.message);
        break;
      case 'log':
        if (ev.level === 'warn') this.error(job, ev.message);
        break;
    }
    s.updatedAt = now;
    s.throttledMs = job.recorder.throttledMs(now);
    job.dirty = true;
    this.flushSoon(ev.jobId, job, now);
  }

  finish(result: JobResult, now = this.clock()): void {
    this.begin(result.jobId, null, now);
    const job = this.jobs.get(result.jobId) as JobEntry;
    job.recorder.finish(result, now);
    const s = job.snapshot;
    s.state = result.state === 'refused' ? 'refused' : result.state;
    s.result = result;
    s.rows = result.rows;
    s.bytes = result.bytes;
    s.etaSeconds = null;
    s.throttle = { throttled: false };
    s.throttledMs = job.recorder.throttledMs(now);
    s.updatedAt = now;
    if (result.state !== 'done' && result.message) this.error(job, result.message);
    for (const d of result.details ?? []) this.error(job, d);
    if (job.dirty || job.unsent.length) this.emit(job, now);
    job.timer?.cancel();
    job.timer = null;
    this.send(job, { type: 'finished', snapshot: structuredClone(s), result });
  }

  /** A job resumed from its checkpoint: active again, its earlier result cleared; rows continue from the events. */
  restart(jobId: string, now = this.clock()): void {
    this.begin(jobId, null, now);
    const job = this.jobs.get(jobId) as JobEntry;
    const s = job.snapshot;
    delete s.result;
    s.errors = []; // the earlier run's "cancelled" or failure is not this run's
    s.state = 'planning';
    s.etaSeconds = null;
    s.updatedAt = now;
    this.emit(job, now);
  }

  setVerify(jobId: string, report: VerifyReport): void {
    this.jobs.get(jobId)?.recorder.setVerify(report);
  }

  record(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId)?.recorder.record();
  }

  /** The full state a (re)opened panel starts from. */
  replay(jobId: string): ProgressHostMessage | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    return { type: 'snapshot', snapshot: structuredClone(job.snapshot), history: job.history.map((h) => ({ ...h })) };
  }

  subscribe(jobId: string, listener: ProgressListener): { dispose(): void } {
    this.begin(jobId, null);
    const job = this.jobs.get(jobId) as JobEntry;
    job.listeners.add(listener);
    return { dispose: () => job.listeners.delete(listener) };
  }

  /** Stops pending timers (on deactivate). */
  dispose(): void {
    for (const job of this.jobs.values()) {
      job.timer?.cancel();
      job.timer = null;
      job.listeners.clear();
    }
  }

  private sample(job: JobEntry, now: number): void {
    const last = job.history[job.history.length - 1];
    if (last && now - last.t < this.sampleEveryMs) return;
    const fresh = this.lastLag && now - this.lastLag.at <= LAG_FRESH_MS ? this.lastLag.seconds : null;
    const sample: ProgressSample = {
      t: now,
      rowsPerSecond: job.snapshot.rowsPerSecond,
      lagSeconds: fresh ?? (job.snapshot.throttle.throttled ? lagFromReason(job.snapshot.throttle.reason) : null),
    };
    job.history.push(sample);
    job.unsent.push(sample);
    if (job.history.length > this.maxSamples) job.history.splice(0, job.history.length - this.maxSamples);
    if (job.unsent.length > this.maxSamples) job.unsent.splice(0, job.unsent.length - this.maxSamples);
  }

  private error(job: JobEntry, message: string): void {
    const errors = job.snapshot.errors;
    if (errors[errors.length - 1] === message) return;
    errors.push(message);
    if (errors.length > MAX_ERRORS) errors.splice(0, errors.length - MAX_ERRORS);
  }

  private flushSoon(jobId: string, job: JobEntry, now: number): void {
    const wait = job.lastEmit + this.minIntervalMs - now;
    if (wait <= 0) {
      this.emit(job, now);
      return;
    }
    if (job.timer) return;
    job.timer = this.schedule(() => {
      job.timer = null;
      if (job.dirty && this.jobs.get(jobId) === job) this.emit(job, this.clock());
    }, wait);
  }

  private emit(job: JobEntry, now: number): void {
    job.lastEmit = now;
    job.dirty = false;
    const samples = job.unsent.splice(0);
    this.send(job, { type: 'update', snapshot: structuredClone(job.snapshot), samples });
  }

  private send(job: JobEntry, msg: ProgressHostMessage): void {
    for (const l of [...job.listeners]) l(msg);
  }
}
