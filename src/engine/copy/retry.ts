/**
 * Retries for transient faults on the target: a deadlock, a lock wait timeout, or a dropped
 * connection. Each is safe to retry because a chunk's rows and its checkpoint row commit in one
 * transaction: a failed attempt leaves nothing behind (or, when the connection dropped during COMMIT,
 * exactly the whole chunk, which the next attempt finds by its checkpoint row). p-retry keeps the
 * backoff; the caller reports each retry, and fails (resumable) only when they run out.
 */
import pRetry, { AbortError } from 'p-retry';
import { errorMessage } from '../db/errors.js';
import type { ProgressEvent } from '../jobs/types.js';

export { AbortError };

/** mysql2 codes of a connection that is gone (the driver's own, Node's socket errors, the server's). */
const CONNECTION_LOST = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ER_CONNECTION_KILLED', // MariaDB 1927 "Connection was killed"
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** Server errno of the same, for drivers that leave `code` unset. */
const CONNECTION_LOST_ERRNO = new Set([1927, 1053, 2006, 2013, 4031]);

export type TransientCause = 'deadlock' | 'lock wait timeout' | 'connection lost';

/** The kind of transient fault `err` is, or null for an error that a retry would only repeat. */
export function transientCause(err: unknown): TransientCause | null {
  const e = err as { code?: string; errno?: number; fatal?: boolean; message?: string } | null;
  if (!e || typeof e !== 'object') return null;
  if (e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213) return 'deadlock';
  if (e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205) return 'lock wait timeout';
  if ((e.code && CONNECTION_LOST.has(e.code)) || (e.errno !== undefined && CONNECTION_LOST_ERRNO.has(e.errno))) return 'connection lost';
  // mysql2 after the socket closed: "Can't add new command when connection is in closed state".
  if (e.fatal === true || /connection is in closed state/i.test(e.message ?? '')) return 'connection lost';
  return null;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, minTimeoutMs: 250, maxTimeoutMs: 8_000 };

export interface RetryNotice {
  attempt: number;
  retriesLeft: number;
  cause: TransientCause;
  error: Error;
}

/** The progress event that reports one retry of `what`. */
export function retryEvent(jobId: string, what: string, n: RetryNotice): ProgressEvent {
  return { type: 'retry', jobId, what, attempt: n.attempt, retriesLeft: n.retriesLeft, cause: n.cause, error: errorMessage(n.error) };
}

/**
 * Runs `fn(attempt)` (attempt counts from 1) until it succeeds, retrying transient faults with
 * exponential backoff. Anything else, an AbortError, or the last transient fault is thrown.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, onRetry: (n: RetryNotice) => void, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  return pRetry(fn, {
    retries: policy.retries,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => transientCause(error) !== null,
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      const cause = transientCause(error);
      if (cause && retriesLeft > 0) onRetry({ attempt: attemptNumber, retriesLeft, cause, error });
    },
  });
}
