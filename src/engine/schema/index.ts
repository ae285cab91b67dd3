/** The public surface of engine/schema: reading a table's definition and creating it on a target. */
export { inspectTable, listBaseTables, noKeyMessage, type ColumnInfo, type IndexInfo, type TableDefinition } from './inspector.js';
export { compareTables, createTable, ensureDatabase } from './schema.js';
