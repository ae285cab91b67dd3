/**
 * The Jobs view: one row per copy job (running, paused, finished, failed), rendered from JobsModel.
 * Progress sits in the description; what a row allows sits in its context value for the inline
 * pause/resume/cancel actions. The first look at the view asks the controller for a listing.
 */
import * as vscode from 'vscode';
import type { JobState } from '../engine/jobs/types.js';
import { describeRow, rowContext, summarizeRow, type JobsModel } from './jobsModel.js';

const ICONS: Record<JobState, [string, string | undefined]> = {
  planning: ['loading~spin', undefined],
  copying: ['sync~spin', undefined],
  paused: ['debug-pause', 'problemsWarningIcon.foreground'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'problemsErrorIcon.foreground'],
  refused: ['error', 'problemsErrorIcon.foreground'],
  cancelled: ['circle-slash', undefined],
};

/**
 * Elements are job ids, not rows: rows are replaced on every event, and a context-menu command must
 * still find its element while a busy job refreshes. Progress refreshes only that job's item (a root
 * refresh drops VS Code's element handles, and a right-click in between reached the command without
 * its row); additions, removals and finishes refresh the whole list (order: active first).
 */
export class JobsTree implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };
  private listed = false;
  /** Ids in the last root listing. */
  private shown = new Set<string>();

  constructor(
    private readonly model: JobsModel,
    /** Fetches the listing (ListJobs); called on the first look at the view. */
    private readonly load: () => Promise<void>,
  ) {
    this.subscription = model.onChange((change) => {
      const id = change.kind === 'event' ? change.event.jobId : undefined;
      this.changed.fire(id && this.shown.has(id) ? id : undefined);
    });
  }

  getChildren(id?: string): string[] {
    if (id) return [];
    if (!this.listed) {
      this.listed = true;
      void this.load();
    }
    const ids = this.model.list().map((r) => r.id);
    this.shown = new Set(ids);
    return ids;
  }

  getTreeItem(id: string): vscode.TreeItem {
    const row = this.model.get(id);
    if (!row) return new vscode.TreeItem(`job ${id}`, vscode.TreeItemCollapsibleState.None);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `job/${row.id}`;
    item.description = describeRow(row);
    item.tooltip = summarizeRow(row);
    item.contextValue = rowContext(row);
    const [icon, color] = ICONS[row.view.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.command = { title: 'Open Progress', command: 'rwMigrate.openJobProgress', arguments: [row] };
    item.accessibilityInformation = { label: `Job ${row.label}: ${describeRow(row)}` };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
