/** The public surface of engine/topology: the worker, the CLI and the extension import from here, not past it. */
export * from './connect.js';
export * from './dialect.js';
export * from './privileges.js';
export * from './serverRef.js';
export * from './topology.js';
export * from './types.js';
