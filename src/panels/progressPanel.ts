import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { JobProgressStore } from '../jobs/progressStore.js';
import type { JobAction, ProgressHostMessage, ProgressPageMessage, ProgressSnapshot } from '../protocol/index.js';
import type { JobMode } from '../engine/jobs/types.js';
import { localRoots, webviewHtml } from './html.js';

export interface ProgressPanelDeps {
  store: JobProgressStore;
  /** Steers the job in the worker (JobControlRequest). */
  control(jobId: string, action: JobAction): Promise<{ ok: boolean; message?: string }>;
  /** Cut Over for a hybrid job: the host's modal, the request and its outcome (never rejects). */
  cutover(jobId: string): Promise<void>;
}

const VIEW_TYPE = 'rwMigrate.progress';

/** Panel titles by mode ("Copy" is what a full copy's tab has always said). */
const TITLE: Record<JobMode, string> = { full: 'Copy', incremental: 'Incremental', hybrid: 'Hybrid' };

/** The state the page keeps with setState; the serializer reads the job id from it after a reload. */
interface PersistedState {
  snapshot?: ProgressSnapshot;
}

/**
 * One progress panel per copy job. Listens to the job's coalesced updates in the store, replays the
 * whole state when the page says `ready` (first open, reopen, reload), and forwards Pause / Resume /
 * Cancel to the worker through `deps.control`.
 */
export class ProgressPanel {
  private static readonly open = new Map<string, ProgressPanel>();
  private static deps: ProgressPanelDeps | undefined;

  /** Once at activation: the store and the control function, and the serializer for window reloads. */
  static register(ctx: Ctx, deps: ProgressPanelDeps): vscode.Disposable {
    ProgressPanel.deps = deps;
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const jobId = (state as PersistedState | undefined)?.snapshot?.jobId;
        if (!jobId || ProgressPanel.open.has(jobId)) {
          panel.dispose();
          return;
        }
        ProgressPanel.attach(ctx, panel, jobId);
      },
    });
  }

  static show(ctx: Ctx, jobId: string): void {
    const existing = ProgressPanel.open.get(jobId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, ProgressPanel.title(jobId), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: localRoots(ctx.extension.extensionUri),
    });
    ProgressPanel.attach(ctx, panel, jobId);
  }

  /** "Copy <id>" for a full copy, "Hybrid <id>" or "Incremental <id>" by the job's mode. */
  private static title(jobId: string): string {
    return `${TITLE[ProgressPanel.deps?.store.view(jobId)?.mode ?? 'full']} ${jobId}`;
  }

  private static attach(ctx: Ctx, panel: vscode.WebviewPanel, jobId: string): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: localRoots(ctx.extension.extensionUri) };
    ProgressPanel.open.set(jobId, new ProgressPanel(ctx, panel, jobId));
  }

  private ready = false;
  private readonly subs: vscode.Disposable[] = [];

  private constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    private readonly jobId: string,
  ) {
    panel.title = ProgressPanel.title(jobId);
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, { title: panel.title, script: 'progress' });
    this.subs.push(panel.webview.onDidReceiveMessage((msg: ProgressPageMessage) => void this.onMessage(msg)));
    const store = ProgressPanel.deps?.store;
    if (store) this.subs.push(store.subscribe(jobId, (msg) => this.post(msg)));
    panel.onDidDispose(() => {
      for (const s of this.subs.splice(0)) s.dispose();
      ProgressPanel.open.delete(jobId);
    });
  }

  private post(msg: ProgressHostMessage): void {
    // Nothing before the handshake: the page would drop it, and `ready` replays the whole state anyway.
    if (!this.ready) return;
    // A job resumed from its checkpoint sends updates again after its finish: drop the finished title.
    const name = `${TITLE[msg.snapshot.mode ?? 'full']} ${this.jobId}`;
    this.panel.title = msg.type === 'finished' ? `${name}: ${msg.result.state}` : name;
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: ProgressPageMessage): Promise<void> {
    if (msg.type === 'ready') {
      this.ready = true;
      const replay = ProgressPanel.deps?.store.replay(this.jobId);
      if (replay) void this.panel.webview.postMessage(replay);
      return;
    }
    const deps = ProgressPanel.deps;
    if (!deps) return;
    if (msg.type === 'cutover') {
      await deps.cutover(this.jobId);
      const replay = deps.store.replay(this.jobId);
      if (replay) void this.panel.webview.postMessage(replay); // re-enables the button when the job is still in sync
      return;
    }
    if (msg.type !== 'pause' && msg.type !== 'resume' && msg.type !== 'cancel') return;
    if (msg.type === 'cancel') {
      const choice = await vscode.window.showWarningMessage(
        `Cancel copy job ${this.jobId}? Rows already copied stay on the target; the job can be resumed from its checkpoint.`,
        { modal: true },
        'Cancel Job',
      );
      if (choice !== 'Cancel Job') {
        const replay = deps.store.replay(this.jobId);
        if (replay) void this.panel.webview.postMessage(replay); // re-enables the button
        return;
      }
    }
    try {
      const outcome = await deps.control(this.jobId, msg.type);
      if (!outcome.ok) void vscode.window.showErrorMessage(`Could not ${msg.type} job ${this.jobId}: ${outcome.message ?? 'refused by the worker'}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`job ${this.jobId} ${msg.type} failed: ${message}`);
      void vscode.window.showErrorMessage(`Could not ${msg.type} job ${this.jobId}: ${message}`);
    }
    const replay = deps.store.replay(this.jobId);
    if (replay) void this.panel.webview.postMessage(replay);
  }
}
