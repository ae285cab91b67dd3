/**
 * Serialisable types of the topology side (profiles, server facts, lag). They cross the worker <->
 * extension boundary, so plain data only; src/protocol re-exports them with the request types.
 */

export type TlsMode = 'off' | 'required' | 'verify-ca';

/** One server as the extension sends it to the worker: the password travels per request only. */
export interface ServerRef {
  /** A label for messages: "replica1" or host:port. */
  name: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  tls?: TlsMode;
  /** Path of the CA certificate for verify-ca; the worker reads it. */
  caFile?: string;
}

export type Flavor = 'mariadb' | 'mysql';

export type ErrorKind = 'auth' | 'unreachable' | 'privilege' | 'no-password' | 'tls' | 'other';

export interface TopologyError {
  kind: ErrorKind;
  message: string;
  /** The driver's code (ER_ACCESS_DENIED_ERROR, ECONNREFUSED…) when there is one. */
  code?: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TopologyError };

/** One replication channel as read from SHOW REPLICA/SLAVE STATUS, whatever the server calls its columns. */
export interface ReplicaStatus {
  channel: string;
  sourceHost: string;
  sourcePort: number;
  ioRunning: 'yes' | 'no' | 'connecting';
  sqlRunning: boolean;
  /** Null while the SQL thread is stopped or the IO thread is not connected. */
  secondsBehind: number | null;
  lastIoError: string;
  lastSqlError: string;
  sourceServerId: number | null;
  usingGtid: boolean;
}

/** What SHOW GLOBAL VARIABLES tells us about a server, normalised across MySQL and MariaDB. */
export interface ServerFacts {
  version: string;
  flavor: Flavor;
  /** major.minor.patch as numbers, e.g. [10, 11, 19]. */
  versionNumber: [number, number, number];
  serverId: number;
  readOnly: boolean;
  logBin: boolean;
  binlogFormat: string | null;
  /** "ON"/"OFF" on MySQL; on MariaDB GTID is always available, so "ON (strict)" or "ON". */
  gtidMode: string;
  /** gtid_executed on MySQL, gtid_binlog_pos (or gtid_current_pos) on MariaDB. */
  gtidPosition: string;
}

export interface ServerSummary {
  facts: ServerFacts;
  replication: ReplicaStatus[];
}

export interface PrivilegeCheck {
  feature: 'read' | 'lag' | 'binlog' | 'target' | 'heartbeat';
  label: string;
  ok: boolean;
  missing: string[];
}

export interface ConnectionReport extends ServerSummary {
  grants: string[];
  privileges: PrivilegeCheck[];
  /** Caveats about the check itself, e.g. role grants we cannot expand. */
  notes: string[];
}

export interface DatabaseInfo {
  name: string;
}

/** One row of the Topology tree under a database: a table or view with the server's estimates (cheap, from information_schema.TABLES). */
export interface TableSummary {
  name: string;
  engine: string | null;
  estimatedRows: number;
  dataBytes: number;
  indexBytes: number;
  hasPrimaryKey: boolean;
  isView: boolean;
}

/** One column of a base table, as a pick of the watermark column shows it (ListColumnsRequest). */
export interface ColumnSummary {
  table: string;
  name: string;
  /** information_schema DATA_TYPE, e.g. int, bigint, datetime, timestamp. */
  dataType: string;
  /** The full type, e.g. "bigint(20) unsigned". */
  columnType: string;
  nullable: boolean;
  autoIncrement: boolean;
  /** The column leads an index (a watermark scan on it is an index range). */
  indexed: boolean;
}

export interface DiscoveredReplica {
  host: string;
  /** Null when only the processlist saw it (the client port there is ephemeral). */
  port: number | null;
  serverId: number | null;
  seenIn: ('replica-hosts' | 'processlist')[];
}

/**
 * The suggested profile name of a discovered replica: report_host often says only "127.0.0.1", so
 * "replica (server_id N)" when the primary reports the server id, else host:port; a suffix keeps it
 * distinct from the names in `taken`. (A pure helper beside the type, shared by the command and tests.)
 */
export function suggestReplicaName(r: Pick<DiscoveredReplica, 'host' | 'port' | 'serverId'>, taken: readonly string[]): string {
  const base = r.serverId !== null ? `replica (server_id ${r.serverId})` : `${r.host}:${r.port ?? '?'}`;
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base} #${i}`;
  return name;
}

export type LagState = 'ok' | 'warning' | 'error';

export type LagSource = 'replica-status' | 'heartbeat';

/**
 * What a lagSeconds value means when it is not a plain lag reading: 'pending' (no value yet: this
 * session's first heartbeat has not reached the replica), 'at-least' (a lower bound: that first
 * heartbeat has been outstanding this long), 'last-applied' (a replication thread is stopped: the age
 * of the last heartbeat the replica applied, which grows while it stays stopped).
 */
export type LagMeaning = 'pending' | 'at-least' | 'last-applied';

export interface LagThresholds {
  warnSeconds: number;
  errorSeconds: number;
}

/** One replica's health at one poll. */
export interface ReplicaLag {
  name: string;
  host: string;
  port: number;
  state: LagState;
  /** Why the state is not ok (or a short "ok"): e.g. "SQL thread stopped: Error 'x' on query". */
  reason: string;
  lagSeconds: number | null;
  /** Unset for a plain lag reading. */
  lagMeaning?: LagMeaning;
  source: LagSource;
  reachable: boolean;
  ioRunning: 'yes' | 'no' | 'connecting' | null;
  sqlRunning: boolean | null;
  lastIoError: string;
  lastSqlError: string;
  /** Recent samples, oldest first: [epoch ms, seconds or null when unknown]. */
  history: [number, number | null][];
}

export interface LagUpdate {
  profile: string;
  at: number;
  state: LagState;
  /** Worst known lag over the replicas, null when none is known. */
  worstLagSeconds: number | null;
  replicas: ReplicaLag[];
}

/** What the worker polls for one active profile (StartLagPollingRequest's parameters). */
export interface PollSession {
  profile: string;
  primary: ServerRef;
  replicas: ServerRef[];
  intervalMs: number;
  thresholds: LagThresholds;
  /** Lag from a heartbeat table this worker writes on the primary every intervalMs. */
  heartbeat?: { database: string; intervalMs: number };
}
