/**
 * Progress: counts rows and bytes, derives rows/s (moving average) and ETA, and emits at most
 * about four progress events a second however fast chunks commit.
 */
import type { JobState, ProgressEvent, ThrottleState } from './types.js';

export class ProgressTracker {
  rows = 0;
  bytes = 0;
  table: string | null = null;
  chunk = 0;
  chunkRows = 0;
  throttle: ThrottleState = { throttled: false };
  state: JobState = 'planning';
  totalRows = 0;
  totalIsEstimate = true;
  private rate = 0;
  private lastSample: { at: number; rows: number } | null = null;
  private lastEmit = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly jobId: string,
    private readonly emit: (e: ProgressEvent) => void,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.lastSample = { at: performance.now(), rows: this.rows };
    // Also emits while nothing commits (throttled, paused) so a UI sees the state change.
    this.timer = setInterval(() => this.maybeEmit(true), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  added(rows: number, bytes: number, table: string, chunk: number): void {
    this.rows += rows;
    this.bytes += bytes;
    this.table = table;
    this.chunk = chunk;
    this.chunkRows = rows;
    this.maybeEmit(false);
  }

  private sample(): void {
    const now = performance.now();
    if (!this.lastSample) {
      this.lastSample = { at: now, rows: this.rows };
      return;
    }
    const dt = (now - this.lastSample.at) / 1000;
    if (dt < 0.2) return;
    const r = (this.rows - this.lastSample.rows) / dt;
    this.rate = this.rate === 0 ? r : 0.7 * this.rate + 0.3 * r;
    this.lastSample = { at: now, rows: this.rows };
  }

  maybeEmit(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.sample();
    this.emit(this.snapshot());
  }

  snapshot(): ProgressEvent {
    const total = Math.max(this.totalRows, this.rows);
    const remaining = total - this.rows;
    return {
      type: 'progress',
      jobId: this.jobId,
      rows: this.rows,
      bytes: this.bytes,
      rowsPerSecond: Math.round(this.rate),
      totalRows: total,
      totalIsEstimate: this.totalIsEstimate,
      etaSeconds: this.rate > 0 ? Math.round(remaining / this.rate) : null,
      table: this.table,
      chunk: this.chunk,
      chunkRows: this.chunkRows,
      throttle: this.throttle,
      state: this.state,
    };
  }
}

export function newJobId(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
