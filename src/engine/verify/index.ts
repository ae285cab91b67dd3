/** The public surface of engine/verify: compare a table on two servers, and repair the rows that differ. */
export { verify, Verifier, NO_KEY_MESSAGE } from './verifier.js';
export { repair } from './repair.js';
export { RepairRefusedError, readWriteTargetRole, repairRefusal } from './replicaGuard.js';
export type {
  CellValue,
  ChangedRow,
  ChunkVerdict,
  KeyRange,
  KeyTuple,
  RepairResult,
  RepairSpec,
  RepairTableResult,
  RowDiff,
  TableStatus,
  TableVerdict,
  VerifyEvents,
  VerifyMode,
  VerifyProgress,
  VerifyReport,
  VerifySpec,
} from './types.js';
