import * as vscode from 'vscode';
import { PingRequest, type PingResult } from '../protocol/index.js';
import type { Ctx } from '../ctx.js';

export interface PingOutcome extends PingResult {
  roundTripMs: number;
}

/** Round-trips a request through the worker process: the cheapest proof the worker is alive. */
export async function pingWorker(ctx: Ctx): Promise<PingOutcome> {
  const client = await ctx.worker.ready();
  const sentAt = Date.now();
  const result = await client.sendRequest(PingRequest, { sentAt });
  return { ...result, roundTripMs: Date.now() - sentAt };
}

/**
 * RW Migrate: Restart Worker. A new worker process on the same client: running copy jobs stop (their
 * checkpoint keeps them resumable), and every per-worker subscription and the lag session renew.
 */
export async function restartWorker(ctx: Ctx): Promise<PingOutcome> {
  await ctx.worker.restart();
  const outcome = await pingWorker(ctx);
  ctx.log.info(`worker restarted: pid ${outcome.pid}`);
  void vscode.window.showInformationMessage(`RW Migrate: the worker restarted (process ${outcome.pid}).`);
  return outcome;
}
