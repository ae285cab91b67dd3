import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { SqlExportRequest, SqlRowsRequest, type SqlResultsHostMessage, type SqlResultsPageMessage, type SqlRunResult } from '../protocol/index.js';
import { localRoots, webviewHtml } from './html.js';

const VIEW_TYPE = 'rwMigrate.sqlResults';

/**
 * The results of the last Run SQL, one panel reused for every run. The rows stay in the worker:
 * the page asks for ranges as the grid scrolls and the panel relays them (SqlRowsRequest); Export
 * asks for a file and has the worker write it. The panel is not restored after a window reload:
 * the worker (and its kept results) restart with the window.
 *
 * CSP: the shared shell's (html.ts): nonce'd script, `style-src` the webview's own origin only.
 * Tabulator positions rows and sizes columns through the CSSOM (element.style), which the CSP does
 * not govern, and its stylesheet is adopted as a constructed sheet: no 'unsafe-inline' is needed
 * (the page test checks for CSP violations).
 */
export class SqlResultsPanel {
  private static current: SqlResultsPanel | undefined;

  static show(ctx: Ctx, run: SqlRunResult): void {
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
