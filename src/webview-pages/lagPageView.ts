import type { LagHostMessage, ReplicaLag } from '../protocol/index.js';
import { formatLag } from '../engine/lag/lagState.js';

/** Pure view model of the lag page: one row per replica with an SVG polyline of its recent samples. */
export interface LagRow {
  name: string;
  state: string;
  value: string;
  reason: string;
  /** "x,y x,y …" in a 0..width × 0..height box, y down; unknown samples break nothing (skipped). */
  points: string;
  /** y of the warning threshold line. */
  warnY: number;
}

export const WIDTH = 240;
export const HEIGHT = 40;

export function sparkPoints(history: [number, number | null][], top: number): string {
  const n = history.length;
  if (n === 0) return '';
  return history
    .map(([, v], i) => (v === null ? null : `${n === 1 ? WIDTH : Math.round((i / (n - 1)) * WIDTH)},${Math.round(HEIGHT - (Math.min(v, top) / top) * HEIGHT)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
}

export function lagRows(msg: Extract<LagHostMessage, { type: 'lag' }>): { title: string; rows: LagRow[] } {
  const { update, thresholds } = msg;
  const top = Math.max(thresholds.warnSeconds * 2, ...update.replicas.flatMap((r: ReplicaLag) => r.history.map(([, v]) => v ?? 0)));
  return {
    title: `Replication lag: ${update.profile}`,
    rows: update.replicas.map((r) => ({
      name: r.name,
      state: r.state,
      value: formatLag(r.lagSeconds),
      reason: r.state === 'ok' ? `${r.source}` : r.reason,
      points: sparkPoints(r.history, top),
      warnY: Math.round(HEIGHT - (Math.min(thresholds.warnSeconds, top) / top) * HEIGHT),
    })),
  };
}
