/**
 * The applier's target session: its settings, whether the binlog would annotate our statements,
 * and whether the account may run BINLOG statements (a replay's precondition).
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { NO_BINLOG_PRIVILEGE } from './replay/replayer.js';

export const SESSION = [
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
  // The net effect of a batch is applied table by table, not in source order, and a DELETE+INSERT
  // of a parent must not cascade to children on the target: the source already did that.
  'SET SESSION foreign_key_checks = 0',
  'SET SESSION sql_notes = 0',
  'SET SESSION autocommit = 1',
];

/**
 * Whether the target's binlog would annotate each of our statements with its text, after turning
 * that off for this session where the account may (BINLOG ADMIN or SUPER). MariaDB writes the text
 * of the statement next to its row events (binlog_annotate_row_events, on by default; MySQL's
 * binlog_rows_query_log_events is off by default), and inside a multi-statement query "the text of
 * the statement" runs to the end of the query: packing statements would write their text over and
 * over. The annotations are comments for mysqlbinlog readers (a replica applies the row events
 * only), and megabytes of generated INSERT text per batch help nobody. Where they stay on, every
 * query holds one statement.
 */
export async function rowAnnotations(conn: Connection): Promise<boolean> {
  for (const name of ['binlog_annotate_row_events', 'binlog_rows_query_log_events']) {
    await conn.query(`SET SESSION ${name} = 0`).catch(() => undefined);
    const on = await queryRows(conn, `SELECT @@SESSION.${name} AS v`).then(
      (rows) => Number(rows[0]?.v) === 1,
      () => false, // not this server's variable
    );
    if (on) return true;
  }
  return false;
}

/** Null when this account may run BINLOG statements, else the server's words. */
export async function binlogPrivilegeProblem(conn: Connection): Promise<string | null> {
  // An empty BINLOG is a syntax error (1149) for an account that may run it: the privilege is
  // checked first, so 1227 means it may not.
  try {
    await conn.query("BINLOG ''");
    return null;
  } catch (err) {
    const e = err as { errno?: number; message?: string };
    return e.errno === NO_BINLOG_PRIVILEGE ? (e.message ?? 'access denied') : null;
  }
}

/**
 * Why the target's settings rule out a replay, or null. slave_exec_mode=IDEMPOTENT (global) makes
 * the row applier overwrite a row that holds the same value of another unique key, where the SQL
 * path stops and names it (gh-ost #1633's silent loss), and skip a missing row instead of refusing
 * the batch; with binlog_format=STATEMENT the server cannot log the replayed rows.
 */
export async function replaySettingProblem(conn: Connection): Promise<string | null> {
  const rows = await queryRows(conn, 'SELECT @@GLOBAL.slave_exec_mode AS mode, @@SESSION.binlog_format AS format, @@log_bin AS logBin').catch(() => null);
  if (!rows) return "the target's slave_exec_mode could not be read";
  const { mode, format, logBin } = rows[0];
  if (String(mode).toUpperCase().includes('IDEMPOTENT')) return "the target's slave_exec_mode is IDEMPOTENT (a replayed row would overwrite another row holding the same unique value instead of stopping)";
  if (Number(logBin) === 1 && String(format).toUpperCase() === 'STATEMENT') return "the target's binlog_format is STATEMENT (it cannot log replayed rows)";
  return null;
}
