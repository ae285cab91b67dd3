/**
 * The cut-over itself, run by the hybrid job that follows the source: block writes to the moved
 * tables on the source, read the source's position AFTER the block (Vitess #16563: a position read
 * before it can miss the last writes), wait until the target has applied everything up to it,
 * verify every moved table by checksum of exact values, report. Writes stay blocked on success: the
 * application switches to the target, and the user lifts the block with the reported statements.
 *
 * Before verification passes nothing is claimed: any failure lifts the block (the application still
 * writes to the source) and says so, or says loudly that lifting failed and how to lift by hand.
 */
import { closeQuietly, connect, queryRows, serverLabel, type Connection } from '../db/connection.js';
import { errorMessage, RefusedError } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { sourcePosition } from '../cdc/stream.js';
import { readFacts, readGrants } from '../topology/topology.js';
import { readWriteTargetRole } from '../topology/writeTarget.js';
import { verify } from '../verify/verifier.js';
import type { TableVerdict } from '../verify/types.js';
import type { CutoverBlock, CutoverOutcome, CutoverReport, StreamPosition } from '../jobs/types.js';
import { blockReadOnly, blockWithTriggers, BlockNotTakenError, liftBlock, type ActiveBlock } from './block.js';
import { cutoverPrivileges } from './privileges.js';
import type { CutoverStep } from './requestStore.js';

export interface CutoverDeps {
  source: ServerSpec;
  target: ServerSpec;
  sourceDatabase: string;
  targetDatabase: string;
  /** The moved tables (names in sourceDatabase; the same names in targetDatabase). */
  tables: string[];
  jobId: string;
  block: CutoverBlock;
  /** Resolves once the target holds every change up to `position`; rejects on timeout or failure. */
  waitApplied(position: StreamPosition, timeoutMs: number): Promise<void>;
  onStep(step: CutoverStep, message: string): void;
  /** How long the target may take to catch up after the block (default 60 s). */
  catchUpTimeoutMs?: number;
  /** How long the block may wait for running transactions (lock_wait_timeout, default 3 s). */
  lockWaitSeconds?: number;
}

/** The cut-over failed; `blockLifted` says whether writes are unblocked again (the message says so too). */
export class CutoverFailedError extends Error {
  constructor(
    message: string,
    readonly blockLifted: boolean,
  ) {
    super(message);
    this.name = 'CutoverFailedError';
  }
}

function account(currentUser: string): string {
  const at = currentUser.lastIndexOf('@');
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return at < 0 ? q(currentUser) : `${q(currentUser.slice(0, at))}@${q(currentUser.slice(at + 1))}`;
}

/** Refusals before anything is touched: a replica source, missing tables, missing privileges. */
async function preflight(conn: Connection, deps: CutoverDeps): Promise<Awaited<ReturnType<typeof readFacts>>> {
  const where = serverLabel(deps.source);
  const role = await readWriteTargetRole(conn);
  if (role.unknown) {
    throw new RefusedError(
      `Cannot tell whether the source ${where} is a replica (${role.unknown.message}); the cut-over writes to it only when it is not. ` +
        'Grant the source account SLAVE MONITOR (MariaDB) or REPLICATION CLIENT (MySQL) and ask again.',
    );
  }
  if (role.channels.length > 0) {
    throw new RefusedError(
      `The source ${where} replicates from ${role.channels.map((c) => c.source).join(', ')}: it is a replica, and the cut-over never writes to one. ` +
        'The block belongs on the primary the application writes to.',
    );
  }
  const facts = await readFacts(conn);
  if (facts.readOnly) {
    throw new RefusedError(
      `The source ${where} already has read_only = ON: it is not the server the application writes to, or an earlier cut-over's block is still in place ` +
        '(then lift it first: SET GLOBAL read_only = OFF).',
    );
  }
  const present = await queryRows(
    conn,
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN (${deps.tables.map(() => '?').join(', ')})`,
    [deps.sourceDatabase, ...deps.tables],
  );
  const have = new Set(present.map((r) => String(r.t)));
  const absent = deps.tables.filter((t) => !have.has(t));
  if (absent.length > 0) throw new RefusedError(`The source ${where} has no table ${absent.map((t) => `${deps.sourceDatabase}.${t}`).join(', ')}: nothing was blocked.`);
  const [me] = await queryRows(conn, 'SELECT CURRENT_USER() AS u, @@GLOBAL.log_bin_trust_function_creators AS trust');
  const verdict = cutoverPrivileges(await readGrants(conn), account(String(me.u)), facts, deps.block, deps.sourceDatabase, deps.tables, Number(me.trust) === 1);
  // With roles granted, their privileges are not in SHOW GRANTS: the server itself refuses at the
  // block statement, which is still before anything is blocked.
  if (verdict.missing.length > 0 && verdict.roles.length === 0) {
    throw new RefusedError(
      `The source account lacks ${verdict.missing.join(', ')}, which the ${deps.block} block needs; nothing was blocked. Fix: ${verdict.fix.join('; ')}.`,
    );
  }
  return facts;
}

async function readGtid(conn: Connection, flavor: string): Promise<string | null> {
  const [r] = await queryRows(conn, flavor === 'mariadb' ? 'SELECT @@gtid_binlog_pos AS g' : 'SELECT @@gtid_executed AS g');
  const g = r?.g === null || r?.g === undefined ? '' : String(r.g);
  return g === '' ? null : g;
}

function differs(v: TableVerdict): string {
  const parts = [`source ${v.sourceRows ?? '?'} rows, target ${v.targetRows ?? '?'} rows`];
  if (v.diff) {
    const d = v.diff;
    if (d.missing.length) parts.push(`${d.missing.length}${d.truncated ? '+' : ''} missing on the target`);
    if (d.extra.length) parts.push(`${d.extra.length}${d.truncated ? '+' : ''} extra on the target`);
    if (d.different.length) {
      const cols = [...new Set(d.different.flatMap((c) => c.columns))].slice(0, 5);
      parts.push(`${d.different.length}${d.truncated ? '+' : ''} with different values (${cols.join(', ')})`);
    }
  } else if (v.mismatchedRanges.length) parts.push(`${v.mismatchedRanges.length} key range(s) differ`);
  if (v.message) parts.push(v.message);
  return `${v.table} (${v.status}: ${parts.join(', ')})`;
}

export async function performCutover(deps: CutoverDeps): Promise<CutoverReport> {
  const lockWaitSeconds = deps.lockWaitSeconds ?? 3;
  const step = (s: CutoverStep, m: string) => {
    try {
      deps.onStep(s, m);
    } catch {
      // a listener's bug must not leave a block in place
    }
  };
  if (deps.tables.length === 0) throw new RefusedError('No tables to cut over.');
  const conn = await connect(deps.source);
  let active: ActiveBlock;
  try {
    const facts = await preflight(conn, deps);
    // The outage starts with the block statement: while it waits for running transactions, new
    // writes already queue behind it.
    const blockStarted = performance.now();
    try {
      active =
        deps.block === 'read-only'
          ? await blockReadOnly(conn, facts, lockWaitSeconds)
          : await blockWithTriggers(deps.source, conn, {
              database: deps.sourceDatabase,
              tables: deps.tables,
              jobId: deps.jobId,
              lockWaitSeconds,
              movedTo: (t) => `${deps.target.host}:${deps.target.port}/${deps.targetDatabase}.${t}`,
            });
    } catch (err) {
      const why = err instanceof BlockNotTakenError ? err.message : errorMessage(err);
      const remaining = err instanceof BlockNotTakenError ? err.remaining : [];
      const message =
        remaining.length === 0
          ? `Cut-over failed: ${why} Nothing was changed: writes to the source were not blocked.`
          : `Cut-over failed: ${why} Writes to part of the moved tables are STILL BLOCKED on ${serverLabel(deps.source)}: lift by hand with ${remaining.join('; ')}`;
      step('failed', message);
      throw new CutoverFailedError(message, remaining.length === 0);
    }
    try {
      return await afterBlock(conn, deps, facts.flavor, active, blockStarted, step);
    } catch (err) {
      if (err instanceof CutoverFailedError) throw err;
      throw await fail(deps, active, errorMessage(err));
    }
  } finally {
    await closeQuietly(conn);
  }
}

async function afterBlock(
  conn: Connection,
  deps: CutoverDeps,
  flavor: string,
  active: ActiveBlock,
  blockStarted: number,
  step: (s: CutoverStep, m: string) => void,
): Promise<CutoverReport> {
  const where = serverLabel(deps.source);
  const catchUpTimeoutMs = deps.catchUpTimeoutMs ?? 60_000;
  const blockedWhat = deps.block === 'read-only' ? `the whole server ${where} is read-only` : `writes to ${deps.tables.length} table(s) on ${where} are refused by blocker triggers`;
  const position = await sourcePosition(conn);
  if (!position) throw await fail(deps, active, 'the source has no binary log position (SHOW MASTER STATUS is empty: is log_bin on?)');
  const finalGtid = await readGtid(conn, flavor);
  step('blocked', `${blockedWhat}${active.timing ? ` (${active.timing})` : ''}; source at ${position.file}:${position.position}${finalGtid ? ` (GTID ${finalGtid})` : ''}${active.warnings.length ? `. ${active.warnings.join(' ')}` : ''}`);
  try {
    await deps.waitApplied(position, catchUpTimeoutMs);
  } catch (err) {
    throw await fail(deps, active, `the target did not catch up to ${position.file}:${position.position} (${errorMessage(err)})`);
  }
  const blockedToCaughtUpMs = Math.round(performance.now() - blockStarted);
  step('caught-up', `the target holds everything up to ${position.file}:${position.position}, ${blockedToCaughtUpMs} ms after the block`);
  const verifyStarted = performance.now();
  let verdicts: TableVerdict[];
  try {
    const report = await verify({
      source: deps.source,
      target: deps.target,
      database: deps.sourceDatabase,
      targetDatabase: deps.targetDatabase,
      tables: deps.tables,
      mode: 'rows',
      maxDiffRows: 20,
    });
    verdicts = report.tables;
  } catch (err) {
    throw await fail(deps, active, `verification could not run (${errorMessage(err)})`);
  }
  const verifyMs = Math.round(performance.now() - verifyStarted);
  const bad = verdicts.filter((v) => v.status !== 'match');
  const missing = deps.tables.filter((t) => !verdicts.some((v) => v.table === t));
  if (bad.length > 0 || missing.length > 0) {
    const what = [...bad.map(differs), ...missing.map((t) => `${t} (not verified)`)];
    throw await fail(deps, active, `verification found the target different from the source after catching up: ${what.join('; ')}. Nothing is cut over`);
  }
  step('verified', `${verdicts.length} table(s) equal on source and target by checksum of exact values (${verifyMs} ms)`);
  const report: CutoverReport = {
    block: deps.block,
    finalPosition: position,
    finalGtid,
    blockedToCaughtUpMs,
    verifyMs,
    tables: verdicts.map((v) => ({ table: v.table, rows: v.sourceRows ?? 0, match: true })),
    lift: active.lift,
    ...(active.warnings.length ? { warnings: active.warnings } : {}),
  };
  step('done', `cut over: switch the application to ${serverLabel(deps.target)}; writes stay blocked on ${where} until you run: ${active.lift.join('; ')}`);
  return report;
}

/** Lifts the block and builds the error that says so (or says loudly that it is still in place). */
async function fail(deps: CutoverDeps, active: ActiveBlock, why: string): Promise<CutoverFailedError> {
  const liftError = await liftBlock(deps.source, active.lift);
  const message =
    liftError === null
      ? `Cut-over failed: ${why}. Nothing was changed: the block was lifted and writes to the source are unblocked (the application still writes to ${serverLabel(deps.source)}).`
      : `Cut-over failed: ${why}. Lifting the block FAILED (${liftError}): writes to the source are STILL BLOCKED. Lift it by hand on ${serverLabel(deps.source)}: ${active.lift.join('; ')}`;
  try {
    deps.onStep('failed', message);
  } catch {
    // the message is in the error too
  }
  return new CutoverFailedError(message, liftError === null);
}

/** performCutover as an outcome (never throws): what the job writes with finishCutover. */
export async function runCutover(deps: CutoverDeps): Promise<CutoverOutcome> {
  try {
    const report = await performCutover(deps);
    return { state: 'done', message: `cut over; writes stay blocked on ${serverLabel(deps.source)} until lifted: ${report.lift.join('; ')}`, report };
  } catch (err) {
    if (err instanceof RefusedError) return { state: 'refused', message: err.message };
    if (!(err instanceof CutoverFailedError)) {
      try {
        deps.onStep('failed', errorMessage(err));
      } catch {
        // the outcome carries it
      }
    }
    return { state: 'failed', message: errorMessage(err) };
  }
}
