/**
 * The editor's Cut Over button (CutoverJobRequest): asks the running hybrid job, in this worker or
 * in another process, through the request row on its target, and answers with the job's outcome.
 * The job does the cut-over and reports its steps as its own `cutover` progress events.
 */
import type { Connection } from 'vscode-languageserver/node';
import { requestCutover } from '../engine/cutover/index.js';
import { CutoverJobRequest } from '../protocol/index.js';

/** Long enough for a lagging target to catch up after the block and for verification; the job's own limits apply first. */
const ANSWER_TIMEOUT_MS = 15 * 60_000;

export function registerCutoverHandlers(connection: Connection): void {
  connection.onRequest(CutoverJobRequest, ({ jobId, target, block }) => requestCutover(target, jobId, block, { timeoutMs: ANSWER_TIMEOUT_MS }));
}
