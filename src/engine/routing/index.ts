/** The public surface of engine/routing: the worker, the CLI and tests import from here, not past it. */
export * from './classify.js';
export * from './tokenizer.js';
export * from './causal.js';
export * from './choose.js';
export * from './execute.js';
export * from './router.js';
export * from './export.js';
