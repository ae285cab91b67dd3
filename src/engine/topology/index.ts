/** The public surface of engine/topology: what a server is, how it replicates, what it holds, what we may do on it. */
export { classifyError, connectServer, ConnectionCache } from './connect.js';
export { TopologyFailure, toServerSpec } from './serverRef.js';
export { discoverReplicas, listColumns, listDatabases, listTableSummaries, readFacts, readReplication, readSummary, testConnection } from './topology.js';
export { checkPrivileges } from './privileges.js';
export { suggestReplicaName } from './types.js';
export type {
  ColumnSummary,
  ConnectionReport,
  DatabaseInfo,
  DiscoveredReplica,
  ErrorKind,
  Flavor,
  LagMeaning,
  LagSource,
  LagState,
  LagThresholds,
  LagUpdate,
  Outcome,
  PollSession,
  PrivilegeCheck,
  ReplicaLag,
  ReplicaStatus,
  ServerFacts,
  ServerRef,
  ServerSummary,
  TableSummary,
  TlsMode,
  TopologyError,
} from './types.js';
export { sanitizeProfiles, toServerRef, type ProfileSetting, type ServerSetting } from './profileModel.js';
