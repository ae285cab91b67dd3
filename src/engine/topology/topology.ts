/**
 * What the Topology view and Test Connection ask of one server: facts, replication channels,
 * grants, databases, tables, and the replicas a primary can see. SQL text comes from dialect.ts
 * wherever the servers differ; identifiers are never interpolated (the schema name is bound).
 */
import { queryRows, type Connection } from '../db/connection.js';
import { DUMP_THREADS_SQL, FACTS_SQL, FACT_VARIABLES, parseDiscovery, parseReplicaStatus, parseServerFacts, replicaHostsSql, replicaStatusSql, type Row } from './dialect.js';
import { checkPrivileges } from './privileges.js';
import type { ColumnSummary, ConnectionReport, DatabaseInfo, DiscoveredReplica, ReplicaStatus, ServerFacts, ServerSummary, TableSummary } from './types.js';

const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

export async function readFacts(conn: Connection): Promise<ServerFacts> {
  return parseServerFacts(await queryRows(conn, FACTS_SQL, [...FACT_VARIABLES]));
}

/** Channels of a replica; an empty list on a server that replicates from nobody. */
export async function readReplication(conn: Connection, facts: ServerFacts): Promise<ReplicaStatus[]> {
  const rows = await queryRows(conn, replicaStatusSql(facts.flavor, facts.versionNumber));
  return rows.map((r) => parseReplicaStatus(r as Row));
}

export async function readSummary(conn: Connection): Promise<ServerSummary> {
  const facts = await readFacts(conn);
  let replication: ReplicaStatus[] = [];
  try {
    replication = await readReplication(conn, facts);
  } catch (err) {
    // Without SLAVE MONITOR / REPLICATION CLIENT the server refuses: the tree still shows the server.
    if ((err as { code?: string }).code !== 'ER_SPECIFIC_ACCESS_DENIED_ERROR') throw err;
  }
  return { facts, replication };
}

export async function readGrants(conn: Connection): Promise<string[]> {
  const rows = await queryRows(conn, 'SHOW GRANTS');
  return rows.map((r) => String(Object.values(r)[0]));
}

export async function testConnection(conn: Connection, database?: string): Promise<ConnectionReport> {
  const facts = await readFacts(conn);
  const grants = await readGrants(conn);
  let replication: ReplicaStatus[] = [];
  const notes: string[] = [];
  try {
    replication = await readReplication(conn, facts);
  } catch (err) {
    notes.push(`Cannot read replication status: ${(err as Error).message}`);
  }
  const { checks, notes: grantNotes } = checkPrivileges(grants, { flavor: facts.flavor, version: facts.versionNumber, database });
  return { facts, replication, grants, privileges: checks, notes: [...notes, ...grantNotes] };
}

export async function listDatabases(conn: Connection, only?: string[]): Promise<DatabaseInfo[]> {
  const rows = await queryRows(
    conn,
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')}) ORDER BY SCHEMA_NAME`,
    SYSTEM_SCHEMAS,
  );
  const names = rows.map((r) => String(r.name));
  const wanted = only && only.length > 0 ? new Set(only) : null;
  return names.filter((n) => !wanted || wanted.has(n)).map((name) => ({ name }));
}

/**
 * Tables with estimated rows and size. Primary keys come from STATISTICS (one row per PK column)
 * rather than TABLE_CONSTRAINTS: both are cheap, but STATISTICS needs no extra privilege on MySQL.
 */
export async function listTableSummaries(conn: Connection, database: string): Promise<TableSummary[]> {
  const [tables, pks] = await Promise.all([
    queryRows(
      conn,
      'SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS estRows, DATA_LENGTH AS dataBytes, INDEX_LENGTH AS indexBytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      [database],
    ),
    queryRows(conn, "SELECT DISTINCT TABLE_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'PRIMARY'", [database]),
  ]);
  const withPk = new Set(pks.map((r) => String(r.name)));
  return tables.map((r) => ({
    name: String(r.name),
    engine: r.engine === null ? null : String(r.engine),
    estimatedRows: Number(r.estRows ?? 0),
    dataBytes: Number(r.dataBytes ?? 0),
    indexBytes: Number(r.indexBytes ?? 0),
    hasPrimaryKey: withPk.has(String(r.name)),
    isView: String(r.type) === 'VIEW',
  }));
}

/**
 * The columns of base tables of a database (all of them, or the named ones), in table and column
 * order, with whether each leads an index: what the incremental strategy's watermark pick lists.
 */
export async function listColumns(conn: Connection, database: string, tables?: string[]): Promise<ColumnSummary[]> {
  const only = tables && tables.length > 0 ? tables : null;
  const inTables = only ? ` AND c.TABLE_NAME IN (${only.map(() => '?').join(', ')})` : '';
  const rows = await queryRows(
    conn,
    `SELECT c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.DATA_TYPE AS dataType, c.COLUMN_TYPE AS columnType, c.IS_NULLABLE AS nullable, c.EXTRA AS extra,
       EXISTS (SELECT 1 FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME AND s.COLUMN_NAME = c.COLUMN_NAME AND s.SEQ_IN_INDEX = 1) AS indexed
     FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
     WHERE c.TABLE_SCHEMA = ?${inTables} ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
    [database, ...(only ?? [])],
  );
  return rows.map((r) => ({
    table: String(r.tbl),
    name: String(r.name),
    dataType: String(r.dataType).toLowerCase(),
    columnType: String(r.columnType),
    nullable: String(r.nullable) === 'YES',
    autoIncrement: /auto_increment/i.test(String(r.extra ?? '')),
    indexed: Number(r.indexed) === 1,
  }));
}

export async function discoverReplicas(conn: Connection): Promise<DiscoveredReplica[]> {
  const facts = await readFacts(conn);
  const hosts = await queryRows(conn, replicaHostsSql(facts.flavor, facts.versionNumber));
  const dumps = await queryRows(conn, DUMP_THREADS_SQL);
  return parseDiscovery(hosts as Row[], dumps as Row[]);
}
