/**
 * Every difference between MySQL 8.0+ and MariaDB 10.6+ that the topology side cares about, in one
 * place: statement names (SHOW REPLICA STATUS vs SHOW ALL SLAVES STATUS), column names
 * (Seconds_Behind_Source vs Seconds_Behind_Master), GTID variables and privilege names. Everything
 * here is pure (rows in, values out) so it is unit-tested over captured rows of both servers.
 */
import type { DiscoveredReplica, Flavor, ReplicaStatus, ServerFacts } from './types.js';

export type Row = Record<string, unknown>;

/** The variables read by one SHOW GLOBAL VARIABLES: unknown names are simply absent, never an error. */
export const FACT_VARIABLES = [
  'version',
  'version_comment',
  'server_id',
  'read_only',
  'log_bin',
  'binlog_format',
  'gtid_mode',
  'gtid_executed',
  'gtid_binlog_pos',
  'gtid_current_pos',
  'gtid_strict_mode',
] as const;

export const FACTS_SQL = `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${FACT_VARIABLES.map(() => '?').join(', ')})`;

export function detectFlavor(version: string, versionComment = ''): Flavor {
  return /mariadb/i.test(version) || /mariadb/i.test(versionComment) ? 'mariadb' : 'mysql';
}

export function parseVersion(version: string): [number, number, number] {
  // MariaDB behind some proxies reports "5.5.5-10.11.6-MariaDB": the real version follows the prefix.
  const text = version.replace(/^5\.5\.5-/, '');
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function atLeast(v: [number, number, number], major: number, minor: number, patch: number): boolean {
  if (v[0] !== major) return v[0] > major;
  if (v[1] !== minor) return v[1] > minor;
  return v[2] >= patch;
}

function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(str(v));
  return Number.isFinite(n) ? n : null;
}

function on(v: string): boolean {
  return /^(on|1|yes|true)$/i.test(v.trim());
}

/** A column that MySQL renamed (Source/Replica) and MariaDB kept (Master/Slave): first name present wins. */
function pick(row: Row, ...names: string[]): unknown {
  for (const n of names) if (n in row) return row[n];
  return undefined;
}

/** Rows of `SHOW GLOBAL VARIABLES` (Variable_name, Value) -> facts. */
export function parseServerFacts(rows: Row[]): ServerFacts {
  const vars = new Map(rows.map((r) => [str(r.Variable_name).toLowerCase(), str(r.Value)]));
  const version = vars.get('version') ?? '';
  const flavor = detectFlavor(version, vars.get('version_comment'));
  let gtidMode: string;
  let gtidPosition: string;
  if (flavor === 'mysql') {
    gtidMode = vars.get('gtid_mode') ?? 'OFF';
    gtidPosition = vars.get('gtid_executed') ?? '';
  } else {
    // MariaDB always writes GTIDs; what varies is strictness and whether replicas use them.
    gtidMode = on(vars.get('gtid_strict_mode') ?? '') ? 'ON (strict)' : 'ON';
    gtidPosition = vars.get('gtid_binlog_pos') || vars.get('gtid_current_pos') || '';
  }
  const logBin = on(vars.get('log_bin') ?? '');
  return {
    version,
    flavor,
    versionNumber: parseVersion(version),
    serverId: num(vars.get('server_id')) ?? 0,
    readOnly: on(vars.get('read_only') ?? ''),
    logBin,
    binlogFormat: logBin ? (vars.get('binlog_format') ?? null) : null,
    gtidMode,
    gtidPosition: gtidPosition.replace(/\s+/g, ''),
  };
}

/** The statement listing every replication channel of this server. */
export function replicaStatusSql(flavor: Flavor, version: [number, number, number]): string {
  // MariaDB: ALL SLAVES covers multi-source replication and adds Connection_name (since 10.0).
  if (flavor === 'mariadb') return 'SHOW ALL SLAVES STATUS';
  return atLeast(version, 8, 0, 22) ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS';
}

export function parseReplicaStatus(row: Row): ReplicaStatus {
  const io = str(pick(row, 'Replica_IO_Running', 'Slave_IO_Running')).toLowerCase();
  return {
    channel: str(pick(row, 'Channel_Name', 'Channel_name', 'Connection_name')),
    sourceHost: str(pick(row, 'Source_Host', 'Master_Host')),
    sourcePort: num(pick(row, 'Source_Port', 'Master_Port')) ?? 0,
    ioRunning: io === 'yes' ? 'yes' : io === 'connecting' ? 'connecting' : 'no',
    sqlRunning: str(pick(row, 'Replica_SQL_Running', 'Slave_SQL_Running')).toLowerCase() === 'yes',
    secondsBehind: num(pick(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master')),
    lastIoError: str(row.Last_IO_Error),
    lastSqlError: str(row.Last_SQL_Error),
    sourceServerId: num(pick(row, 'Source_Server_Id', 'Master_Server_Id')),
    // MySQL: Auto_Position=1; MariaDB: Using_Gtid Slave_Pos/Current_Pos (No when file/position).
    usingGtid: 'Auto_Position' in row ? str(row.Auto_Position) === '1' : !/^(no|)$/i.test(str(row.Using_Gtid)),
  };
}

/** The statement listing replicas registered with a primary (report_host/report_port). */
export function replicaHostsSql(flavor: Flavor, version: [number, number, number]): string {
  if (flavor === 'mysql') return atLeast(version, 8, 0, 22) ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS';
  return 'SHOW SLAVE HOSTS';
}

/** Binlog dump threads: each is one connected replica (its client port is ephemeral, its IP is real). */
export const DUMP_THREADS_SQL =
  "SELECT ID, USER, HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')";

export function parseDiscovery(hostRows: Row[], dumpRows: Row[]): DiscoveredReplica[] {
  const found: DiscoveredReplica[] = [];
  for (const r of hostRows) {
    found.push({
      host: str(r.Host),
      port: num(r.Port),
      serverId: num(pick(r, 'Server_Id', 'Server_id')),
      seenIn: ['replica-hosts'],
    });
  }
  for (const r of dumpRows) {
    const hostPort = str(r.HOST);
    const host = hostPort.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    // One dump thread per replica: pair each with a registered replica not yet paired (same host
    // first, then one that registered without report_host); several replicas may share a host.
    const unpaired = (f: DiscoveredReplica) => !f.seenIn.includes('processlist');
    const known = found.find((f) => unpaired(f) && f.host === host) ?? found.find((f) => unpaired(f) && f.host === '');
    if (known) {
      if (known.host === '') known.host = host;
      known.seenIn.push('processlist');
    } else if (!found.some((f) => f.host === host)) {
      found.push({ host, port: null, serverId: null, seenIn: ['processlist'] });
    }
  }
  return found;
}

/**
 * Privileges each feature needs, by flavor. MariaDB 10.5 split REPLICATION CLIENT into BINLOG
 * MONITOR (what SHOW GRANTS prints for it) and SLAVE MONITOR (needed for SHOW SLAVE STATUS since
 * 10.5.9); MySQL still uses REPLICATION CLIENT. SUPER and ALL PRIVILEGES satisfy any of them.
 */
export interface Requirement {
  /** Each entry is satisfied by any of its alternatives. */
  anyOf: string[];
  /** Global-only privileges cannot be granted on a database. */
  global: boolean;
}

export function featureRequirements(flavor: Flavor, version: [number, number, number]): Record<'read' | 'lag' | 'binlog' | 'target' | 'heartbeat', Requirement[]> {
  const maria = flavor === 'mariadb';
  const monitor: Requirement = maria && atLeast(version, 10, 5, 9)
    ? { anyOf: ['SLAVE MONITOR', 'REPLICA MONITOR', 'SUPER'], global: true }
    : { anyOf: ['REPLICATION CLIENT', 'SUPER'], global: true };
  const binlogMonitor: Requirement = maria && atLeast(version, 10, 5, 2)
    ? { anyOf: ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'], global: true }
    : { anyOf: ['REPLICATION CLIENT', 'SUPER'], global: true };
  const onDb = (p: string): Requirement => ({ anyOf: [p], global: false });
  return {
    read: [onDb('SELECT')],
    lag: [monitor],
    binlog: [{ anyOf: ['REPLICATION SLAVE'], global: true }, binlogMonitor],
    target: [onDb('INSERT'), onDb('CREATE'), onDb('DROP')],
    heartbeat: [onDb('CREATE'), onDb('INSERT'), onDb('UPDATE')],
  };
}

/** The name a privilege is reported under, so aliases compare equal (MariaDB prints the new names). */
export function canonicalPrivilege(name: string): string {
  const p = name.trim().toUpperCase().replace(/\s+/g, ' ');
  const aliases: Record<string, string> = {
    'REPLICA MONITOR': 'SLAVE MONITOR',
    'REPLICATION REPLICA': 'REPLICATION SLAVE',
    'ALL': 'ALL PRIVILEGES',
  };
  return aliases[p] ?? p;
}
