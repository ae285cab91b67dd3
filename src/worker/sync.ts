/**
 * Runs incremental syncs of finished full copies in the worker (SyncJobRequest): one at a time per
 * job; the request answers with the result when the sync has caught up to the source's position at
 * its start, and events flow meanwhile.
 */
import type { Connection } from 'vscode-languageserver/node';
import { syncJob } from '../engine/cdc/index.js';
import { SyncEventNotification, SyncJobRequest } from '../protocol/index.js';

export function registerSyncHandlers(connection: Connection): void {
  const running = new Set<string>();
  connection.onRequest(SyncJobRequest, async ({ jobId, source, target }) => {
    if (running.has(jobId)) throw new Error(`job ${jobId} is already syncing in this worker`);
    running.add(jobId);
    try {
      const handle = syncJob(target, jobId, { source: source.password, target: target.password }, { onEvent: (e) => void connection.sendNotification(SyncEventNotification, e) });
      return await handle.done;
    } finally {
      running.delete(jobId);
    }
  });
}
