/** The public surface of engine/db: the worker, the CLI and the extension import from here, not past it. */
export * from './connection.js';
export * from './errors.js';
export * from './keyset.js';
export * from './server.js';
export * from './sql.js';
