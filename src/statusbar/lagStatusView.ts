/**
 * What the lag status bar item shows for a state: text, Markdown tooltip, background. Pure and
 * deterministic (no clock, no `vscode`) so unit tests and the E2E screenshots can assert it.
 */
import { formatLag, lagText } from '../engine/lag/lagState.js';
import type { LagThresholds, LagUpdate, ReplicaLag } from '../engine/topology/types.js';

export type LagIndicatorState =
  | { kind: 'no-profiles' }
  | { kind: 'inactive' }
  | { kind: 'starting'; profile: string }
  | { kind: 'failed'; profile: string; message: string }
  | { kind: 'live'; update: LagUpdate }
  /**
   * The last reading is too old to stand for now: no update for `staleAfterMs` (a poll that hangs,
   * a worker that died or restarts). Shown as unknown, never as the old "ok".
   */
  | { kind: 'stale'; update: LagUpdate | null; profile: string; staleAfterMs: number; reason: string };

/** A reading older than this many poll intervals is unknown. */
export const STALE_POLLS = 3;

/** How old a reading may be before it is shown as unknown: a few poll intervals. */
export function staleAfterMs(pollIntervalMs: number): number {
  return STALE_POLLS * pollIntervalMs;
}

/** True when a reading received at `receivedAt` no longer stands for `now`. */
export function isStale(receivedAt: number, now: number, pollIntervalMs: number): boolean {
  return now - receivedAt > staleAfterMs(pollIntervalMs);
}

export interface LagStatusView {
  visible: boolean;
  text: string;
  /** Markdown; command links are trusted for rwMigrate.* only. */
  tooltip: string;
  background: 'warning' | 'error' | null;
  command: string;
}

const LINKS = '[Show lag history](command:rwMigrate.showLag) · [Switch profile](command:rwMigrate.setActiveProfile) · [Refresh](command:rwMigrate.refresh)';
const RESTART = '[Restart Worker](command:rwMigrate.restartWorker)';

/** The short cause shown in the status bar for a replica in error that is not about lag. */
export function shortCause(r: ReplicaLag): string | null {
  if (!r.reachable) return 'down';
  if (r.sqlRunning === false) return 'SQL stopped';
  if (r.ioRunning !== null && r.ioRunning !== 'yes') return 'IO stopped';
  if (r.state === 'error' && r.lagSeconds === null) return 'error';
  return null;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

const ICON = { ok: '$(check)', warning: '$(warning)', error: '$(error)' } as const;

export function replicaLine(r: ReplicaLag): string {
  const src = r.source === 'heartbeat' ? 'heartbeat' : 'replica status';
  const address = `${r.host}:${r.port}`;
  // A replica without a name is labelled by its address: don't print it twice.
  const where = r.name === address ? '' : ` (${escapeMd(address)})`;
  let body: string;
  if (r.state === 'error' && shortCause(r) !== null) {
    // Down or a stopped thread: the state first; a number only as what it is (the last applied heartbeat's age).
    body = `${escapeMd(r.reason)}${r.lagSeconds !== null && r.lagMeaning === 'last-applied' ? ` — ${lagText(r)} (${src})` : ''}`;
  } else if (r.lagMeaning === 'pending') {
    body = `${escapeMd(r.reason)} (${src})`;
  } else {
    body = `${lagText(r)} (${src})${r.state === 'ok' ? '' : ` — ${escapeMd(r.reason)}`}`;
  }
  const lines = [`${ICON[r.state]} **${escapeMd(r.name)}**${where}: ${body}`];
  if (r.lastIoError) lines.push(`  Last\\_IO\\_Error: ${escapeMd(r.lastIoError)}`);
  if (r.lastSqlError) lines.push(`  Last\\_SQL\\_Error: ${escapeMd(r.lastSqlError)}`);
  return lines.join('\n\n');
}

/** The worst lag as text: "…" while only pending replicas have none, "≥" when the worst is a lower bound. */
export function worstLagText(u: LagUpdate): string {
  if (u.worstLagSeconds === null) return u.replicas.some((r) => r.lagMeaning === 'pending') ? '…' : formatLag(null);
  const worst = u.replicas.find((r) => r.lagSeconds === u.worstLagSeconds && r.lagMeaning !== 'last-applied');
  return `${worst?.lagMeaning === 'at-least' ? '≥' : ''}${formatLag(u.worstLagSeconds)}`;
}

export function lagStatusView(s: LagIndicatorState, t: LagThresholds): LagStatusView {
  switch (s.kind) {
    case 'no-profiles':
      return { visible: false, text: '', tooltip: '', background: null, command: 'rwMigrate.addProfile' };
    case 'inactive':
      return {
        visible: true,
        text: '$(pulse) off',
        tooltip: 'RW Migrate replication lag: no active profile.\n\n[Choose a profile](command:rwMigrate.setActiveProfile)',
        background: null,
        command: 'rwMigrate.setActiveProfile',
      };
    case 'starting':
      return {
        visible: true,
        text: '$(pulse) …',
        tooltip: `RW Migrate replication lag: connecting to **${escapeMd(s.profile)}**…`,
        background: null,
        command: 'rwMigrate.showLag',
      };
    case 'failed':
      return {
        visible: true,
        text: '$(error) lag',
        tooltip: `RW Migrate replication lag for **${escapeMd(s.profile)}** is not running: ${escapeMd(s.message)}\n\n${LINKS}`,
        background: 'error',
        command: 'rwMigrate.showLag',
      };
    case 'stale': {
      const last = s.update ? `The last reading (worst lag ${worstLagText(s.update)}) is more than ${Math.round(s.staleAfterMs / 1000)} s old.` : 'No reading yet.';
      return {
        visible: true,
        text: '$(question) lag unknown',
        tooltip: `RW Migrate replication lag for **${escapeMd(s.profile)}** is unknown: ${escapeMd(s.reason)}\n\n${last}\n\n${RESTART} · ${LINKS}`,
        background: 'warning',
        command: 'rwMigrate.showLag',
      };
    }
    case 'live': {
      const u = s.update;
      if (u.replicas.length === 0) {
        return {
          visible: true,
          text: '$(pulse) no replicas',
          tooltip: `Profile **${escapeMd(u.profile)}** has no replicas to watch.\n\n[Add Replica](command:rwMigrate.addReplica)`,
          background: null,
          command: 'rwMigrate.addReplica',
        };
      }
      const broken = u.replicas.filter((r) => r.state === 'error' && shortCause(r) !== null);
      let text: string;
      if (broken.length === 1) text = `$(error) ${broken[0].name}: ${shortCause(broken[0])}`;
      else if (broken.length > 1) text = `$(error) ${broken.length} replicas`;
      else text = `${u.state === 'error' ? '$(error)' : '$(pulse)'} ${worstLagText(u)}`;
      const header = `**RW Migrate — ${escapeMd(u.profile)}**: worst lag ${worstLagText(u)} (warning above ${t.warnSeconds}s, error above ${t.errorSeconds}s)`;
      return {
        visible: true,
        text,
        tooltip: [header, ...u.replicas.map(replicaLine), LINKS].join('\n\n'),
        background: u.state === 'ok' ? null : u.state,
        command: 'rwMigrate.showLag',
      };
    }
  }
}
