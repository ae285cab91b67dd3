/**
 * One chunk onto the target, exactly once, with retries: load it on a writer (rows and checkpoint row
 * in one transaction), wait for its commit turn, commit. A deadlock, a lock wait timeout or a dropped
 * connection is retried (see retry.ts): a dropped connection gets a fresh writer, and a COMMIT whose
 * answer was lost is looked up by its checkpoint row first, so a chunk never lands twice. The chunk's
 * bytes are released once loaded (they are not held while waiting for the turn); a retry after that
 * reads the same rows again from the same snapshot.
 */
import type { Connection } from '../db/connection.js';
import { CancelledError, errorMessage } from '../db/errors.js';
import type { KeyValue } from '../db/keyset.js';
import { chunkCommitted } from '../jobs/checkpoint.js';
import type { JobSpec } from '../jobs/types.js';
import { Writer } from './applier.js';
import { releaseBlocks } from './encoder.js';
import type { ReadChunk, SnapshotReader, TableShape } from './reader.js';
import { AbortError, DEFAULT_RETRY, withRetries, type RetryNotice, type RetryPolicy } from './retry.js';
import type { CommitSequencer } from './sequencer.js';

export interface ChunkToCommit {
  order: number;
  shape: TableShape;
  seq: number;
  lo: KeyValue | null;
  chunk: ReadChunk;
  /** Statements committed with the chunk (ChunkWrite.also). */
  also?: { sql: string; values: unknown[] }[];
}

export interface ChunkCommitContext {
  spec: JobSpec;
  jobId: string;
  /** The control connection on the target (checkpoint lookups). */
  target: Connection;
  reader: SnapshotReader;
  /** The writers; a writer whose connection dropped is replaced in this array. */
  writers: Writer[];
  sequencer: CommitSequencer;
  cancelled: () => boolean;
  /** Time since the last lap, added to `name` in the memory trace (a no-op without it). */
  lap: (name: string, from?: number) => number;
  onRetry: (what: string, n: RetryNotice) => void;
}

export function retryPolicy(spec: JobSpec): RetryPolicy {
  return spec.retries === undefined ? DEFAULT_RETRY : { ...DEFAULT_RETRY, retries: Math.max(0, Math.floor(spec.retries)) };
}

/** Commits `item` on writer `slot`; returns the load time in seconds (for the chunk sizer). */
export async function commitChunk(ctx: ChunkCommitContext, slot: number, item: ChunkToCommit): Promise<number> {
  const { shape, chunk } = item;
  const { spec, jobId } = ctx;
  let loadSeconds = 0;
  let lost = false;
  await withRetries(
    async (attempt) => {
      if (attempt > 1) {
        // A COMMIT whose answer was lost may have landed: its checkpoint row says so.
        if (lost && (await chunkCommitted(ctx.target, jobId, shape.info.name, item.seq))) return;
        if (lost) ctx.writers[slot] = await reopenWriter(spec, ctx.writers[slot]);
        if (chunk.rowCount > 0 && chunk.encoded.length === 0 && chunk.values === '') await reread(spec, ctx.reader, item);
      }
      const writer = ctx.writers[slot];
      const t0 = performance.now();
      await writer.begin(shape, spec.targetDatabase, {
        jobId,
        table: shape.info.name,
        seq: item.seq,
        lo: item.lo,
        hi: chunk.lastKey,
        rowCount: chunk.rowCount,
        encoded: chunk.encoded,
        values: chunk.values,
        bytes: chunk.bytes,
        also: item.also,
      });
      loadSeconds = (performance.now() - t0) / 1000;
      // Loaded: the bytes are on the server now; don't hold them while waiting for the commit turn.
      releaseBlocks(chunk.encoded);
      chunk.values = '';
      const c0 = ctx.lap('load', t0);
      try {
        await ctx.sequencer.turn(item.order);
        ctx.lap('writerWaitsForTurn', c0);
        // Cancel means stop now: a loaded chunk that has not committed is rolled back (resume redoes it).
        if (ctx.cancelled()) throw new CancelledError();
      } catch (err) {
        await writer.rollback();
        throw err;
      }
      const m0 = performance.now();
      await writer.commit();
      ctx.lap('commit', m0);
    },
    (n) => {
      lost = n.cause === 'connection lost';
      ctx.onRetry(`${shape.info.name} chunk ${item.seq}`, n);
    },
    retryPolicy(spec),
  );
  return loadSeconds;
}

/** A writer whose connection dropped: closed (quietly) and replaced by a fresh one. */
async function reopenWriter(spec: JobSpec, old: Writer): Promise<Writer> {
  await old.close();
  return Writer.open(spec.target, spec.method ?? 'load', spec.ifExists ?? 'abort');
}

/**
 * Reads a chunk again, from the same snapshot: exactly the rows (lo, hi], as many as before. The
 * snapshot goes with the reader's connection, and a new one would not be the same data: a failure
 * here is not retried (the job fails, resumable).
 */
async function reread(spec: JobSpec, reader: SnapshotReader, item: ChunkToCommit): Promise<void> {
  const { shape, chunk } = item;
  let again: ReadChunk;
  try {
    again = await reader.readChunk(shape, { after: item.lo, upTo: chunk.lastKey }, chunk.rowCount, spec.method ?? 'load');
  } catch (err) {
    throw new AbortError(`${shape.info.name} chunk ${item.seq}: the snapshot could not be read again (${errorMessage(err)})`);
  }
  if (again.rowCount !== chunk.rowCount) {
    throw new AbortError(`${shape.info.name} chunk ${item.seq}: read ${again.rowCount} rows again, ${chunk.rowCount} before`);
  }
  chunk.encoded = again.encoded;
  chunk.values = again.values;
}
