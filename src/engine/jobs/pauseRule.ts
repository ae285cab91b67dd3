/**
 * Whether a running job may be paused in its phase: pure, so the engine (which ignores a pause it
 * cannot honour), the worker (which answers the request) and the editor (which offers the action)
 * say the same thing. A cut-over in progress holds writes blocked on the source: pausing it would
 * keep them blocked, so it must finish (done, or failed and following the source again) first.
 */
import type { JobPhaseName } from './types.js';

/** Why job `jobId` in `phase` cannot be paused now, or null when it can. */
export function pauseRefusal(jobId: string, phase: JobPhaseName | undefined): string | null {
  if (phase === 'cutting-over') {
    return (
      `Job ${jobId} is cutting over and cannot be paused: a cut-over in progress must finish (writes are blocked on the source meanwhile). ` +
      'If it fails the job follows the source again and can be paused then.'
    );
  }
  if (phase === 'done') return `Job ${jobId} is done: there is nothing to pause.`;
  return null;
}
