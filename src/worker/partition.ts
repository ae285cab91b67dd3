/**
 * The worker's range partitioning handlers: plan (read-only) and run (split or merge, after the
 * extension's modal confirmation), with per-range progress and cancellation through $/cancelRequest.
 */
import type { Connection as RpcConnection } from 'vscode-languageserver/node';
import { RefusedError } from '../engine/index.js';
import { planSplit, runMerge, runSplit, type RunOptions } from '../engine/partition/index.js';
import { PartitionPlanRequest, PartitionProgressNotification, PartitionRunRequest, type PartitionProgress, type PartitionRunSummary } from '../protocol/index.js';

export function registerPartitionHandlers(connection: RpcConnection): void {
  connection.onRequest(PartitionPlanRequest, async (params) => {
    try {
      return { ok: true as const, map: await planSplit(params) };
    } catch (err) {
      return { ok: false as const, refused: err instanceof RefusedError, message: err instanceof Error ? err.message : String(err) };
    }
  });

  connection.onRequest(PartitionRunRequest, async (params, token): Promise<PartitionRunSummary> => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let range = 0;
    const progress = (p: Omit<PartitionProgress, 'runId'>) => void connection.sendNotification(PartitionProgressNotification, { runId: params.runId, ...p });
    const opts: RunOptions = {
      passwords: { forServer: (s) => params.passwords[`${s.host}:${s.port}`] },
      signal: abort.signal,
      onRange: (e) => {
        range = e.range;
        progress({ range: e.range, phase: e.phase, verdict: e.verdict });
      },
      events: {
        onEvent: (e) => {
          if (e.type === 'progress') progress({ range, phase: 'copying', rows: e.rows, totalRows: e.totalRows });
        },
      },
    };
    const res =
      params.direction === 'split'
        ? await runSplit(params.map, opts)
        : params.into
          ? await runMerge(params.map, params.into, opts)
          : { state: 'refused' as const, map: params.map, jobs: [], verdicts: [], message: 'merge needs a table to merge into' };
    return { state: res.state, map: res.map, verdicts: res.verdicts, jobs: res.jobs.map((j) => ({ range: j.range, jobId: j.jobId, state: j.result.state })), message: res.message };
  });
}
