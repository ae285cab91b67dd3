/**
 * The replication-lag status bar item for the active profile. The worker polls and pushes
 * `lagUpdate` notifications (rust-analyzer's server-fed status model); this side only chooses the
 * profile, hands over the passwords for the session, slows polling while the window is unfocused
 * and renders what arrives.
 *
 * The polling session belongs to one worker process: its handler lives in that worker's scope, and
 * a restarted worker (a crash, Restart Worker) is sent the session again. A reading older than a few
 * poll intervals is shown as unknown, so a dead worker never leaves an old "ok" on the status bar.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { WorkerScope } from '../workerClient.js';
import { DEFAULT_THRESHOLDS } from '../engine/lag/lagState.js';
import type { LagThresholds, LagUpdate } from '../engine/topology/types.js';
import { LagUpdateNotification, SetLagPollingIntervalRequest, StartLagPollingRequest, StopLagPollingRequest } from '../protocol/index.js';
import { isStale, lagStatusView, staleAfterMs, type LagIndicatorState } from './lagStatusView.js';

const ACTIVE_KEY = 'rwMigrate.activeProfile';

interface LagSettings {
  thresholds: LagThresholds;
  intervalMs: number;
  unfocusedIntervalMs: number;
  heartbeatIntervalMs: number;
}

function settings(): LagSettings {
  const c = vscode.workspace.getConfiguration('rwMigrate.lag');
  return {
    thresholds: { warnSeconds: c.get('warnSeconds', DEFAULT_THRESHOLDS.warnSeconds), errorSeconds: c.get('errorSeconds', DEFAULT_THRESHOLDS.errorSeconds) },
    intervalMs: Math.max(100, c.get('pollIntervalMs', 1000)),
    unfocusedIntervalMs: Math.max(1000, c.get('unfocusedPollIntervalMs', 10_000)),
    heartbeatIntervalMs: Math.max(50, c.get('heartbeatIntervalMs', 200)),
  };
}

export class LagIndicator implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rwMigrate.lag', vscode.StatusBarAlignment.Left, 50);
  private readonly updates = new vscode.EventEmitter<LagUpdate | null>();
  /** Fires with each update of the active profile, and null when polling stops. */
  readonly onDidUpdate = this.updates.event;
  private state: LagIndicatorState = { kind: 'inactive' };
  private generation = 0;
  /** A session was sent to a worker: a restarted worker gets it again. */
  private polling = false;
  private rendered = '';
  /** When the last update of the active profile arrived (this side's clock). */
  private receivedAt = 0;
  /** When the poll interval last changed (focus): the first reading at the new pace is not late yet. */
  private intervalChangedAt = 0;
  private readonly staleTimer: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'RW Migrate: Replication Lag';
    this.disposables.push(
      this.item,
      this.updates,
      vscode.window.onDidChangeWindowState((e) => void this.onFocus(e.focused)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rwMigrate.lag') || e.affectsConfiguration('rwMigrate.profiles')) void this.restart();
      }),
      ctx.worker.onDidStart((scope) => this.onWorkerStart(scope)),
      ctx.worker.onDidStop(() => this.markStale('the worker stopped; it restarts by itself (or use Restart Worker)')),
    );
    // Cheap (no I/O): compares two numbers a second, so a reading that stops coming turns to unknown.
    this.staleTimer = setInterval(() => this.checkStale(), 1000);
    this.render();
  }

  private get store() {
    return this.ctx.store;
  }

  /** The poll interval in force now (slower while the window is unfocused). */
  private intervalMs(): number {
    const s = settings();
    return vscode.window.state.focused ? s.intervalMs : s.unfocusedIntervalMs;
  }

  /** Each worker process gets its own handler, and, when a session was running, the session again. */
  private onWorkerStart(scope: WorkerScope): void {
    scope.own(scope.client.onNotification(LagUpdateNotification, (u) => this.onUpdate(u)));
    if (this.polling) {
      this.ctx.log.info('worker (re)started: sending the lag polling session again');
      void this.restart();
    }
  }

  private checkStale(): void {
    if (this.state.kind === 'live' && isStale(Math.max(this.receivedAt, this.intervalChangedAt), Date.now(), this.intervalMs())) {
      this.markStale(`no reading for more than ${Math.round(staleAfterMs(this.intervalMs()) / 1000)} s`);
    }
  }

  private markStale(reason: string): void {
    const s = this.state;
    if (s.kind !== 'live' && s.kind !== 'starting') return;
    const profile = s.kind === 'live' ? s.update.profile : s.profile;
    this.set({ kind: 'stale', update: s.kind === 'live' ? s.update : null, profile, staleAfterMs: staleAfterMs(this.intervalMs()), reason });
  }

  get activeProfile(): string | undefined {
    return this.ctx.extension.workspaceState.get<string>(ACTIVE_KEY);
  }

  get latest(): LagUpdate | null {
    return this.state.kind === 'live' ? this.state.update : null;
  }

  get view() {
    return lagStatusView(this.state, settings().thresholds);
  }

  async setActive(name: string | undefined): Promise<void> {
    await this.ctx.extension.workspaceState.update(ACTIVE_KEY, name);
    await this.restart();
  }

  /** (Re)starts polling for the active profile, or stops when there is none. */
  async restart(): Promise<void> {
    const gen = ++this.generation;
    const name = this.activeProfile;
    const profile = name ? this.store.get(name) : undefined;
    if (!profile) {
      await this.stopPolling();
      if (name) await this.ctx.extension.workspaceState.update(ACTIVE_KEY, undefined);
      this.set(this.store.all().length === 0 ? { kind: 'no-profiles' } : { kind: 'inactive' });
      return;
    }
    // After a worker restart the old reading stays "unknown" until the new worker's first one arrives.
    if (!(this.state.kind === 'stale' && this.state.profile === profile.name)) this.set({ kind: 'starting', profile: profile.name });
    const s = settings();
    try {
      const client = await this.ctx.worker.ready();
      const primary = await this.store.ref(profile.name, profile.primary);
      const replicas = await Promise.all((profile.replicas ?? []).map((r) => this.store.ref(profile.name, r)));
      if (gen !== this.generation) return;
      const focused = vscode.window.state.focused;
      await client.sendRequest(StartLagPollingRequest, {
        profile: profile.name,
        primary,
        replicas,
        intervalMs: focused ? s.intervalMs : s.unfocusedIntervalMs,
        thresholds: s.thresholds,
        heartbeat: profile.heartbeat ? { database: profile.heartbeat.database, intervalMs: focused ? s.heartbeatIntervalMs : s.unfocusedIntervalMs } : undefined,
      });
      this.polling = true;
    } catch (err) {
      if (gen !== this.generation) return;
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`lag polling for ${profile.name} failed to start: ${message}`);
      this.set({ kind: 'failed', profile: profile.name, message });
    }
  }

  private onUpdate(u: LagUpdate): void {
    if (u.profile !== this.activeProfile) return;
    this.receivedAt = Date.now();
    this.set({ kind: 'live', update: u });
  }

  private async onFocus(focused: boolean): Promise<void> {
    this.intervalChangedAt = Date.now();
    if (!this.polling) return;
    const s = settings();
    const client = await this.ctx.worker.ready();
    await client
      .sendRequest(SetLagPollingIntervalRequest, {
        intervalMs: focused ? s.intervalMs : s.unfocusedIntervalMs,
        heartbeatIntervalMs: focused ? s.heartbeatIntervalMs : s.unfocusedIntervalMs,
      })
      .catch((err: unknown) => this.ctx.log.warn(`lag interval change failed: ${String(err)}`));
  }

  private async stopPolling(): Promise<void> {
    if (!this.polling) return;
    this.polling = false;
    try {
      const client = await this.ctx.worker.ready();
      await client.sendRequest(StopLagPollingRequest);
    } catch (err) {
      this.ctx.log.warn(`stopping lag polling failed: ${String(err)}`);
    }
  }

  private set(state: LagIndicatorState): void {
    this.state = state;
    this.render();
    this.updates.fire(state.kind === 'live' ? state.update : null);
  }

  private render(): void {
    const v = this.view;
    // Polls repeat the same view every second: re-sending it to the item re-renders it and closes the
    // tooltip a person is reading, so only a changed view goes out.
    const key = JSON.stringify(v);
    if (key === this.rendered) return;
    this.rendered = key;
    this.item.text = v.text;
    const md = new vscode.MarkdownString(v.tooltip, true);
    md.isTrusted = { enabledCommands: ['rwMigrate.showLag', 'rwMigrate.setActiveProfile', 'rwMigrate.refresh', 'rwMigrate.addReplica', 'rwMigrate.restartWorker'] };
    this.item.tooltip = md;
    this.item.command = v.command;
    this.item.backgroundColor = v.background ? new vscode.ThemeColor(`statusBarItem.${v.background}Background`) : undefined;
    if (v.visible) this.item.show();
    else this.item.hide();
  }

  /** The worker stops with the context (its polling ends with it): asking it to stop would restart it. */
  dispose(): void {
    this.polling = false;
    clearInterval(this.staleTimer);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
