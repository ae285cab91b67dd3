/**
 * Runs incremental syncs of finished full copies in the worker (SyncJobRequest): one at a time per
 * job; the request answers with the result when the sync has caught up to the source's position at
 * its start, and events flow meanwhile. An incremental job (watermark column) has no binlog
 * position: the request runs its next increment and answers in the same shape (events = rows
 * upserted, transactions = tables, position null), its log lines as sync-log events.
 *
 * With `from` (a failover source) the sync follows that server as `rw-migrate sync --source` does:
 * the same engine call, its password from `from`, the same refusals.
 */
import type { Connection } from 'vscode-languageserver/node';
import { FOLLOW_OTHER_SERVER_BINLOG_ONLY, syncJob, type SyncResult } from '../engine/cdc/index.js';
import { loadJob, resumeMigration, type JobResult, type ServerSpec } from '../engine/index.js';
import { SyncEventNotification, SyncJobRequest } from '../protocol/index.js';

function asSyncResult(r: JobResult): SyncResult {
  const marks = (r.watermarks ?? []).map((w) => `${w.table}: ${w.rows} rows, mark ${w.mark ?? '(none yet)'}`);
  return {
    jobId: r.jobId,
    state: r.state,
    events: r.rows,
    transactions: r.watermarks?.length ?? 0,
    seconds: r.seconds,
    position: null,
    stopAt: null,
    reconnects: 0,
    ...(r.message ? { message: r.message } : {}),
    ...(r.details || marks.length ? { details: [...(r.details ?? []), ...marks] } : {}),
  };
}

/** Refused before anything ran: the request's usage, not the servers, is wrong. */
function refused(jobId: string, message: string): SyncResult {
  return { jobId, state: 'refused', events: 0, transactions: 0, seconds: 0, position: null, stopAt: null, reconnects: 0, message };
}

async function runIncrement(connection: Connection, jobId: string, source: ServerSpec, target: ServerSpec): Promise<SyncResult> {
  const handle = await resumeMigration(target, jobId, { source: source.password, target: target.password }, {
    onEvent: (e) => {
      if (e.type === 'log') void connection.sendNotification(SyncEventNotification, { type: 'sync-log', jobId, level: e.level, message: e.message });
    },
  });
  return asSyncResult(await handle.done);
}

export function registerSyncHandlers(connection: Connection): void {
  const running = new Set<string>();
  connection.onRequest(SyncJobRequest, async ({ jobId, source, target, from }) => {
    if (running.has(jobId)) throw new Error(`job ${jobId} is already syncing in this worker`);
    running.add(jobId);
    try {
      const job = await loadJob(target, jobId);
      if (job?.spec.mode === 'incremental') {
        if (from) return refused(jobId, `a sync from another server ${FOLLOW_OTHER_SERVER_BINLOG_ONLY}. Nothing was written.`);
        return await runIncrement(connection, jobId, source, target);
      }
      const pw = { source: (from ?? source).password, target: target.password };
      const handle = syncJob(target, jobId, pw, { source: from, onEvent: (e) => void connection.sendNotification(SyncEventNotification, e) });
      return await handle.done;
    } finally {
      running.delete(jobId);
    }
  });
}
