/**
 * The running hybrid job's side of a cut-over: about every 500 ms it tells the request row that it
 * is alive and in which phase (watchCutover, engine/cutover), and when a request is pending it runs
 * the cut-over with its own follower as the catch-up (`waitApplied`), records each step and writes
 * the outcome back for the asker.
 */
import type { Connection } from '../db/connection.js';
import { errorMessage } from '../db/errors.js';
import { finishCutover, recordCutoverStep, runCutover, watchCutover, type CutoverStep } from '../cutover/index.js';
import type { ChangeFollower } from '../cdc/follower.js';
import type { CutoverBlock, CutoverOutcome, JobPhaseName, JobSpec } from '../jobs/types.js';

export interface CutoverDriverDeps {
  conn: Connection;
  jobId: string;
  spec: JobSpec;
  tables: string[];
  follower: ChangeFollower;
  /** The job's phase now, whether the user paused it, and how far behind (what watchCutover records). */
  phase(): JobPhaseName;
  paused(): boolean;
  behindSeconds(): number | null;
  behindEvents(): number | null;
  /** A cut-over starts (the job enters cutting-over). */
  onStart(block: CutoverBlock): void;
  onStep(step: CutoverStep, block: CutoverBlock, message: string): void;
  /** The cut-over ended without cutting over (the job follows on, unless the data differs). */
  onFailed(outcome: CutoverOutcome): void;
  /** Cut over: the job records itself done BEFORE the asker hears so (its answer is then true). */
  onDone(outcome: CutoverOutcome): Promise<void>;
  onWarn(message: string): void;
}

/**
 * A failed cut-over whose verification found the target different after catching up: following
 * on would not fix that, so the job fails (perform.ts words this failure so; it lifts the block).
 */
export function dataDiffers(outcome: CutoverOutcome): boolean {
  return outcome.state === 'failed' && /verification found the target different/.test(outcome.message);
}

export class CutoverDriver {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private warned = false;
  /** The last cut-over (in flight or ended), resolving to its outcome. */
  last: Promise<CutoverOutcome> | null = null;
  private inFlight = false;

  constructor(private readonly d: CutoverDriverDeps) {}

  start(): void {
    void this.watch();
    this.timer = setInterval(() => void this.watch(), 500);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.last?.catch(() => undefined);
  }

  private async watch(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const block = await watchCutover(this.d.conn, this.d.jobId, this.d.phase(), this.d.behindSeconds(), this.d.behindEvents());
      this.warned = false;
      if (block && !this.inFlight) {
        this.inFlight = true;
        this.last = this.cutOver(block).finally(() => (this.inFlight = false));
      } else if (block) await finishCutover(this.d.conn, this.d.jobId, { state: 'refused', message: 'a cut-over of this job is already running' });
    } catch (err) {
      // The target is briefly unreachable: the asker sees the job as not alive meanwhile.
      if (!this.warned) this.d.onWarn(`could not check for a cut-over request on the target: ${errorMessage(err)}`);
      this.warned = true;
    } finally {
      this.busy = false;
    }
  }

  private async cutOver(block: CutoverBlock): Promise<CutoverOutcome> {
    const { conn, jobId, spec, follower } = this.d;
    // Checked here, with no await before onStart: a pause either refuses this cut-over or is itself refused.
    const why = this.d.paused()
      ? `job ${jobId} is paused: nothing is applied while it is paused, so it cannot catch up. Resume it first, then ask for the cut-over again once it is in sync`
      : this.d.phase() !== 'in-sync'
        ? `job ${jobId} is ${this.d.phase()}, not in sync: ask again when it is in sync`
        : null;
    if (why) {
      const outcome: CutoverOutcome = { state: 'refused', message: why };
      await finishCutover(conn, jobId, outcome).catch((err: unknown) => this.d.onWarn(`could not record the cut-over refusal: ${errorMessage(err)}`));
      return outcome;
    }
    this.d.onStart(block);
    const outcome = await runCutover({
      source: spec.source,
      target: spec.target,
      sourceDatabase: spec.sourceDatabase,
      targetDatabase: spec.targetDatabase,
      tables: this.d.tables,
      jobId,
      block,
      waitApplied: (position, timeoutMs) => follower.waitApplied(position, timeoutMs),
      onStep: (step, message) => {
        this.d.onStep(step, block, message);
        void recordCutoverStep(conn, jobId, step, message).catch(() => undefined);
      },
    });
    if (outcome.state === 'done') {
      try {
        await this.d.onDone(outcome);
      } catch (err) {
        this.d.onWarn(`cut over, but recording the job done failed: ${errorMessage(err)}`);
      }
    } else {
      // Not cut over: the stream goes on from where it is (no stop), the block is lifted (perform.ts).
      follower.setStop(null);
      this.d.onFailed(outcome);
    }
    await finishCutover(conn, jobId, outcome).catch((err: unknown) => this.d.onWarn(`could not record the cut-over outcome on the target: ${errorMessage(err)}`));
    return outcome;
  }
}
