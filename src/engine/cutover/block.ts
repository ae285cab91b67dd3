/**
 * Blocking writes to the moved tables on the source, and the statements that lift the block.
 *
 * read-only: SET GLOBAL read_only = ON, the whole server. It returns at once even with transactions
 * open; measured on MariaDB 10.11.19, such a transaction that wrote before it then fails at COMMIT
 * (1290), so nothing that wrote before the block commits after the position is read. An account
 * with READ_ONLY ADMIN (which ALL PRIVILEGES includes) still writes; SUPER alone no longer does
 * (10.11 split READ_ONLY ADMIN out of SUPER) and is not enough to set read_only either. Before
 * 10.11 SUPER included it; on MySQL SUPER and CONNECTION_ADMIN bypass it. So the report names the
 * connected accounts whose writes are NOT blocked.
 *
 * lock: per-table blocker triggers (BEFORE INSERT/UPDATE/DELETE that SIGNAL an error naming the job
 * and where the table moved), created while this session holds LOCK TABLES ... WRITE on every moved
 * table, then UNLOCK TABLES. The lock waits until no transaction touches the tables (bounded by a
 * short lock_wait_timeout: on expiry nothing was blocked), so no write slips between "last write
 * allowed" and "trigger in place"; the triggers are what blocks afterwards, and they outlive this
 * process, unlike a held lock. Measured on MariaDB 10.11.19: CREATE TRIGGER is allowed under
 * LOCK TABLES ... WRITE of its table (test/integration/cutover.test.ts does it on every run).
 * CREATE TRIGGER is binlogged but is no row change and not DDL the change stream stops on; with the
 * binlog on it needs SUPER unless log_bin_trust_function_creators is ON (privileges.ts checks it).
 */
import { createHash } from 'node:crypto';
import { closeQuietly, connect, queryRows, type Connection } from '../db/connection.js';
import { errorMessage } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { qualified, quoteIdent } from '../db/sql.js';
import type { ServerFacts } from '../topology/types.js';

export interface ActiveBlock {
  /** Statements that lift the block, in order (also the report's `lift`). */
  lift: string[];
  /** Things the user must know about what is NOT blocked. */
  warnings: string[];
  /** How the block's time was spent, for the 'blocked' step (e.g. "lock 12 ms, 30 triggers 410 ms"). */
  timing?: string;
}

/**
 * Thrown when the block could not be taken. Nothing is blocked unless `remaining` lists lift
 * statements: a partly made block whose clean-up failed too (the message says why).
 */
export class BlockNotTakenError extends Error {
  constructor(
    message: string,
    readonly remaining: string[] = [],
  ) {
    super(message);
    this.name = 'BlockNotTakenError';
  }
}

// ---------------------------------------------------------------------------------------------
// read-only

function mariaAtLeast(facts: ServerFacts, major: number, minor: number): boolean {
  const [a, b] = facts.versionNumber;
  return a > major || (a === major && b >= minor);
}

/** The privileges that let an account write while read_only is ON, on this server. */
export function readOnlyBypassPrivileges(facts: ServerFacts): string[] {
  if (facts.flavor !== 'mariadb') return ['SUPER', 'CONNECTION_ADMIN'];
  if (mariaAtLeast(facts, 10, 11)) return ['READ_ONLY ADMIN'];
  return mariaAtLeast(facts, 10, 5) ? ['READ_ONLY ADMIN', 'SUPER'] : ['SUPER'];
}

/** The privileges any one of which lets this account SET GLOBAL read_only. */
export function setReadOnlyPrivileges(facts: ServerFacts): string[] {
  if (facts.flavor !== 'mariadb') return ['SUPER', 'SYSTEM_VARIABLES_ADMIN'];
  return readOnlyBypassPrivileges(facts);
}

/**
 * Accounts that are connected now and hold a privilege that bypasses read_only (by user name: a
 * session's host is a client address, the grant's a pattern). Roles appear under their own name.
 */
export async function readOnlyBypassers(conn: Connection, facts: ServerFacts): Promise<{ accounts: string[]; sessions: Map<string, number> }> {
  const privs = readOnlyBypassPrivileges(facts);
  const grantees = await queryRows(
    conn,
    `SELECT DISTINCT GRANTEE FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN (${privs.map(() => '?').join(', ')})`,
    privs,
  );
  const accounts = grantees.map((r) => String(r.GRANTEE));
  const users = new Set(accounts.map((g) => /^'((?:[^']|'')*)'@/.exec(g)?.[1].replace(/''/g, "'") ?? g));
  const sessions = new Map<string, number>();
  const procs = await queryRows(conn, "SELECT USER FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Binlog Dump', 'Daemon')");
  for (const p of procs) {
    const u = String(p.USER);
    if (users.has(u)) sessions.set(u, (sessions.get(u) ?? 0) + 1);
  }
  return { accounts, sessions };
}

export async function blockReadOnly(conn: Connection, facts: ServerFacts, lockWaitSeconds: number): Promise<ActiveBlock> {
  const privs = readOnlyBypassPrivileges(facts).join(' or ');
  const warnings: string[] = [];
  try {
    const { accounts, sessions } = await readOnlyBypassers(conn, facts);
    const connected = [...sessions].map(([u, n]) => `${u} (${n} session${n === 1 ? '' : 's'})`);
    warnings.push(
      `read_only does not block accounts with ${privs}` +
        (facts.flavor === 'mariadb' && mariaAtLeast(facts, 10, 11) ? ' (ALL PRIVILEGES includes it; SUPER alone no longer does since MariaDB 10.11)' : '') +
        `: ${connected.length > 0 ? `connected now and NOT blocked: ${connected.join(', ')}` : 'none of them is connected now'}` +
        (accounts.length > 0 ? `; accounts holding it: ${accounts.join(', ')}` : '') +
        '. Use --block lock to block every account on the moved tables.',
    );
  } catch (err) {
    warnings.push(`read_only does not block accounts with ${privs}, and which are connected could not be read (${errorMessage(err)}).`);
  }
  await conn.query('SET SESSION lock_wait_timeout = ?', [lockWaitSeconds]);
  try {
    // Waits for running transactions' commits and explicit table locks, up to lock_wait_timeout.
    await conn.query('SET GLOBAL read_only = ON');
  } catch (err) {
    throw new BlockNotTakenError(`SET GLOBAL read_only = ON failed (${errorMessage(err)}).`);
  }
  return { lift: ['SET GLOBAL read_only = OFF'], warnings };
}

// ---------------------------------------------------------------------------------------------
// lock: blocker triggers

const EVENTS = [
  { event: 'INSERT', suffix: 'i' },
  { event: 'UPDATE', suffix: 'u' },
  { event: 'DELETE', suffix: 'd' },
] as const;

/** Our trigger names: short (64 chars max), fixed per job and table, recognisable in SHOW TRIGGERS. */
export function blockerTriggerName(jobId: string, table: string, suffix: string): string {
  const h = createHash('sha1').update(`${jobId}\0${table}`).digest('hex').slice(0, 10);
  return `rwm_cutover_${h}_${suffix}`;
}

/** The SIGNAL text: at most 128 characters and only characters that need no escaping in a literal. */
export function blockerMessage(jobId: string, table: string, movedTo: string): string {
  const text = `rw-migrate cutover ${jobId}: ${table} moved to ${movedTo}, writes blocked here`;
  return text.replace(/[^\p{L}\p{N} _.:@/,;()-]/gu, '?').slice(0, 128);
}

async function lockHolders(conn: Connection, database: string, tables: string[]): Promise<string> {
  // Who keeps the tables busy: open InnoDB transactions and sessions waiting on or holding locks.
  try {
    const rows = await queryRows(
      conn,
      `SELECT p.ID, p.USER, p.HOST, p.TIME, p.STATE, LEFT(p.INFO, 120) AS INFO, t.trx_started, LEFT(t.trx_query, 120) AS trx_query
         FROM information_schema.PROCESSLIST p JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
        WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started LIMIT 5`,
    );
    if (rows.length === 0) return `no open transaction is visible (a session may hold a LOCK TABLES or run DDL on ${database}.${tables.join(', ')})`;
    return rows
      .map((r) => `thread ${r.ID} (${r.USER}@${String(r.HOST).replace(/:\d+$/, '')}, transaction open since ${r.trx_started}${r.INFO || r.trx_query ? `, running: ${r.INFO ?? r.trx_query}` : ', idle in transaction'})`)
      .join('; ');
  } catch (err) {
    return `the holder could not be read (${errorMessage(err)})`;
  }
}

/**
 * Takes the lock and creates the triggers on its own session; `info` is a second session on the
 * source used to say who held the tables when the lock times out.
 */
export async function blockWithTriggers(
  source: ServerSpec,
  info: Connection,
  opts: { database: string; tables: string[]; jobId: string; movedTo: (table: string) => string; lockWaitSeconds: number },
): Promise<ActiveBlock> {
  const { database, tables, jobId } = opts;
  const lockConn = await connect(source);
  const created: string[] = [];
  let t1 = 0;
  let timing = '';
  let warnings: string[] = [];
  const drop = (name: string) => `DROP TRIGGER IF EXISTS ${qualified(database, name)}`;
  try {
    // Read before locking: information_schema.TRIGGERS opens the tables, which would wait on our own lock.
    const firsts = new Map<string, Map<string, string>>();
    for (const table of tables) firsts.set(table, await firstBeforeTriggers(info, database, table));
    // Left over from an earlier attempt of the same job: dropped under the lock before re-creating.
    const leftover = new Set(
      (await queryRows(info, "SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME LIKE 'rwm\\_cutover\\_%'", [database])).map((r) =>
        String(r.n),
      ),
    );
    // Read before the block too: every query after it lengthens the outage.
    warnings = await cascadeWarnings(info, database, tables);
    await lockConn.query('SET SESSION lock_wait_timeout = ?', [opts.lockWaitSeconds]);
    const t0 = performance.now();
    try {
      await lockConn.query(`LOCK TABLES ${tables.map((t) => `${qualified(database, t)} WRITE`).join(', ')}`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ER_LOCK_WAIT_TIMEOUT') {
        throw new BlockNotTakenError(
          `could not lock ${tables.length} table(s) within ${opts.lockWaitSeconds} s: another session kept them busy: ${await lockHolders(info, database, tables)}.`,
        );
      }
      throw new BlockNotTakenError(`LOCK TABLES failed (${errorMessage(err)}).`);
    }
    t1 = performance.now();
    try {
      for (const table of tables) {
        const first = firsts.get(table) ?? new Map<string, string>();
        for (const { event, suffix } of EVENTS) {
          const name = blockerTriggerName(jobId, table, suffix);
          if (leftover.has(name)) await lockConn.query(drop(name));
          // Ahead of the table's own BEFORE triggers, so none of their side effects happen first.
          const order = first.get(event) ? ` PRECEDES ${quoteIdent(first.get(event) as string)}` : '';
          await lockConn.query(
            `CREATE TRIGGER ${qualified(database, name)} BEFORE ${event} ON ${qualified(database, table)} FOR EACH ROW${order} ` +
              `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${blockerMessage(jobId, `${database}.${table}`, opts.movedTo(table))}'`,
          );
          created.push(name);
        }
      }
    } catch (err) {
      const left: string[] = [];
      for (const name of created) await lockConn.query(drop(name)).catch(() => left.push(name));
      if (left.length > 0) {
        // The lock session may be gone: drop the rest from a new session once our lock is released.
        await closeQuietly(lockConn);
        const again = await liftBlock(source, left.map(drop));
        if (again !== null) {
          throw new BlockNotTakenError(`CREATE TRIGGER failed (${errorMessage(err)}), and dropping the triggers made so far failed too (${again}).`, left.map(drop));
        }
      }
      throw new BlockNotTakenError(`CREATE TRIGGER failed (${errorMessage(err)}); the triggers made so far were dropped.`);
    }
    // The triggers are the block from here on; a failed UNLOCK only means the session ends with the
    // lock, which closing it releases.
    await lockConn.query('UNLOCK TABLES').catch(() => undefined);
    timing = `lock taken in ${Math.round(t1 - t0)} ms, ${created.length} triggers created in ${Math.round(performance.now() - t1)} ms`;
  } finally {
    await closeQuietly(lockConn);
  }
  return { lift: created.map(drop), warnings, timing };
}

/**
 * Triggers do not fire for foreign-key cascades: a moved table that cascades from a table that was
 * not moved still changes when that parent does. Said in the report rather than refused: the user
 * decides whether the parent is still written.
 */
async function cascadeWarnings(conn: Connection, database: string, tables: string[]): Promise<string[]> {
  let rows;
  try {
    rows = await queryRows(
      conn,
      `SELECT TABLE_NAME AS child, UNIQUE_CONSTRAINT_SCHEMA AS pdb, REFERENCED_TABLE_NAME AS parent, CONSTRAINT_NAME AS fk, UPDATE_RULE AS ur, DELETE_RULE AS dr
         FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = ? AND (UPDATE_RULE IN ('CASCADE', 'SET NULL', 'SET DEFAULT') OR DELETE_RULE IN ('CASCADE', 'SET NULL', 'SET DEFAULT'))`,
      [database],
    );
  } catch (err) {
    return [`Foreign keys that cascade into the moved tables (triggers do not fire for cascades) could not be read: ${errorMessage(err)}.`];
  }
  const moved = new Set(tables);
  return rows
    .filter((r) => moved.has(String(r.child)) && !(String(r.pdb) === database && moved.has(String(r.parent))))
    .map(
      (r) =>
        `${database}.${r.child} still changes through foreign key ${r.fk} (ON UPDATE ${r.ur}, ON DELETE ${r.dr}) when ${r.pdb}.${r.parent}, which was not moved, is written: triggers do not fire for cascades.`,
    );
}

/** The first BEFORE trigger per event that is not ours (our new one goes ahead of it). */
async function firstBeforeTriggers(conn: Connection, database: string, table: string): Promise<Map<string, string>> {
  const rows = await queryRows(
    conn,
    `SELECT EVENT_MANIPULATION AS ev, TRIGGER_NAME AS name FROM information_schema.TRIGGERS
      WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? AND ACTION_TIMING = 'BEFORE' AND TRIGGER_NAME NOT LIKE 'rwm\\_cutover\\_%'
      ORDER BY ACTION_ORDER`,
    [database, table],
  );
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(String(r.ev))) out.set(String(r.ev), String(r.name));
  return out;
}

/** Runs the lift statements; returns the error of the first that failed (the block may be partly in place). */
export async function liftBlock(source: ServerSpec, lift: string[]): Promise<string | null> {
  let conn: Connection | null = null;
  try {
    conn = await connect(source);
    for (const stmt of lift) await conn.query(stmt);
    return null;
  } catch (err) {
    return errorMessage(err);
  } finally {
    await closeQuietly(conn);
  }
}
