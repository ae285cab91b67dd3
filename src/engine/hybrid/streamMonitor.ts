/**
 * About once a second while a hybrid job follows: how far behind the source it is (a `stream`
 * event) and whether that makes it in sync or catching up (a `phase` event on each change, by the
 * rule in phaseMachine.ts). It goes on while the job is paused, so the user sees it fall behind.
 */
import type { ServerSpec } from '../db/server.js';
import type { ChangeFollower } from '../cdc/follower.js';
import type { JobPhaseName, ProgressEvent } from '../jobs/types.js';
import { behindSecondsOf, newestReached, nextStreamPhase, phaseRule, startPhase, type StreamPhaseState } from './phaseMachine.js';
import { SourcePoller } from './sourcePoller.js';

type StreamEvent = Extract<ProgressEvent, { type: 'stream' }>;

export interface MonitorSinks {
  stream(e: StreamEvent): void;
  phase(phase: JobPhaseName, message: string): void;
}

export class StreamMonitor {
  private readonly poller: SourcePoller;
  private timer: NodeJS.Timeout | null = null;
  private state: StreamPhaseState = startPhase();
  private lastEvents = 0;
  private lastAt = performance.now();
  /** The send time of the newest source reading the applied position reached (see BehindInput). */
  private reachedAt: number | null = null;
  /** The last stream event (what the in-sync line reports). */
  last: StreamEvent | null = null;
  /** Judging paused (a cut-over owns the phase meanwhile). */
  frozen = false;

  constructor(
    private readonly jobId: string,
    private readonly follower: ChangeFollower,
    source: ServerSpec,
    private readonly thresholdSeconds: number | undefined,
    private readonly sinks: MonitorSinks,
  ) {
    this.poller = new SourcePoller(source);
  }

  start(): void {
    this.poller.start();
    this.lastEvents = this.follower.events;
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  /** The phase machine's phase (catching-up or in-sync). */
  get phase(): StreamPhaseState['phase'] {
    return this.state.phase;
  }

  /** Starts judging again from catching-up (after a failed cut-over). */
  reset(): void {
    this.state = startPhase();
    this.frozen = false;
  }

  tick(): StreamEvent {
    const f = this.follower;
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    this.reachedAt = newestReached(f.applied, this.poller.readings, this.reachedAt);
    const behindSeconds = behindSecondsOf({
      applied: f.applied,
      source: this.poller.position,
      pending: f.pendingEvents,
      lastCommitAt: f.lastCommitAt,
      sourceReadings: this.poller.readings,
      reachedAt: this.reachedAt,
      now: Date.now(),
    });
    const e: StreamEvent = {
      type: 'stream',
      jobId: this.jobId,
      events: f.events,
      transactions: f.transactions,
      eventsPerSecond: Math.round(Math.max(0, f.events - this.lastEvents) / seconds),
      behindSeconds,
      behindEvents: f.pendingEvents,
      position: { ...f.applied },
    };
    this.lastEvents = f.events;
    this.lastAt = now;
    this.last = e;
    this.sinks.stream(e);
    if (!this.frozen) {
      const rule = phaseRule(this.thresholdSeconds);
      const next = nextStreamPhase(this.state, behindSeconds, Date.now(), rule);
      const changed = next.phase !== this.state.phase;
      this.state = next;
      if (changed) {
        const behind = behindSeconds === null ? 'unknown' : `${behindSeconds.toFixed(1)} s`;
        this.sinks.phase(
          next.phase,
          next.phase === 'in-sync'
            ? `in sync: ${behind} behind the source (threshold ${rule.thresholdSeconds} s)`
            : `fell behind the source by more than ${rule.thresholdSeconds} s for over ${Math.round(rule.graceMs / 1000)} s (now ${behind}): catching up`,
        );
      }
    }
    return e;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.poller.stop();
  }
}
