/**
 * The SQL checks live in the worker, which starts on first use; a .sql document is such a use. This
 * starts the worker when one is open (or opens later), so activation itself stays free of I/O. The
 * language client then sends every open .sql document to the worker by itself.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';

export function startWorkerForSqlDocuments(ctx: Ctx): void {
  const isSql = (d: vscode.TextDocument) => d.languageId === 'sql';
  const start = () => void ctx.worker.ready().catch((err: unknown) => ctx.log.error(`worker for SQL checks: ${err instanceof Error ? err.message : String(err)}`));
  if (vscode.workspace.textDocuments.some(isSql)) {
    start();
    return;
  }
  const listener = vscode.workspace.onDidOpenTextDocument((d) => {
    if (!isSql(d)) return;
    listener.dispose();
    start();
  });
  ctx.own(listener);
}
