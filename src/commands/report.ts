import * as vscode from 'vscode';
import { reportJson, reportMarkdown } from '../engine/jobs/report.js';
import type { JobRecord } from '../engine/jobs/jobRecord.js';

/**
 * Writes `.rw-migrate/reports/<jobId>.md` and `.json` into the first workspace folder and opens the
 * Markdown. Returns the two files, or undefined when no folder is open (the user is told).
 */
export async function exportReport(record: JobRecord): Promise<{ markdown: vscode.Uri; json: vscode.Uri } | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder to save the migration report into.');
    return undefined;
  }
  const dir = vscode.Uri.joinPath(folder.uri, '.rw-migrate', 'reports');
  await vscode.workspace.fs.createDirectory(dir);
  const safeId = record.jobId.replace(/[^\w.-]/g, '_');
  const markdown = vscode.Uri.joinPath(dir, `${safeId}.md`);
  const json = vscode.Uri.joinPath(dir, `${safeId}.json`);
  const enc = new TextEncoder();
  // JSON first: the Markdown is the file a person (or a script watching the folder) waits for.
  await vscode.workspace.fs.writeFile(json, enc.encode(`${JSON.stringify(reportJson(record), null, 2)}\n`));
  await vscode.workspace.fs.writeFile(markdown, enc.encode(reportMarkdown(record)));
  await vscode.window.showTextDocument(markdown, { preview: false });
  return { markdown, json };
}

/** The command handler: `rwMigrate.exportReport` with a job id (or a pick among the known jobs). */
export function exportReportCommand(records: { jobIds(): string[]; record(jobId: string): JobRecord | undefined }) {
  return async (jobId?: unknown): Promise<void> => {
    let id = typeof jobId === 'string' ? jobId : undefined;
    if (!id) {
      const ids = records.jobIds();
      if (ids.length === 0) {
        void vscode.window.showInformationMessage('No copy job in this window yet.');
        return;
      }
      id = ids.length === 1 ? ids[0] : await vscode.window.showQuickPick(ids, { placeHolder: 'Job to report on' });
    }
    const record = id ? records.record(id) : undefined;
    if (!record) return;
    await exportReport(record);
  };
}
