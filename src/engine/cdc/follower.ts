/**
 * Follows a job's change stream: streams from the committed position and applies in batches
 * (applier.ts commits the position with each batch), reconnecting when the stream is lost, until a
 * stop position that may be set at any time, or never. `syncJob` sets the stop to the source's
 * position when it starts; a hybrid job follows with no stop until a cut-over asks for everything up
 * to the blocked source's position (`waitApplied`). A paused follower applies nothing and stops
 * reading; resume applies what it holds and reads on (exactly once, as ever).
 */
import { CancelledError, errorMessage } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import type { ChangeApplier } from './applier.js';
import { StreamFatalError, StreamLostError, UniqueConflictError } from './errors.js';
import { comparePositions, formatPosition } from './position.js';
import { ChangeStream } from './stream.js';
import type { BinlogPosition, RawRowsEvent, RowChange, StreamItem } from './types.js';

export interface FollowerOptions {
  /** The job's GTID position at `from` (all domains), when known. */
  gtid?: string | null;
  /**
   * Start the stream after `gtid` rather than at `from` (another server of the topology, or a purged
   * file: resumePoint.ts), until the first batch commits on this server.
   */
  byGtid?: boolean;
  source: ServerSpec;
  database: string;
  tables: string[];
  serverId: number;
  /** No event for this long while the source's binlog moved on = a stalled stream (default 30 s). */
  stallMs?: number;
  /** Keep reconnecting for this long without progress before failing (default 120 s). */
  reconnectForMs?: number;
  /** Row events per target transaction, at most (default 5,000; whole source transactions). */
  batchEvents?: number;
  /** Stream items read ahead of the applier (default 50,000). */
  bufferEvents?: number;
  /** After each committed batch. */
  onApplied?(): void;
  /** A lost stream being reconnected (the message says from where). */
  onWarn?(message: string): void;
}

interface Waiter {
  position: BinlogPosition;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The stream is reopened at the committed position, nothing lost (after a batch re-read decoded:
 * the source lets one dump connection per server id, so the raw stream was closed for the re-read).
 */
class StreamRestart extends Error {}

/** An idle stream's moved position is committed at most this often (the stored position tracks the source). */
const IDLE_COMMIT_MS = 1_000;

export class ChangeFollower {
  /** Row events and transactions applied by this follower. */
  events = 0;
  transactions = 0;
  reconnects = 0;
  /** The committed position. */
  applied: BinlogPosition;
  /** The job's GTID position at `applied`. */
  appliedGtid: string | null;
  /** Until the first batch commits: the stream starts after `appliedGtid`. */
  byGtid: boolean;
  /** The source's commit time of the last applied transaction (epoch ms), null before the first. */
  lastCommitAt: number | null = null;
  private stop: BinlogPosition | null = null;
  private cancelled = false;
  private waiters: Waiter[] = [];
  private stream: ChangeStream | null = null;
  private open: RowChange[] = [];
  private ready: RowChange[] = [];
  /** Where the applier replays: the raw Rows events of the open transaction and of the batch, and their row counts. */
  private openRaw: RawRowsEvent[] = [];
  private readyRaw: RawRowsEvent[] = [];
  private openRawRows = 0;
  private readyRawRows = 0;
  /** Set while paused: resolves on resume (or cancel). */
  private pausedGate: { wait: Promise<void>; release(): void } | null = null;
  /** Row changes read from the stream and held, not applied, while paused. */
  private held = 0;

  constructor(
    private readonly applier: ChangeApplier,
    from: BinlogPosition,
    private readonly opts: FollowerOptions,
  ) {
    this.applied = from;
    this.appliedGtid = opts.gtid ?? null;
    this.byGtid = opts.byGtid ?? false;
  }

  /** Row events received and not yet committed on the target. */
  get pendingEvents(): number {
    return this.open.length + this.ready.length + this.openRawRows + this.readyRawRows + this.held + (this.stream?.bufferedRows ?? 0);
  }

  get paused(): boolean {
    return this.pausedGate !== null;
  }

  /**
   * Applies nothing more until `resume`: nothing is committed on the target from now on (a batch
   * whose apply already started commits), and the stream is no longer read, so its own
   * backpressure holds the source's binlog connection once its buffer is full. The committed
   * position stays where it is; pendingEvents grows with what the source writes meanwhile.
   */
  pause(): void {
    if (this.pausedGate || this.cancelled) return;
    let release = () => {};
    const wait = new Promise<void>((r) => (release = r));
    this.pausedGate = { wait, release };
  }

  resume(): void {
    const gate = this.pausedGate;
    this.pausedGate = null;
    gate?.release();
  }

  /** Where `run` returns: once everything up to this position is committed (null: never). */
  setStop(position: BinlogPosition | null): void {
    this.stop = position;
  }

  get stopAt(): BinlogPosition | null {
    return this.stop;
  }

  cancel(): void {
    this.cancelled = true;
    // A paused follower wakes to stop (its gate stays set, so it applies nothing on the way out).
    this.pausedGate?.release();
  }

  /** Waits while paused; true when it did wait (the caller re-checks cancel). */
  private async whilePaused(): Promise<boolean> {
    let waited = false;
    while (this.pausedGate && !this.cancelled) {
      waited = true;
      await this.pausedGate.wait;
    }
    return waited || (this.cancelled && this.pausedGate !== null);
  }

  /**
   * Resolves once everything up to `position` is committed on the target, and makes `run` return
   * there (a cut-over's catch-up). Rejects after `timeoutMs`, and the stream then goes on.
   */
  waitApplied(position: BinlogPosition, timeoutMs: number): Promise<void> {
    if (comparePositions(this.applied, position) >= 0) {
      this.stop = position;
      return Promise.resolve();
    }
    this.stop = position;
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          if (this.stop && comparePositions(this.stop, position) === 0) this.stop = null;
          reject(new Error(`the target did not catch up to ${formatPosition(position)} within ${Math.round(timeoutMs / 1000)} s (applied up to ${formatPosition(this.applied)})`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  private settleWaiters(): void {
    for (const w of [...this.waiters]) {
      if (comparePositions(this.applied, w.position) < 0) continue;
      clearTimeout(w.timer);
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve();
    }
  }

  private failWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private reached(): boolean {
    return this.stop !== null && comparePositions(this.applied, this.stop) >= 0;
  }

  /** Streams and applies until the committed position reaches the stop, reconnecting when the stream is lost. */
  async run(): Promise<void> {
    try {
      await this.runInner();
    } catch (err) {
      this.failWaiters(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  private async runInner(): Promise<void> {
    if (this.reached()) return;
    const reconnectForMs = this.opts.reconnectForMs ?? 120_000;
    let lostSince: number | null = null;
    let lostAt = '';
    let backoff = 250;
    for (;;) {
      const stream = this.openStream(this.applier.replays);
      this.stream = stream;
      try {
        await this.drain(stream);
        return;
      } catch (err) {
        if (err instanceof StreamRestart) continue;
        if (!(err instanceof StreamLostError)) {
          if (err instanceof StreamFatalError || err instanceof UniqueConflictError || err instanceof CancelledError) throw err;
          throw err instanceof Error ? err : new Error(errorMessage(err));
        }
        const now = Date.now();
        if (lostAt !== formatPosition(this.applied)) {
          // progress since the last loss: a new outage, with a fresh clock and backoff
          lostSince = now;
          lostAt = formatPosition(this.applied);
          backoff = 250;
        }
        lostSince ??= now;
        if (now - lostSince > reconnectForMs) {
          throw new Error(`${err.message}; gave up reconnecting after ${Math.round(reconnectForMs / 1000)} s. Nothing is lost: run again when the source is back.`);
        }
        this.reconnects++;
        this.opts.onWarn?.(`${err.message}; reconnecting from ${formatPosition(this.applied)}`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(5_000, backoff * 2);
      } finally {
        this.stream = null;
        this.open = [];
        this.ready = [];
        this.openRaw = [];
        this.readyRaw = [];
        this.openRawRows = 0;
        this.readyRawRows = 0;
        await stream.close();
      }
      if (this.cancelled) throw new CancelledError();
    }
  }

  /** A stream from the committed position: raw where the applier replays, else decoded. */
  private openStream(raw: boolean): ChangeStream {
    const { source, database, tables, serverId } = this.opts;
    return new ChangeStream({
      source,
      database,
      tables,
      from: this.applied,
      gtid: this.appliedGtid,
      byGtid: this.byGtid,
      serverId,
      stallMs: this.opts.stallMs,
      maxBuffered: this.opts.bufferEvents,
      rawFor: raw ? this.applier.targetDatabase : undefined,
    });
  }

  /**
   * The batch from the committed position up to `to` (a transaction's end), read again decoded:
   * for a raw batch the target would not take as BINLOG statements, applied by SQL instead.
   */
  private async decodedBatch(to: BinlogPosition): Promise<RowChange[]> {
    const stream = this.openStream(false);
    const changes: RowChange[] = [];
    try {
      for (;;) {
        if (this.cancelled) throw new CancelledError();
        for (const item of await stream.next(500)) {
          if (item.kind === 'row') changes.push(item.change);
          else if (item.kind === 'stop') throw new StreamFatalError(`the change stream stopped at ${formatPosition(item.position)}: ${item.reason}`);
          else if (item.kind === 'commit') {
            const c = comparePositions(item.position, to);
            if (c === 0) return changes;
            if (c > 0) throw new Error(`reading the batch up to ${formatPosition(to)} again, the stream passed it at ${formatPosition(item.position)}`);
          }
        }
      }
    } finally {
      await stream.close();
    }
  }

  /** Applies the stream until the stop (returns) or until it fails (throws). */
  private async drain(stream: ChangeStream): Promise<void> {
    const batchEvents = this.opts.batchEvents ?? 5_000;
    let readyTx = 0;
    /** A transaction's end was read since the last flush (its position is to be committed). */
    let moved = false;
    let last = null as { position: BinlogPosition; gtid: string | null; at: number | null } | null;
    let lastIdleCommit = 0;
    // The items in hand and the next one's index: what a pause holds unapplied is counted as pending.
    let items: StreamItem[] = [];
    let at = 0;
    const flush = async (force = false) => {
      if (!last || (!force && !moved)) return;
      if (this.pausedGate) {
        let rows = 0;
        for (let k = at; k < items.length; k++) {
          const item = items[k];
          if (item.kind === 'row') rows++;
          else if (item.kind === 'raw') rows += item.event.rowCount ?? 0;
        }
        this.held = rows;
        try {
          if ((await this.whilePaused()) && this.cancelled) throw new CancelledError();
        } finally {
          this.held = 0;
        }
      }
      let events = this.ready.length;
      let restart = false;
      if (this.readyRaw.length > 0) {
        events = this.readyRawRows;
        if (!(await this.applier.replay(this.readyRaw, events, last.position, last.gtid, readyTx))) {
          // Not replayable, or refused by the target (rolled back): the same batch, read again
          // decoded (on a stream of its own: the raw one is closed, one dump per server id), by SQL.
          await stream.close();
          this.ready = await this.decodedBatch(last.position);
          events = this.ready.length;
          await this.applier.apply(this.ready, last.position, last.gtid, readyTx);
          restart = true;
          // The applier gave up replaying for this run (no privilege, rows it cannot count): say so once.
          if (!this.applier.replays && this.applier.applyNote) this.opts.onWarn?.(`applying by SQL statements from ${formatPosition(last.position)} on: ${this.applier.applyNote}`);
        }
      } else {
        await this.applier.apply(this.ready, last.position, last.gtid, readyTx);
      }
      this.events += events;
      this.transactions += readyTx;
      this.applied = last.position;
      this.appliedGtid = last.gtid ?? this.appliedGtid;
      this.byGtid = false;
      if (last.at !== null) this.lastCommitAt = last.at;
      this.ready = [];
      this.readyRaw = [];
      this.readyRawRows = 0;
      readyTx = 0;
      moved = false;
      this.settleWaiters();
      this.opts.onApplied?.();
      if (restart) throw new StreamRestart();
    };
    for (;;) {
      if (this.cancelled) {
        await flush();
        throw new CancelledError();
      }
      if (this.reached()) return;
      // Paused: the stream is not read (its buffer fills, then it holds the connection).
      if (await this.whilePaused()) continue;
      // With a stop set (a cut-over waits, writes blocked) an idle stream is looked at often: its
      // position may already be past the stop with nothing left to apply.
      items = await stream.next(this.stop ? 50 : 500);
      at = 0;
      if (items.length === 0) {
        // Idle: events the stream does not hand out (a new file's header, other servers' checkpoints)
        // still move its position. Committed when the stop is passed, and now and then otherwise, so
        // the stored position is the source's when nothing is left to apply.
        const at = stream.position();
        if (this.open.length === 0 && this.ready.length === 0 && comparePositions(at, this.applied) > 0) {
          const stopPassed = this.stop !== null && comparePositions(at, this.stop) >= 0;
          if (stopPassed || Date.now() - lastIdleCommit >= IDLE_COMMIT_MS) {
            lastIdleCommit = Date.now();
            last = { position: at, gtid: last?.gtid ?? null, at: null };
            await flush(true);
          }
        }
        continue;
      }
      while (at < items.length) {
        const item = items[at++];
        if (item.kind === 'row') {
          this.open.push(item.change);
          continue;
        }
        if (item.kind === 'raw') {
          this.openRaw.push(item.event);
          this.openRawRows += item.event.rowCount ?? 0;
          continue;
        }
        if (item.kind === 'stop') {
          await flush();
          throw new StreamFatalError(`the change stream stopped at ${formatPosition(item.position)}: ${item.reason}`);
        }
        // Transactions that changed the job's tables (a rotate, or another table's commit, is only a place).
        if (this.open.length > 0 || this.openRaw.length > 0) readyTx++;
        moved = true;
        // Appended one by one: a spread of a large transaction's rows would overflow the stack.
        if (this.ready.length === 0) this.ready = this.open;
        else for (const c of this.open) this.ready.push(c);
        this.open = [];
        if (this.readyRaw.length === 0) this.readyRaw = this.openRaw;
        else for (const e of this.openRaw) this.readyRaw.push(e);
        this.openRaw = [];
        this.readyRawRows += this.openRawRows;
        this.openRawRows = 0;
        last = { position: item.position, gtid: item.gtid, at: item.timestamp ? item.timestamp : (last?.at ?? null) };
        if (this.stop !== null && comparePositions(item.position, this.stop) >= 0) {
          await flush();
          return;
        }
        if (this.ready.length + this.readyRawRows >= batchEvents || this.readyRaw.length >= batchEvents) await flush();
      }
      await flush();
    }
  }
}
