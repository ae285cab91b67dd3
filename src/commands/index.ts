import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { TopologyTree } from '../tree/topologyTree.js';
import { registerUserPaths } from '../ui/userPaths.js';
import { WorkerInfoPanel } from '../panels/workerInfoPanel.js';
import { pingWorker } from './worker.js';

/** The command table: each entry is a thin adapter from a command id to the code that does the work. */
export function registerCommands(ctx: Ctx, tree: TopologyTree, topology: Record<string, (...args: unknown[]) => unknown> = {}): void {
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    ...topology,
    'rwMigrate.refresh': () => tree.refresh(),
    'rwMigrate.showWorkerInfo': () => WorkerInfoPanel.show(ctx),
    'rwMigrate.pingWorker': () => pingWorker(ctx),
    'rwMigrate.showLog': () => ctx.log.show(),
  };
  for (const [id, handler] of Object.entries(commands)) {
    ctx.own(vscode.commands.registerCommand(id, handler));
  }
  registerUserPaths(ctx);
}
