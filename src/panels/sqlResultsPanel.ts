import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import {
  SqlExportRequest, SqlResultDoneNotification, SqlRowsRequest, type SqlResultDone, type SqlResultsHostMessage, type SqlResultsPageMessage, type SqlRunResult,
} from '../protocol/index.js';
import { applyDone } from '../webview-pages/sqlResultsView.js';
import { localRoots, webviewHtml } from './html.js';

const VIEW_TYPE = 'rwMigrate.sqlResults';

/**
 * The results of the last Run SQL, one panel reused for every run. The rows stay in the worker:
 * the page asks for ranges as the grid scrolls and the panel relays them (SqlRowsRequest); Export
 * asks for a file and has the worker write it. The panel is not restored after a window reload:
 * the worker (and its kept results) restart with the window.
 *
 * A run answered on its last statement's first rows (complete: false) is completed by the worker's
 * SqlResultDoneNotification, relayed to the page; the panel keeps its copy of the run current so a
 * page that reloads (hidden and shown again) gets the final state.
 *
 * CSP: the shared shell's (html.ts): nonce'd script, `style-src` the webview's own origin only.
 * Tabulator positions rows and sizes columns through the CSSOM (element.style), which the CSP does
 * not govern, and its stylesheet is adopted as a constructed sheet: no 'unsafe-inline' is needed
 * (the page test checks for CSP violations).
 */
export class SqlResultsPanel {
  private static current: SqlResultsPanel | undefined;
  /** Completions that came before the panel showed their run: the answer and the notification race to the host. */
  private static readonly unclaimed = new Map<string, SqlResultDone>();

  /** Listens for result completions from each worker process (renewed when the worker restarts). */
  static register(ctx: Ctx): vscode.Disposable {
    return ctx.worker.onDidStart((scope) => scope.own(scope.client.onNotification(SqlResultDoneNotification, (done) => SqlResultsPanel.resultDone(done))));
  }

  private static resultDone(done: SqlResultDone): void {
    const current = SqlResultsPanel.current;
    const next = current ? applyDone(current.run, done) : null;
    if (current && next) {
      current.run = next;
      current.post({ type: 'resultDone', done });
      return;
    }
    SqlResultsPanel.unclaimed.set(done.resultId, done);
    // Only the latest few matter: a run's answer is shown right after it arrives.
    while (SqlResultsPanel.unclaimed.size > 12) SqlResultsPanel.unclaimed.delete(SqlResultsPanel.unclaimed.keys().next().value as string);
  }

  static show(ctx: Ctx, shown: SqlRunResult): void {
    let run = shown;
    for (const s of shown.statements) {
      const done = s.resultId ? SqlResultsPanel.unclaimed.get(s.resultId) : undefined;
      if (!done) continue;
      SqlResultsPanel.unclaimed.delete(done.resultId);
      run = applyDone(run, done) ?? run;
    }
    const existing = SqlResultsPanel.current;
    if (existing) {
      existing.setRun(run);
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, SqlResultsPanel.title(run), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: localRoots(ctx.extension.extensionUri),
    });
    SqlResultsPanel.current = new SqlResultsPanel(ctx, panel, run);
  }

  private static title(run: SqlRunResult): string {
    return `SQL Results: ${run.profile}`;
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    private run: SqlRunResult,
  ) {
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, { title: SqlResultsPanel.title(run), script: 'sqlResults' });
    const sub = panel.webview.onDidReceiveMessage((msg: SqlResultsPageMessage) => void this.onMessage(msg));
    panel.onDidDispose(() => {
      sub.dispose();
      if (SqlResultsPanel.current === this) SqlResultsPanel.current = undefined;
    });
  }

  private setRun(run: SqlRunResult): void {
    this.run = run;
    this.panel.title = SqlResultsPanel.title(run);
    this.post({ type: 'run', run });
  }

  private post(msg: SqlResultsHostMessage): void {
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: SqlResultsPageMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'run', run: this.run });
        return;
      case 'rows':
        try {
          const client = await this.ctx.worker.ready();
          const answer = await client.sendRequest(SqlRowsRequest, { resultId: msg.resultId, offset: msg.offset, limit: msg.limit });
          this.post({ type: 'rows', requestId: msg.requestId, resultId: msg.resultId, offset: answer.offset, rows: answer.rows });
        } catch (err) {
          this.post({ type: 'rowsError', requestId: msg.requestId, message: err instanceof Error ? err.message : String(err) });
        }
        return;
      case 'export':
        return this.export(msg.resultId, msg.format);
    }
  }

  private async export(resultId: string, format: 'csv' | 'json'): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `result.${format}`;
    const target = await vscode.window.showSaveDialog({
      title: `Export the result as ${format.toUpperCase()}`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return;
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage(`RW Migrate: export writes local files only; ${target.toString()} is not one.`);
      return;
    }
    try {
      const client = await this.ctx.worker.ready();
      const { rows, bytes } = await client.sendRequest(SqlExportRequest, { resultId, format, path: target.fsPath });
      void vscode.window.showInformationMessage(`Exported ${rows.toLocaleString('en-US')} rows (${(bytes / 1024).toFixed(0)} KB) to ${target.fsPath}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`export failed: ${message}`);
      void vscode.window.showErrorMessage(`RW Migrate: export failed: ${message}`);
    }
  }
}
