/** The public surface of engine/migrate: start or resume a job of any mode. */
export { startMigration, resumeMigration } from './start.js';
