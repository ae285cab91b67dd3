/**
 * Which replica may serve a read: healthy (both replication threads running, reachable), lag known
 * and within maxStalenessSeconds, least lag first. Like MaxScale's `max_replication_lag` with the
 * `LEAST_BEHIND_MASTER` selection; a replica whose lag is unknown is not trusted (ProxySQL assumes
 * 60 s for it). Pure, so every exclusion reason is unit-tested without servers.
 */
import { formatLag, type ProbeResult } from '../lag/lagState.js';

export interface ReplicaReading {
  name: string;
  probe: ProbeResult;
  /** How old the reading is, in seconds: it is added to the lag, since the replica may have fallen further behind. */
  ageSeconds?: number;
}

export interface ReplicaChoice {
  /** The chosen replica (least lag within the limit), or null: use the primary. */
  chosen: { name: string; lagSeconds: number } | null;
  /** Replicas that qualified, least lag first (the router tries the next one only for read-your-writes). */
  candidates: { name: string; lagSeconds: number }[];
  /** Why each other replica was passed over, e.g. "replica2: stopped (SQL thread stopped)". */
  excluded: string[];
  /** One sentence: why this server. */
  reason: string;
}

/** Why a replica cannot serve reads now, or null when it can (its lag is then within the limit). */
export function exclusion(p: ProbeResult, maxStalenessSeconds: number, ageSeconds = 0): string | null {
  if (!p.reachable) return `unreachable (${p.error ?? 'no answer'})`;
  if (p.error) return `cannot read its status (${p.error})`;
  if (!p.replicating) return 'not replicating (no replication channel)';
  const stopped: string[] = [];
  if (p.ioRunning !== 'yes') stopped.push(p.ioRunning === 'connecting' ? 'IO thread connecting' : 'IO thread stopped');
  if (p.sqlRunning === false) stopped.push(p.lastSqlError ? `SQL thread stopped: ${p.lastSqlError}` : 'SQL thread stopped');
  if (stopped.length > 0) return `stopped (${stopped.join(', ')})`;
  if (p.lagSeconds === null || p.lagMeaning === 'pending') return 'lag unknown';
  const lag = p.lagSeconds + ageSeconds;
  if (lag > maxStalenessSeconds) return `lagging past the limit (lag ${formatLag(lag)} > maxStalenessSeconds ${maxStalenessSeconds}s)`;
  return null;
}

export function chooseReplica(readings: ReplicaReading[], maxStalenessSeconds: number): ReplicaChoice {
  const excluded: string[] = [];
  const candidates: { name: string; lagSeconds: number }[] = [];
  for (const r of readings) {
    const why = exclusion(r.probe, maxStalenessSeconds, r.ageSeconds ?? 0);
    if (why) excluded.push(`${r.name}: ${why}`);
    else candidates.push({ name: r.name, lagSeconds: (r.probe.lagSeconds as number) + (r.ageSeconds ?? 0) });
  }
  // Stable: equal lag keeps the profile's order, so the choice does not flap between equals.
  candidates.sort((a, b) => a.lagSeconds - b.lagSeconds);
  const chosen = candidates[0] ?? null;
  if (readings.length === 0) return { chosen: null, candidates, excluded, reason: 'the profile has no replicas' };
  if (!chosen) return { chosen, candidates, excluded, reason: `no replica can serve it: ${excluded.join('; ')}` };
  const others = excluded.length > 0 ? `; passed over ${excluded.join('; ')}` : '';
  const least = candidates.length > 1 ? 'least lag' : 'lag';
  return { chosen, candidates, excluded, reason: `${least} ${formatLag(chosen.lagSeconds)} within maxStalenessSeconds ${maxStalenessSeconds}s${others}` };
}
