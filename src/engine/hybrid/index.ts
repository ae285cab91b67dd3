/** The public surface of engine/hybrid: the hybrid job (snapshot, then the change stream until a cut-over). */
export { startHybridJob } from './hybridJob.js';
export {
  behindSecondsOf,
  nextStreamPhase,
  phaseRule,
  startPhase,
  DEFAULT_FALL_BEHIND_GRACE_MS,
  DEFAULT_SYNC_THRESHOLD_SECONDS,
  type PhaseRule,
  type StreamPhase,
  type StreamPhaseState,
} from './phaseMachine.js';
