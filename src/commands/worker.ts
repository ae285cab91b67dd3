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
