import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { LagHostMessage, LagPageMessage } from '../protocol/index.js';
import type { LagIndicator } from '../statusbar/lagIndicator.js';
import { DEFAULT_THRESHOLDS } from '../engine/lag/lagState.js';
import { localRoots, webviewHtml } from './html.js';

/** A live chart of each replica's recent lag; it posts nothing until the page says `ready`. */
export class LagPanel {
  private static current: LagPanel | undefined;
  private ready = false;

  static show(ctx: Ctx, lag: LagIndicator): void {
    if (LagPanel.current) {
      LagPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('rwMigrate.lag', 'RW Migrate: Replication Lag', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localRoots(ctx.extension.extensionUri),
    });
    LagPanel.current = new LagPanel(ctx, panel, lag);
  }

  private constructor(
    ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    private readonly lag: LagIndicator,
  ) {
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, { title: 'RW Migrate: Replication Lag', script: 'lag' });
    const subs = [
      panel.webview.onDidReceiveMessage((msg: LagPageMessage) => {
        if (msg.type !== 'ready') return;
        this.ready = true;
        this.post();
      }),
      lag.onDidUpdate(() => this.post()),
    ];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      LagPanel.current = undefined;
    });
  }

  private post(): void {
    if (!this.ready) return;
    const update = this.lag.latest;
    const c = vscode.workspace.getConfiguration('rwMigrate.lag');
    const thresholds = { warnSeconds: c.get('warnSeconds', DEFAULT_THRESHOLDS.warnSeconds), errorSeconds: c.get('errorSeconds', DEFAULT_THRESHOLDS.errorSeconds) };
    const msg: LagHostMessage = update ? { type: 'lag', update, thresholds } : { type: 'idle', message: 'No active profile or no sample yet.' };
    void this.panel.webview.postMessage(msg);
  }
}
