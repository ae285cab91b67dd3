/** The public surface of engine/schema: the worker, the CLI and the extension import from here, not past it. */
export * from './deferredKeys.js';
export * from './inspector.js';
export * from './schema.js';
