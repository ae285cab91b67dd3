/**
 * Pre-flight for a change stream, run before anything is written: the source must write a binlog
 * the stream can read exactly and completely, the account must be allowed to read it, the stream's
 * server id must not kick a replica off, every captured table needs a key to match rows by, and the
 * target must not be a replica. Every refusal names its fix. The rules are pure (variables and grants
 * in, problems out) so they are unit-tested for settings the sandbox cannot switch at run time
 * (log_bin off, MySQL's binlog_transaction_compression).
 */
import type { Connection } from '../db/connection.js';
import { queryRows, serverLabel } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { checkPrivileges } from '../topology/privileges.js';
import { detectFlavor, parseVersion } from '../topology/dialect.js';
import type { Flavor } from '../topology/types.js';
import { inspectTable, type TableDefinition } from '../schema/inspector.js';
import { NO_REPLICA_STATUS_PRIVILEGE, readWriteTargetRole } from '../topology/writeTarget.js';

const VARIABLES = [
  'version',
  'version_comment',
  'server_id',
  'log_bin',
  'binlog_format',
  'binlog_row_image',
  'binlog_row_metadata',
  'binlog_transaction_compression',
  'binlog_row_value_options',
  'read_only',
] as const;

export type Variables = Map<string, string>;

function on(v: string | undefined): boolean {
  return v !== undefined && /^(on|1|yes|true)$/i.test(v.trim());
}

function targetFlavor(vars: Variables): Flavor {
  return detectFlavor(vars.get('version') ?? '', vars.get('version_comment') ?? '');
}

/** Problems with the source's binlog settings (empty when a stream can read it exactly). */
export function binlogSettingProblems(vars: Variables, label: string): string[] {
  const problems: string[] = [];
  const flavor: Flavor = detectFlavor(vars.get('version') ?? '', vars.get('version_comment') ?? '');
  if (!on(vars.get('log_bin'))) {
    problems.push(
      `${label} does not write a binary log (log_bin is OFF), so there are no changes to follow. ` +
        'Fix: start the server with log_bin (and server_id) in its configuration, then make a new full copy.',
    );
    return problems;
  }
  const format = (vars.get('binlog_format') ?? '').toUpperCase();
  if (format !== 'ROW') {
    problems.push(
      `${label} has binlog_format=${format || '(unknown)'}; the change stream needs ROW (statements cannot be replayed exactly${flavor === 'mariadb' ? ', and MariaDB defaults to MIXED' : ''}). ` +
        "Fix: SET GLOBAL binlog_format = 'ROW' and binlog_format=ROW in the server's configuration (sessions connected before keep their old format; reconnect them).",
    );
  }
  const image = (vars.get('binlog_row_image') ?? 'FULL').toUpperCase();
  if (image !== 'FULL') {
    problems.push(
      `${label} has binlog_row_image=${image}; updates and deletes must carry every column. ` +
        "Fix: SET GLOBAL binlog_row_image = 'FULL' and the same in the server's configuration.",
    );
  }
  if (on(vars.get('binlog_transaction_compression'))) {
    problems.push(
      `${label} has binlog_transaction_compression=ON: compressed transactions cannot be decoded by the stream. ` +
        'Fix: SET GLOBAL binlog_transaction_compression = OFF (and in the configuration).',
    );
  }
  if (/PARTIAL_JSON/i.test(vars.get('binlog_row_value_options') ?? '')) {
    problems.push(
      `${label} has binlog_row_value_options=PARTIAL_JSON: JSON updates are logged as diffs the stream cannot apply. ` +
        "Fix: SET GLOBAL binlog_row_value_options = ''.",
    );
  }
  return problems;
}

/** A server id for the stream: stable per job, never one of the given ids (the source's, its replicas'). */
export function chooseServerId(jobId: string, taken: ReadonlySet<number>): number {
  let h = 2166136261;
  for (const ch of jobId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  // Upper half of the 32-bit range: far from the small ids people give their servers.
  let id = 0x80000000 + (h % 0x7ffff000);
  while (taken.has(id)) id++;
  return id;
}

export async function readVariables(conn: Connection): Promise<Variables> {
  const rows = await queryRows(conn, `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLES.map(() => '?').join(', ')})`, [...VARIABLES]);
  return new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), r.Value === null ? '' : String(r.Value)]));
}

/** Server ids the stream must not use: the source's own and its connected replicas'. */
async function takenServerIds(conn: Connection, vars: Variables): Promise<{ ids: Set<number>; note: string | null }> {
  const ids = new Set<number>([Number(vars.get('server_id') ?? 0)]);
  try {
    for (const r of await queryRows(conn, 'SHOW SLAVE HOSTS')) ids.add(Number(r.Server_id));
    return { ids, note: null };
  } catch (err) {
    return { ids, note: `could not list the source's replicas (SHOW SLAVE HOSTS: ${(err as Error).message}); the stream's server id was checked against the source's own only` };
  }
}

export interface BinlogPreflight {
  serverId: number;
  /** The source's flavour (GTIDs differ: MariaDB domain-server-sequence, MySQL uuid sets). */
  flavor: Flavor;
  sourceTables: TableDefinition[];
  notes: string[];
}

export interface BinlogPreflightInput {
  source: Connection;
  sourceSpec: ServerSpec;
  target: Connection;
  targetSpec: ServerSpec;
  database: string;
  tables: string[];
  jobId: string;
}

/** Runs every check and throws one RefusedError listing all problems (each with its fix). */
export async function binlogPreflight(input: BinlogPreflightInput): Promise<BinlogPreflight> {
  const { source, database } = input;
  const label = `source ${serverLabel(input.sourceSpec)}`;
  const vars = await readVariables(source);
  const problems = binlogSettingProblems(vars, label);

  const grants = (await queryRows(source, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0]));
  const flavor = detectFlavor(vars.get('version') ?? '', vars.get('version_comment') ?? '');
  const version = parseVersion(vars.get('version') ?? '');
  const binlog = checkPrivileges(grants, { flavor, version, database }).checks.find((c) => c.feature === 'binlog');
  if (binlog && !binlog.ok) {
    const names = flavor === 'mariadb' ? 'REPLICATION SLAVE and BINLOG MONITOR (formerly REPLICATION CLIENT)' : 'REPLICATION SLAVE and REPLICATION CLIENT';
    problems.push(
      `the ${label} account ${input.sourceSpec.user} may not read the binlog: missing ${binlog.missing.join(', ')}. ` +
        `Fix: GRANT ${names} ON *.* TO the account (an administrator runs it on the source).`,
    );
  }

  const sourceTables: TableDefinition[] = [];
  for (const t of input.tables) {
    const info = await inspectTable(source, database, t);
    sourceTables.push(info);
    if (!info.key) {
      problems.push(
        `table ${database}.${t} has neither a primary key nor a unique key over NOT NULL columns, so changed rows cannot be matched on the target. ` +
          'Fix: add a primary key to it on the source (and copy again), or leave it out of the job.',
      );
    }
  }

  const targetVars = await readVariables(input.target);
  // A role that cannot be read is refused like the copy refuses it: an account with SUPER or
  // READ_ONLY ADMIN would write to a replica without an error, so "could not tell" is not "no".
  const role = await readWriteTargetRole(input.target);
  if (role.unknown) {
    if (role.unknown.code !== NO_REPLICA_STATUS_PRIVILEGE) throw role.unknown.error;
    const grant = targetFlavor(targetVars) === 'mariadb' ? 'SLAVE MONITOR' : 'REPLICATION CLIENT';
    problems.push(
      `cannot tell whether target ${serverLabel(input.targetSpec)} replicates from another server: the account ${input.targetSpec.user} may not read its replica status ` +
        `(${role.unknown.message}). Writing to a replica would create errant transactions. Fix: GRANT ${grant} ON *.* TO the account on the target, then sync again.`,
    );
  }
  const isReplica = role.channels.length > 0;
  if (isReplica || on(targetVars.get('read_only'))) {
    problems.push(
      `target ${serverLabel(input.targetSpec)} is ${isReplica ? 'a replica' : 'read_only'}: writing to it would create errant transactions that break replication. ` +
        'Fix: sync to its primary; the replica gets the changes through replication.',
    );
  }

  if (problems.length > 0) {
    throw new RefusedError(`pre-flight refused the sync (nothing was written): ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, problems);
  }
  const taken = await takenServerIds(source, vars);
  return { serverId: chooseServerId(input.jobId, taken.ids), flavor, sourceTables, notes: taken.note ? [taken.note] : [] };
}
