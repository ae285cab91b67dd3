/**
 * The source's current binlog position, read about once a second on its own light connection (not
 * the stream's): a job whose applied position equals it is 0 s behind, however old its last
 * transaction. A source that is down or restarting just leaves the last reading unknown (null) and
 * is asked again on the next tick; the stream has its own reconnect.
 */
import { closeQuietly, connect, type Connection } from '../db/connection.js';
import type { ServerSpec } from '../db/server.js';
import { sourcePosition } from '../cdc/stream.js';
import { comparePositions } from '../cdc/position.js';
import type { BinlogPosition } from '../cdc/types.js';

/** Readings kept for `aheadSince` (a few minutes at one a second). */
const MAX_SAMPLES = 600;

export class SourcePoller {
  /** The last reading (null: none yet, or the last attempt failed). */
  position: BinlogPosition | null = null;
  /** Successful readings, oldest first: where the source was, and when (epoch ms). */
  private samples: { position: BinlogPosition; at: number }[] = [];
  private conn: Connection | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly spec: ServerSpec,
    private readonly everyMs = 1_000,
  ) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.everyMs);
  }

  private async poll(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      this.conn ??= await connect(this.spec);
      this.position = await sourcePosition(this.conn);
      if (this.position) {
        this.samples.push({ position: this.position, at: Date.now() });
        if (this.samples.length > MAX_SAMPLES) this.samples.shift();
      }
    } catch {
      this.position = null;
      const c = this.conn;
      this.conn = null;
      c?.destroy();
    } finally {
      this.busy = false;
    }
    if (this.stopped) await this.close();
  }

  /**
   * When the source was first seen at a position past `applied` (epoch ms), or null when every
   * reading is at or before it. Readings the job has reached are dropped.
   */
  aheadSince(applied: BinlogPosition): number | null {
    while (this.samples.length > 0 && comparePositions(this.samples[0].position, applied) <= 0) this.samples.shift();
    return this.samples[0]?.at ?? null;
  }

  private async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    await closeQuietly(c);
    c?.destroy();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.busy) await this.close();
  }
}
