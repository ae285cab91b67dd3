/**
 * Wiring only: build the context, register the tree and commands, return the API. No I/O here —
 * the worker starts on first use, so activation stays cheap.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands/index.js';
import { registerSqlCommands } from './commands/sql.js';
import { topologyCommands } from './commands/topologyTable.js';
import { ProfileStore } from './connections/profiles.js';
import { Ctx } from './ctx.js';
import { LagIndicator } from './statusbar/lagIndicator.js';
import { TopologyTree } from './tree/topologyTree.js';

export interface RwMigrateApi {
  /** How long activate() took; the host suite records it (target: under 100 ms). */
  activationMs: number;
  /** The Topology view's data provider (the host suite reads its children). */
  tree: TopologyTree;
}

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): RwMigrateApi {
  const started = performance.now();
  ctx = new Ctx(context);
  const store = new ProfileStore(context.secrets);
  const lag = ctx.own(new LagIndicator(ctx, store));
  const tree = ctx.own(new TopologyTree(ctx, store, () => lag.activeProfile));
  ctx.own(vscode.window.registerTreeDataProvider('rwMigrate.topology', tree));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('rwMigrate.profiles') && tree.refresh()));
  ctx.own(lag.onDidUpdate((u) => void tree.applyLag(u)));
  registerCommands(ctx, tree, topologyCommands({ ctx, store, tree, lag }));
  registerSqlCommands({ ctx, store, lag });
  // Resumes watching the remembered profile; async, so activation does not wait for the worker.
  void lag.restart();
  const activationMs = performance.now() - started;
  ctx.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, tree };
}

export function deactivate(): Promise<void> | undefined {
  const ending = ctx?.dispose();
  ctx = undefined;
  return ending;
}
