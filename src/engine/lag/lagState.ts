/**
 * Classifies one replica's probe result into ok / warning / error with a reason a person can act
 * on, and rolls the replicas up into one state for the status bar. Pure: unit-tested without servers.
 */
import type { LagMeaning, LagState, LagThresholds, ReplicaLag } from '../topology/types.js';

/** What one probe of one replica found (before classification). */
export interface ProbeResult {
  reachable: boolean;
  /** Set when unreachable or the probe query failed. */
  error?: string;
  ioRunning: 'yes' | 'no' | 'connecting' | null;
  sqlRunning: boolean | null;
  lastIoError: string;
  lastSqlError: string;
  lagSeconds: number | null;
  /** Unset for a plain lag reading; see LagMeaning. */
  lagMeaning?: LagMeaning;
  /** False when the server answered but has no replication channel at all. */
  replicating: boolean;
  /** Where lagSeconds came from (absent when there is no reading). */
  lagSource?: 'heartbeat' | 'replica-status';
  /** Seconds_Behind_Master of the same channel, when the lag came from the heartbeat (for comparison). */
  statusLagSeconds?: number | null;
}

export const DEFAULT_THRESHOLDS: LagThresholds = { warnSeconds: 1, errorSeconds: 10 };

/**
 * Lag as text: one decimal under a minute, then whole seconds, then minutes. Always rounded up, so
 * the text never reads as at or under a threshold the value is above (10.3 s is "10.3s", and 10.01 s
 * "10.1s", never "10s" next to "error above 10s") for thresholds on the display's grid.
 */
export function formatLag(seconds: number | null): string {
  if (seconds === null) return '?';
  // The small epsilon keeps float noise (0.30000000000000004) from rounding up a whole step.
  const up = (x: number) => Math.max(0, Math.ceil(x - 1e-9));
  const tenths = up(seconds * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const whole = up(seconds);
  if (whole < 7200) return `${Math.floor(whole / 60)}m ${whole % 60}s`;
  const minutes = up(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export const PENDING_REASON = "lag pending: this session's first heartbeat has not reached the replica yet";

export function classify(p: ProbeResult, t: LagThresholds): { state: LagState; reason: string } {
  if (!p.reachable) return { state: 'error', reason: `unreachable: ${p.error ?? 'no answer'}` };
  if (p.error) return { state: 'error', reason: p.error };
  if (!p.replicating) return { state: 'error', reason: 'not replicating (no replication channel configured)' };
  const stopped: string[] = [];
  if (p.ioRunning !== 'yes') {
    const what = p.ioRunning === 'connecting' ? 'IO thread connecting' : 'IO thread stopped';
    stopped.push(p.lastIoError ? `${what}: ${p.lastIoError}` : what);
  }
  if (p.sqlRunning === false) stopped.push(p.lastSqlError ? `SQL thread stopped: ${p.lastSqlError}` : 'SQL thread stopped');
  if (stopped.length > 0) return { state: 'error', reason: stopped.join('; ') };
  // Not a warning: nothing is wrong yet, the first heartbeat of this session is on its way.
  if (p.lagMeaning === 'pending') return { state: 'ok', reason: PENDING_REASON };
  if (p.lagSeconds === null) return { state: 'warning', reason: 'lag unknown' };
  const lag = p.lagMeaning === 'at-least' ? `lag ≥ ${formatLag(p.lagSeconds)}` : `lag ${formatLag(p.lagSeconds)}`;
  const why = p.lagMeaning === 'at-least' ? " (this session's first heartbeat has not reached the replica)" : '';
  if (p.lagSeconds > t.errorSeconds) return { state: 'error', reason: `${lag} > ${t.errorSeconds}s${why}` };
  if (p.lagSeconds > t.warnSeconds) return { state: 'warning', reason: `${lag} > ${t.warnSeconds}s${why}` };
  return { state: 'ok', reason: lag };
}

const RANK: Record<LagState, number> = { ok: 0, warning: 1, error: 2 };

export function worstState(states: LagState[]): LagState {
  return states.reduce<LagState>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');
}

/** The worst state, and the worst lag reading (the age of a stopped replica's last heartbeat is not one). */
export function rollUp(replicas: Pick<ReplicaLag, 'state' | 'lagSeconds' | 'lagMeaning'>[]): { state: LagState; worstLagSeconds: number | null } {
  const known = replicas
    .filter((r) => r.lagMeaning !== 'last-applied')
    .map((r) => r.lagSeconds)
    .filter((l): l is number => l !== null);
  return {
    state: worstState(replicas.map((r) => r.state)),
    worstLagSeconds: known.length > 0 ? Math.max(...known) : null,
  };
}

/** The lag as words that say what the number is: a reading, a lower bound, or the last applied age. */
export function lagText(r: Pick<ReplicaLag, 'lagSeconds' | 'lagMeaning'>): string {
  if (r.lagMeaning === 'pending') return 'lag pending';
  if (r.lagSeconds === null) return 'lag unknown';
  if (r.lagMeaning === 'last-applied') return `last applied ${formatLag(r.lagSeconds)} ago`;
  if (r.lagMeaning === 'at-least') return `lag ≥ ${formatLag(r.lagSeconds)}`;
  return `lag ${formatLag(r.lagSeconds)}`;
}
