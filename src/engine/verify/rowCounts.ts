/**
 * Row counts: instant estimates from information_schema (InnoDB's TABLE_ROWS is a sample and can
 * be off by tens of percent, so it never decides a match), and exact COUNT(*) when asked.
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { qualified } from '../db/sql.js';

/** Estimated rows of every base table of a database, in one query. */
export async function estimateRows(conn: Connection, database: string): Promise<Map<string, number>> {
  const rows = await queryRows(
    conn,
    "SELECT TABLE_NAME AS name, TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [database],
  );
  return new Map(rows.map((r) => [String(r.name), Number(r.n ?? 0)]));
}

export async function exactRows(conn: Connection, database: string, table: string): Promise<number> {
  const rows = await queryRows(conn, `SELECT COUNT(*) AS n FROM ${qualified(database, table)}`);
  return Number(String(rows[0].n));
}

/** Exact counts on both servers at once (each COUNT(*) scans an index, so run them side by side). */
export async function exactRowsBoth(
  source: Connection,
  target: Connection,
  sourceDb: string,
  targetDb: string,
  table: string,
): Promise<{ source: number; target: number }> {
  const [s, t] = await Promise.all([exactRows(source, sourceDb, table), exactRows(target, targetDb, table)]);
  return { source: s, target: t };
}
