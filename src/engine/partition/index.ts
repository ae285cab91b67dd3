/** The public surface of engine/partition: the worker, the CLI and tests import from here. */
export * from './types.js';
export * from './map.js';
export * from './routeByMap.js';
export * from './planText.js';
export * from './planner.js';
export * from './rangeVerify.js';
export * from './runner.js';
export * from './mapFile.js';
