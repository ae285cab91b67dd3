/**
 * The public surface of engine/lag: one replica probe (ReplicaProbe) read by the status bar's
 * poller and, through throttleProbe, by the copy and verify throttler; the heartbeat that gives it
 * sub-second lag.
 */
export { TopologyPoller } from './poller.js';
export { ReplicaProbe, throttleProbe, type HeartbeatSource, type ReplicaLagProbe } from './replicaProbe.js';
export { SlaveStatusLagProbe, ThreadsRunningProbe, Throttler, type LagProbe, type ProbeReading } from './throttler.js';
export { HeartbeatWriter, setupHeartbeat, HEARTBEAT_TABLE } from './heartbeat.js';
export { classify, DEFAULT_THRESHOLDS, formatLag, lagText, rollUp, type ProbeResult } from './lagState.js';
