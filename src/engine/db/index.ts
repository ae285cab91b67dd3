/**
 * The public surface of engine/db (the driver, SQL quoting, keyset SQL, errors). The worker and the
 * CLI import this index; other engine folders import db's files directly (db imports no other folder).
 */
export { connect, closeQuietly, queryRows, serverLabel, type Connection, type ConnectOptions } from './connection.js';
export { CancelledError, RefusedError, errorMessage } from './errors.js';
export type { ServerSpec } from './server.js';
