/**
 * The replication-lag status bar item for the active profile. The worker polls and pushes
 * `lagUpdate` notifications (rust-analyzer's server-fed status model); this side only chooses the
 * profile, hands over the passwords for the session, slows polling while the window is unfocused
 * and renders what arrives.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import type { Ctx } from '../ctx.js';
import { DEFAULT_THRESHOLDS } from '../engine/lag/lagState.js';
import type { LagThresholds, LagUpdate } from '../engine/topology/types.js';
import { LagUpdateNotification, SetLagPollingIntervalRequest, StartLagPollingRequest, StopLagPollingRequest } from '../protocol/index.js';
import { lagStatusView, type LagIndicatorState } from './lagStatusView.js';

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
  private subscribed: unknown = null;
  private generation = 0;
  private polling = false;
  private rendered = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly store: ProfileStore,
  ) {
    this.item.name = 'RW Migrate: Replication Lag';
    this.disposables.push(
      this.item,
      this.updates,
      vscode.window.onDidChangeWindowState((e) => void this.onFocus(e.focused)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rwMigrate.lag') || e.affectsConfiguration('rwMigrate.profiles')) void this.restart();
      }),
    );
    this.render();
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
    this.set({ kind: 'starting', profile: profile.name });
    const s = settings();
    try {
      const client = await this.ctx.worker.ready();
      if (this.subscribed !== client) {
        this.subscribed = client;
        this.disposables.push(client.onNotification(LagUpdateNotification, (u) => this.onUpdate(u)));
      }
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
    this.set({ kind: 'live', update: u });
  }

  private async onFocus(focused: boolean): Promise<void> {
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
    md.isTrusted = { enabledCommands: ['rwMigrate.showLag', 'rwMigrate.setActiveProfile', 'rwMigrate.refresh', 'rwMigrate.addReplica'] };
    this.item.tooltip = md;
    this.item.command = v.command;
    this.item.backgroundColor = v.background ? new vscode.ThemeColor(`statusBarItem.${v.background}Background`) : undefined;
    if (v.visible) this.item.show();
    else this.item.hide();
  }

  /** The worker stops with the context (its polling ends with it): asking it to stop would restart it. */
  dispose(): void {
    this.polling = false;
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
