import * as vscode from 'vscode';
import type { WorkerInfoHostMessage, WorkerInfoPageMessage } from '../protocol/index.js';
import type { Ctx } from '../ctx.js';
import { pingWorker } from '../commands/worker.js';
import { localRoots, webviewHtml } from './html.js';

/** Shows the worker's identity and health; the simplest end-to-end path extension -> worker -> page. */
export class WorkerInfoPanel {
  private static current: WorkerInfoPanel | undefined;

  static show(ctx: Ctx): void {
    if (WorkerInfoPanel.current) {
      WorkerInfoPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('rwMigrate.workerInfo', 'RW Migrate: Worker', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localRoots(ctx.extension.extensionUri),
    });
    WorkerInfoPanel.current = new WorkerInfoPanel(ctx, panel);
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
  ) {
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, { title: 'RW Migrate: Worker', script: 'workerInfo' });
    const sub = panel.webview.onDidReceiveMessage((msg: WorkerInfoPageMessage) => void this.onMessage(msg));
    panel.onDidDispose(() => {
      sub.dispose();
      WorkerInfoPanel.current = undefined;
    });
  }

  private async onMessage(msg: WorkerInfoPageMessage): Promise<void> {
    if (msg.type !== 'ready' && msg.type !== 'refresh') return;
    let reply: WorkerInfoHostMessage;
    try {
      const outcome = await pingWorker(this.ctx);
      reply = { type: 'workerInfo', info: outcome, roundTripMs: outcome.roundTripMs };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`worker ping failed: ${message}`);
      reply = { type: 'error', message };
    }
    void this.panel.webview.postMessage(reply);
  }
}
