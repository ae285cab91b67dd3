/** The public surface of engine/cutover: ask a running hybrid job to cut over, and the cut-over the job runs. */
export { performCutover, runCutover, CutoverFailedError, type CutoverDeps } from './perform.js';
export { requestCutover, describeCutover, type CutoverWaiting, type RequestCutoverOptions } from './request.js';
export { cutoverDecision, cutoverRefusal, JOB_ALIVE_MS, type CutoverDecision, type CutoverJobRow } from './readiness.js';
export { watchCutover, finishCutover, recordCutoverStep, readCutoverRow, ensureCutoverSchema, CUTOVER_TABLE, type CutoverRow, type CutoverStep, type CutoverRequestState } from './requestStore.js';
export { blockerTriggerName, readOnlyBypassPrivileges } from './block.js';
