/** The public surface of engine/cdc: the worker, the CLI and tests import from here, not past it. */
export { FOLLOW_OTHER_SERVER_BINLOG_ONLY, syncJob, type SyncHandle, type SyncOptions } from './sync.js';
export { ChangeStream, sourcePosition, type StreamOptions } from './stream.js';
export { ChangeApplier } from './applier.js';
export { classifyStatement } from './statementGuard.js';
export { comparePositions, formatPosition } from './position.js';
export { loadCdcState, type CdcState } from './positionStore.js';
export { StreamFatalError, StreamLostError, UniqueConflictError } from './errors.js';
export type { BinlogPosition, CellValue, RowImage, RowChange, StreamItem, SyncResult, SyncEvent } from './types.js';
