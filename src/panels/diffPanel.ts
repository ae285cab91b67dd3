import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { VerifyReport } from '../engine/verify/types.js';
import type { DiffHostMessage, DiffPageMessage } from '../protocol/index.js';
import { repairSummary } from '../webview-pages/diffView.js';
import { localRoots, webviewHtml } from './html.js';

export interface DiffCallbacks {
  /** Runs verification again with the same spec; the panel shows the new report. */
  verifyAgain(): Promise<VerifyReport | undefined>;
  /** Repairs the tables (after the user confirmed); may return a fresh report to show. */
  repair(tables: string[]): Promise<VerifyReport | undefined | void>;
}

const VIEW_TYPE = 'rwMigrate.diff';

/**
 * The verification report of one source/target database pair. Posts the report on `ready`; Verify
 * Again and Repair go through the callbacks, Repair only after a modal that states the rows and the
 * server written to. After a window reload the page's saved report is shown again; the buttons work
 * when `register` was given a way to rebuild the callbacks.
 */
export class DiffPanel {
  private static readonly open = new Map<string, DiffPanel>();

  static register(ctx: Ctx, callbacksFor?: (report: VerifyReport) => DiffCallbacks | undefined): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const report = (state as { report?: VerifyReport } | undefined)?.report;
        if (!report) {
          panel.dispose();
          return;
        }
        panel.webview.options = { enableScripts: true, localResourceRoots: localRoots(ctx.extension.extensionUri) };
        DiffPanel.attach(ctx, panel, report, callbacksFor?.(report));
      },
    });
  }

  static show(ctx: Ctx, report: VerifyReport, callbacks: DiffCallbacks): DiffPanel {
    const existing = DiffPanel.open.get(DiffPanel.key(report));
    if (existing) {
      existing.callbacks = callbacks;
      existing.setReport(report);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, DiffPanel.title(report), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localRoots(ctx.extension.extensionUri),
    });
    return DiffPanel.attach(ctx, panel, report, callbacks);
  }

  private static attach(ctx: Ctx, panel: vscode.WebviewPanel, report: VerifyReport, callbacks: DiffCallbacks | undefined): DiffPanel {
    const p = new DiffPanel(ctx, panel, report, callbacks);
    DiffPanel.open.set(DiffPanel.key(report), p);
    return p;
  }

  private static key(report: VerifyReport): string {
    return `${report.source}/${report.database} -> ${report.target}/${report.targetDatabase}`;
  }

  private static title(report: VerifyReport): string {
    return `Verify ${report.database}: ${report.clean ? 'clean' : `${report.summary.mismatch} mismatch, ${report.summary.error} error`}`;
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    private report: VerifyReport,
    private callbacks: DiffCallbacks | undefined,
  ) {
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, { title: DiffPanel.title(report), script: 'diff' });
    const sub = panel.webview.onDidReceiveMessage((msg: DiffPageMessage) => void this.onMessage(msg));
    panel.onDidDispose(() => {
      sub.dispose();
      DiffPanel.open.delete(DiffPanel.key(this.report));
    });
  }

  /** Shows a newer report for the same databases. */
  setReport(report: VerifyReport): void {
    this.report = report;
    this.panel.title = DiffPanel.title(report);
    this.post({ type: 'report', report });
  }

  private post(msg: DiffHostMessage): void {
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: DiffPageMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'report', report: this.report });
        return;
      case 'verifyAgain':
        return this.run('Verifying again…', async (cb) => cb.verifyAgain());
      case 'repair': {
        // The page shows no Repair for such a target; a stale page's message is refused here too.
        if (this.report.repairRefusal) {
          void vscode.window.showErrorMessage(this.report.repairRefusal, { modal: true });
          return;
        }
        const tables = msg.tables.filter((t) => this.report.tables.some((v) => v.table === t && v.diff));
        if (tables.length === 0) return;
        const { message, detail } = repairSummary(this.report, tables);
        const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Repair');
        if (choice !== 'Repair') return;
        return this.run(`Repairing ${tables.join(', ')}…`, async (cb) => cb.repair(tables));
      }
    }
  }

  private async run(label: string, work: (cb: DiffCallbacks) => Promise<VerifyReport | undefined | void>): Promise<void> {
    if (!this.callbacks) {
      void vscode.window.showInformationMessage('This report was restored after a reload: run the verification again from the command palette.');
      return;
    }
    this.post({ type: 'busy', busy: true, message: label });
    try {
      const next = await work(this.callbacks);
      if (next) this.setReport(next);
      else this.post({ type: 'busy', busy: false });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`${label} failed: ${message}`);
      this.post({ type: 'busy', busy: false, message: `Failed: ${message}` });
      void vscode.window.showErrorMessage(`${label.replace(/…$/, '')} failed: ${message}`);
    }
  }
}
