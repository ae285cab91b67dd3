/**
 * Wiring only: build the context, register the trees, the views and the command table, return the
 * API. No I/O here — the worker starts on first use, so activation stays cheap.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands/index.js';
import { createJobs, type JobsController } from './commands/jobs.js';
import { Ctx } from './ctx.js';
import { VerifyClient } from './jobs/verifyClient.js';
import { LagIndicator } from './statusbar/lagIndicator.js';
import { TopologyTree } from './tree/topologyTree.js';
import { DiffPanel } from './panels/diffPanel.js';
import { SqlResultsPanel } from './panels/sqlResultsPanel.js';
import { startWorkerForSqlDocuments } from './ui/sqlDocuments.js';

export interface RwMigrateApi {
  /** How long activate() took; the host suite records it (target: under 100 ms). */
  activationMs: number;
  /** The Topology view's data provider (the host suite reads its children). */
  tree: TopologyTree;
  /** The lag status bar item (the host suite reads what it shows). */
  lag: LagIndicator;
  /** The Jobs view's controller (the host suite starts a job and reads the rows). */
  jobs: JobsController;
}

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): RwMigrateApi {
  const started = performance.now();
  ctx = new Ctx(context);
  const store = ctx.store;
  const lag = ctx.own(new LagIndicator(ctx));
  const tree = ctx.own(new TopologyTree(ctx, store, () => lag.activeProfile));
  ctx.own(vscode.window.registerTreeDataProvider('rwMigrate.topology', tree));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('rwMigrate.profiles') && tree.refresh()));
  ctx.own(lag.onDidUpdate((u) => void tree.applyLag(u)));
  const jobs = createJobs(ctx);
  const verify = ctx.own(new VerifyClient(ctx));
  // After a window reload the diff panel comes back without passwords: it shows the report, and says to run again.
  ctx.own(DiffPanel.register(ctx));
  // Run SQL answers on the first rows; the worker says when the rest is in.
  ctx.own(SqlResultsPanel.register(ctx));
  registerCommands({ ctx, tree, lag, jobs, verify });
  // Resumes watching the remembered profile; async, so activation does not wait for the worker.
  void lag.restart();
  startWorkerForSqlDocuments(ctx);
  const activationMs = performance.now() - started;
  ctx.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, tree, lag, jobs };
}

export function deactivate(): Promise<void> | undefined {
  const ending = ctx?.dispose();
  ctx = undefined;
  return ending;
}
