/** The public surface of engine/routing: classify statements, choose a server, run and export results. */
export {
  classifySql, classifyInSession, newSessionState,
  type Route, type StatementKind, type Classification, type ClassifiedStatement, type SessionState, type ClassifyResult,
} from './classify.js';
export { tokenize, type TokenKind, type Token, type Comment, type Tokenized } from '../sqltext/lexer.js';
export { splitStatements, type StatementSlice } from '../sqltext/statements.js';
export { trackingStatements, trackedGtid, askLastGtid, waitForGtid } from './causal.js';
export { chooseReplica, exclusion, type ReplicaReading, type ReplicaChoice } from './choose.js';
export { runSql, type Cell, type StatementRun, type RunOptions } from './execute.js';
export { RoutingSession, describeDecision, type RoutingTopology, type RouterOptions, type RouteDecision, type DecideOptions } from './router.js';
export { exportChunks, uniqueNames } from './export.js';
export { decideByMaps, requalify, type PartitionRouting, type MapDecision } from './partitionRoute.js';
