/** The public surface of engine/verify: the worker, the CLI and the extension import from here, not past it. */
export * from './checksum.js';
export * from './repair.js';
export * from './rowCounts.js';
export * from './rowDiff.js';
export * from './types.js';
export * from './verifier.js';
export * from './exactValue.js';
export * from './replicaGuard.js';
