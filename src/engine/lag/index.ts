/** The public surface of engine/lag: the worker, the CLI and the extension import from here, not past it. */
export * from './heartbeat.js';
export * from './lagState.js';
export * from './poller.js';
export * from './replicaProbe.js';
export * from './throttler.js';
