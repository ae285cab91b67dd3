/**
 * When a following job is in sync: pure, so the thresholds are unit-tested without a server. In sync
 * as soon as one reading is under the threshold; back to catching up only when the job stays over
 * it for longer than a grace period, so one slow batch does not flap the phase (and the `in-sync`
 * line the CLI prints means a settled state, not a lucky sample).
 */

export type StreamPhase = 'catching-up' | 'in-sync';

export interface StreamPhaseState {
  phase: StreamPhase;
  /** Since when (epoch ms) the readings have been over the threshold while in sync; null when not. */
  overSince: number | null;
}

export interface PhaseRule {
  /** Behind less than this = in sync (seconds; JobSpec.syncThresholdSeconds, default 1). */
  thresholdSeconds: number;
  /** Over the threshold for longer than this while in sync = catching up again (default 5 s). */
  graceMs: number;
}

export const DEFAULT_SYNC_THRESHOLD_SECONDS = 1;
export const DEFAULT_FALL_BEHIND_GRACE_MS = 5_000;

export function phaseRule(thresholdSeconds: number | undefined, graceMs = DEFAULT_FALL_BEHIND_GRACE_MS): PhaseRule {
  const t = thresholdSeconds !== undefined && Number.isFinite(thresholdSeconds) && thresholdSeconds > 0 ? thresholdSeconds : DEFAULT_SYNC_THRESHOLD_SECONDS;
  return { thresholdSeconds: t, graceMs };
}

export function startPhase(): StreamPhaseState {
  return { phase: 'catching-up', overSince: null };
}

/**
 * The state after one reading. behindSeconds null means nothing says how far behind the job is:
 * while catching up that is no evidence either way (the phase stays); while in sync it counts as
 * over the threshold, because "in sync" is said only on evidence (a stream that delivers nothing
 * must not stay in sync for want of a number).
 */
export function nextStreamPhase(state: StreamPhaseState, behindSeconds: number | null, now: number, rule: PhaseRule): StreamPhaseState {
  if (behindSeconds === null && state.phase === 'catching-up') return state;
  const under = behindSeconds !== null && behindSeconds < rule.thresholdSeconds;
  if (state.phase === 'catching-up') return under ? { phase: 'in-sync', overSince: null } : state;
  if (under) return state.overSince === null ? state : { phase: 'in-sync', overSince: null };
  const since = state.overSince ?? now;
  if (now - since > rule.graceMs) return { phase: 'catching-up', overSince: null };
  return { phase: 'in-sync', overSince: since };
}

export interface BehindInput {
  /** The committed position. */
  applied: { file: string; position: number };
  /** The source's current position (null: not read yet, or unreachable). */
  source: { file: string; position: number } | null;
  /** Row events received and not yet committed. */
  pending: number;
  /** The source's commit time of the last applied transaction (epoch ms; whole seconds). */
  lastCommitAt: number | null;
  /**
   * Recent readings of the source's position, each with the time (epoch ms) its query was sent:
   * everything the source committed before that time is at or before that position.
   */
  sourceReadings?: ReadonlyArray<{ position: { file: string; position: number }; at: number }>;
  /**
   * The send time (epoch ms) of the newest reading the applied position ever reached, kept beyond
   * `sourceReadings`' window (newestReached): a paused or stuck job still says how far behind it is.
   */
  reachedAt?: number | null;
  now: number;
}

function fileNumber(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : NaN;
}

function atOrPast(a: { file: string; position: number }, b: { file: string; position: number }): boolean {
  const fa = fileNumber(a.file);
  const fb = fileNumber(b.file);
  return fa !== fb ? fa > fb : a.position >= b.position;
}

/** The send time of the newest reading `applied` has reached, or `before` when none is newer. */
export function newestReached(
  applied: { file: string; position: number },
  readings: ReadonlyArray<{ position: { file: string; position: number }; at: number }>,
  before: number | null,
): number | null {
  let at = before;
  for (const r of readings) if (atOrPast(applied, r.position) && (at === null || r.at > at)) at = r.at;
  return at;
}

/**
 * Seconds behind the source: 0 when nothing is pending and the applied position is the source's
 * current one; otherwise the smaller of two upper bounds, so it never errs low:
 * - now minus the source's commit time of the last applied transaction. The binlog keeps whole
 *   seconds, so alone this errs high by up to a second, and by how much depends on where in the
 *   second the reading falls: under a steady load 50 ms behind it read 1.0 s whenever the monitor's
 *   tick fell late in a second, and a job with the default 1 s threshold went catching-up
 *   (bench/steady.mjs).
 * - now minus the send time of the newest source position reading the applied position has
 *   reached (in the recent readings, or remembered from earlier ones): the target holds everything
 *   committed before that time.
 * Null before either is known.
 */
export function behindSecondsOf(b: BehindInput): number | null {
  if (b.pending === 0 && b.source && atOrPast(b.applied, b.source)) return 0;
  let ms = b.lastCommitAt === null ? null : b.now - b.lastCommitAt;
  const reached = newestReached(b.applied, b.sourceReadings ?? [], b.reachedAt ?? null);
  if (reached !== null && (ms === null || b.now - reached < ms)) ms = b.now - reached;
  if (ms === null) return null;
  return Math.max(0, Math.round(ms / 100) / 10);
}
