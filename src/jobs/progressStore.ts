/**
 * Per-job progress state for the progress panels: the job's JobView (folded by the engine's one
 * reducer), a bounded history of chart samples, and the JobRecord a report is made from. Updates to listeners are coalesced to at
 * most one per `minIntervalMs` (250 ms: 4 a second) so a chatty job cannot flood a webview, and a
 * reopened panel is restored from `replay()`. vscode-free: time and timers are injected.
 */
import type { JobMode, JobResult, JobSpec, ProgressEvent } from '../engine/jobs/types.js';
import type { VerifyReport } from '../engine/verify/types.js';
import type { ProgressHostMessage, ProgressSample, ProgressSnapshot } from '../protocol/index.js';
import { jobRecord, type JobRecord } from '../engine/jobs/jobRecord.js';
import { emptyJobView, reduceJobView, throttledMsAt, type JobView, type JobViewEvent } from '../engine/jobs/jobView.js';

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

/** A lag reading older than this is not put on the chart. */
const LAG_FRESH_MS = 10_000;

interface JobEntry {
  view: JobView;
  /** The spec the job was started with (for the report), null when it was not started here. */
  spec: JobSpec | null;
  verify: VerifyReport | null;
  history: ProgressSample[];
  /** Samples not yet sent in an update. */
  unsent: ProgressSample[];
  lastEmit: number;
  dirty: boolean;
  timer: { cancel(): void } | null;
  listeners: Set<ProgressListener>;
}

const defaultSchedule: Schedule = (fn, delayMs) => {
  const handle = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(handle) };
};

/** What the progress page shows, read from the view; throttled time counted up to `now`. */
export function progressSnapshot(v: JobView, now: number): ProgressSnapshot {
  return {
    jobId: v.jobId,
    state: v.state,
    startedAt: v.startedAt,
    updatedAt: v.updatedAt,
    rows: v.rows,
    bytes: v.bytes,
    totalRows: v.totalRows,
    totalIsEstimate: v.totalIsEstimate,
    rowsPerSecond: v.rowsPerSecond,
    etaSeconds: v.etaSeconds,
    table: v.table,
    chunk: v.chunk,
    chunkRows: v.chunkRows,
    tablesTotal: v.tablesTotal,
    tablesDone: v.tablesDone,
    throttle: { ...v.throttle },
    throttledMs: throttledMsAt(v, now),
    errors: [...v.errors],
    ...(v.result ? { result: v.result } : {}),
    mode: v.mode,
    phase: v.phase,
    stream: v.stream ? { ...v.stream, position: { ...v.stream.position } } : null,
    cutover: v.cutover.map((c) => ({ ...c })),
  };
}

/** A hybrid job past its snapshot follows the change stream: its chart shows events, not rows. */
/** A hybrid job past its snapshot: its rows/s is the copy's last, not a rate now (done included: a stream event can follow the cut-over's phase). */
function pastSnapshot(v: JobView): boolean {
  return v.mode === 'hybrid' && (v.phase === 'catching-up' || v.phase === 'in-sync' || v.phase === 'cutting-over' || v.phase === 'done');
}

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

  /** Registers a job before its first event, so the report has its spec (and the view its mode: which phases). Idempotent. */
  begin(jobId: string, spec: JobSpec | null, now = this.clock(), mode: JobMode = spec?.mode ?? 'full'): void {
    const known = this.jobs.get(jobId);
    if (known) {
      // The job's first events came before its start's answer: the spec arrives now, and with it the mode.
      if (spec && !known.spec) {
        known.spec = spec;
        known.view = { ...known.view, mode: spec.mode };
      }
      return;
    }
    this.jobs.set(jobId, {
      view: { ...emptyJobView(jobId, now), mode },
      spec,
      verify: null,
      history: [],
      unsent: [],
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
    const job = this.fold(ev, now);
    if (ev.type === 'progress' || ev.type === 'stream') this.sample(job, now);
    job.dirty = true;
    this.flushSoon(ev.jobId, job, now);
  }

  finish(result: JobResult, now = this.clock()): void {
    const job = this.fold({ type: 'finished', jobId: result.jobId, result }, now);
    if (job.dirty || job.unsent.length) this.emit(job, now);
    job.timer?.cancel();
    job.timer = null;
    this.send(job, { type: 'finished', snapshot: progressSnapshot(job.view, now), result });
  }

  /** A job resumed from its checkpoint: active again, its earlier result cleared; rows continue from the events. */
  restart(jobId: string, now = this.clock()): void {
    const job = this.fold({ type: 'resuming', jobId }, now);
    this.emit(job, now);
  }

  /** The job's view as the reducer left it (read-only: the reducer never changes a view it was given). */
  view(jobId: string): JobView | undefined {
    return this.jobs.get(jobId)?.view;
  }

  private fold(ev: JobViewEvent, now: number): JobEntry {
    this.begin(ev.jobId, null, now);
    const job = this.jobs.get(ev.jobId) as JobEntry;
    job.view = reduceJobView(job.view, ev, now);
    return job;
  }

  setVerify(jobId: string, report: VerifyReport): void {
    const job = this.jobs.get(jobId);
    if (job) job.verify = report;
  }

  record(jobId: string): JobRecord | undefined {
    const job = this.jobs.get(jobId);
    return job ? jobRecord(job.view, job.spec, job.verify) : undefined;
  }

  /** The full state a (re)opened panel starts from. */
  replay(jobId: string): ProgressHostMessage | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    return { type: 'snapshot', snapshot: progressSnapshot(job.view, this.clock()), history: job.history.map((h) => ({ ...h })) };
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
    const v = job.view;
    const sample: ProgressSample = {
      t: now,
      // The copy is over once the stream is followed: its last rate is not the rate now.
      rowsPerSecond: pastSnapshot(v) ? 0 : v.rowsPerSecond,
      lagSeconds: fresh ?? (v.throttle.throttled ? lagFromReason(v.throttle.reason) : null),
      ...(v.mode === 'hybrid' ? { eventsPerSecond: v.stream?.eventsPerSecond ?? 0, behindSeconds: v.stream?.behindSeconds ?? null } : {}),
    };
    job.history.push(sample);
    job.unsent.push(sample);
    if (job.history.length > this.maxSamples) job.history.splice(0, job.history.length - this.maxSamples);
    if (job.unsent.length > this.maxSamples) job.unsent.splice(0, job.unsent.length - this.maxSamples);
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
    this.send(job, { type: 'update', snapshot: progressSnapshot(job.view, now), samples });
  }

  private send(job: JobEntry, msg: ProgressHostMessage): void {
    for (const l of [...job.listeners]) l(msg);
  }
}
