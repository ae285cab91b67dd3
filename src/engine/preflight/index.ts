/** The public surface of engine/preflight: the worker, the CLI and tests import from here. */
export * from './binlog.js';
