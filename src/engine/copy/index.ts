/** The public surface of engine/copy: the worker, the CLI and the extension import from here, not past it. */
export * from './applier.js';
export * from './chunkSizer.js';
export * from './connectRole.js';
export * from './copyJob.js';
export * from './encoder.js';
export * from './jobControl.js';
export * from './memoryTrace.js';
export * from './planner.js';
export * from './queue.js';
export * from './reader.js';
export * from './sequencer.js';
export * from './targetGuard.js';
