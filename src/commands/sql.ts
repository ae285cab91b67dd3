/**
 * Run SQL and Run SQL on Primary: the selection, the statement under the cursor, or a .sql file
 * from the explorer, against the active profile, each statement routed by the worker (primary or
 * the least-lagging healthy replica within rwMigrate.maxStalenessSeconds); the answer opens in the
 * results panel with the server, its lag and the reason.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import type { Ctx } from '../ctx.js';
import { SqlRunRequest } from '../protocol/index.js';
import type { LagIndicator } from '../statusbar/lagIndicator.js';
import { sqlToRun, type SqlPick } from '../ui/sqlToRun.js';
import { savedMaps } from '../ui/partitionMaps.js';
import { SqlResultsPanel } from '../panels/sqlResultsPanel.js';

export interface SqlDeps {
  ctx: Ctx;
  store: ProfileStore;
  lag: LagIndicator;
}

async function pickSql(arg: unknown): Promise<SqlPick | null> {
  if (arg instanceof vscode.Uri) {
    const doc = await vscode.workspace.openTextDocument(arg);
    const sql = doc.getText();
    return sql.trim() ? { sql, what: 'file', start: 0, end: sql.length } : null;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('open a .sql file (or select SQL in an editor) first');
  const doc = editor.document;
  const sel = editor.selection;
  return sqlToRun(doc.getText(), { start: doc.offsetAt(sel.start), end: doc.offsetAt(sel.end) }, doc.offsetAt(sel.active));
}

export async function runSqlCommand({ ctx, store, lag }: SqlDeps, forcePrimary: boolean, arg?: unknown): Promise<void> {
  const name = lag.activeProfile;
  const profile = name ? store.get(name) : undefined;
  if (!profile) {
    const choice = await vscode.window.showErrorMessage('RW Migrate: Run SQL needs an active profile to run against.', 'Set Active Profile');
    if (choice) await vscode.commands.executeCommand('rwMigrate.setActiveProfile');
    return;
  }
  const pick = await pickSql(arg);
  if (!pick) {
    void vscode.window.showWarningMessage('RW Migrate: nothing to run: no SQL statement under the cursor or in the selection.');
    return;
  }
  const primary = await store.ref(profile.name, profile.primary);
  if (primary.password === undefined) {
    const choice = await vscode.window.showErrorMessage(`RW Migrate: no password stored for the primary of ${profile.name}.`, 'Set Password');
    if (choice) await vscode.commands.executeCommand('rwMigrate.setPassword');
    return;
  }
  const replicas = await Promise.all((profile.replicas ?? []).map((r) => store.ref(profile.name, r)));
  const config = vscode.workspace.getConfiguration('rwMigrate');
  // The maps Partition Table by Key Range… saved for this profile (same folder it writes to).
  const root = vscode.workspace.workspaceFolders?.[0]?.uri ?? ctx.extension.globalStorageUri;
  const partitions = await savedMaps(root, profile.name, store);
  const params = {
    profile: profile.name,
    primary,
    replicas,
    sql: pick.sql,
    maxStalenessSeconds: config.get<number>('maxStalenessSeconds', 5),
    causalWaitSeconds: config.get<number>('readYourWritesTimeoutSeconds', 1),
    forcePrimary,
    partitionMaps: partitions.maps,
    partitionServers: partitions.servers,
  };
  const what = pick.what === 'file' ? 'the file' : pick.what === 'selection' ? 'the selection' : 'the statement';
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `RW Migrate: running ${what} on ${profile.name}${forcePrimary ? ' (primary)' : ''}` },
    async () => (await ctx.worker.ready()).sendRequest(SqlRunRequest, params),
  );
  SqlResultsPanel.show(ctx, run);
}
