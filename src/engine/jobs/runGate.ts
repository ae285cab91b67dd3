/**
 * Pause, resume and cancel of a running job, and the gate its work passes between chunks: a paused
 * job waits there, a cancelled one throws CancelledError. One piece for the copy and the incremental
 * run (a hybrid job pauses through its copy's).
 */
import { CancelledError } from '../db/errors.js';

export class RunGate {
  paused = false;
  cancelled = false;
  private waiting: (() => void)[] = [];

  /** `onState` hears 'paused' and 'copying' as the job's state changes. */
  constructor(private readonly onState: (state: 'paused' | 'copying') => void) {}

  pause(): void {
    if (this.paused || this.cancelled) return;
    this.paused = true;
    this.onState('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.onState('copying');
    this.release();
  }

  cancel(): void {
    this.cancelled = true;
    this.release();
  }

  /** Waits while paused; throws CancelledError once cancelled. */
  async pass(): Promise<void> {
    while (this.paused && !this.cancelled) await new Promise<void>((r) => this.waiting.push(r));
    if (this.cancelled) throw new CancelledError();
  }

  private release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}
