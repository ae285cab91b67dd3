/** The public surface of engine/partition: plan, split, merge, and route by the saved map. */
export { targetLabel, rangeLabel, type PartitionTarget, type PartitionRange, type RangeVerdict, type PartitionMap } from './types.js';
export { partitionFor, inRange, integerKey, isMapTable, mapProblems, mapFileSegments } from './map.js';
export { routeStatementByMap, type MapRoute } from './routeByMap.js';
export { planLines } from './planText.js';
export { planSplit, partitionKey, type PlanOptions } from './planner.js';
export { verifyRange, keyRangeOf } from './rangeVerify.js';
export { runSplit, runMerge, type RunOptions, type RunResult, type PartitionPasswords } from './runner.js';
export { readMap, writeMap } from './mapFile.js';
