/**
 * The source's current binlog position, read every 250 ms on its own light connection (not the
 * stream's): a job whose applied position equals it is 0 s behind, however old its last
 * transaction; one that has reached a reading taken at time T holds everything committed before T
 * (the recent readings bound how far behind it is with millisecond resolution, where the binlog's
 * commit times have whole seconds). A source that is down or restarting just leaves the last
 * reading unknown (null) and is asked again on the next tick; the stream has its own reconnect.
 */
import { closeQuietly, connect, type Connection } from '../db/connection.js';
import type { ServerSpec } from '../db/server.js';
import { sourcePosition } from '../cdc/stream.js';
import type { BinlogPosition } from '../cdc/types.js';

export class SourcePoller {
  /** The last reading (null: none yet, or the last attempt failed). */
  position: BinlogPosition | null = null;
  /** The last few good readings (about 5 s), oldest first, each with the time its query was sent. */
  readonly readings: { position: BinlogPosition; at: number }[] = [];
  private conn: Connection | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly spec: ServerSpec,
    private readonly everyMs = 250,
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
      const at = Date.now();
      this.position = await sourcePosition(this.conn);
      if (this.position) this.readings.push({ position: this.position, at });
      if (this.readings.length > 20) this.readings.shift();
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
