/**
 * The stored marks of incremental jobs, in the target's rw_migrate schema: one row per job and
 * table, written on the writer connection in the same transaction as the chunk that moves it, so
 * after a kill -9 the mark says exactly which rows are on the target (resume reads after it).
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { CHECKPOINT_DB } from '../jobs/checkpoint.js';
import type { KeyPart } from '../jobs/types.js';
import type { StoredMark } from './cursor.js';

/** Separate from checkpoint.ts's tables so that an existing rw_migrate schema gains it by CREATE IF NOT EXISTS. */
const DDL = `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_DB}.watermarks (
     job_id VARCHAR(64) NOT NULL,
     table_name VARCHAR(64) NOT NULL,
     column_name VARCHAR(64) NOT NULL,
     mark_value VARCHAR(255) NULL COMMENT 'the column value as the source prints it',
     mark_key LONGTEXT NULL COMMENT 'JSON: the key after the value (text, or {hex} for bytes)',
     updated_at DATETIME(3) NOT NULL,
     PRIMARY KEY (job_id, table_name)
   ) ENGINE=InnoDB`;

export async function ensureMarkSchema(target: Connection): Promise<void> {
  await target.query(DDL);
}

/** The statement a chunk's transaction runs to move its table's mark. */
export function saveMarkStatement(jobId: string, table: string, column: string, mark: StoredMark): { sql: string; values: unknown[] } {
  return {
    sql:
      `INSERT INTO ${CHECKPOINT_DB}.watermarks (job_id, table_name, column_name, mark_value, mark_key, updated_at) VALUES (?, ?, ?, ?, ?, NOW(3)) ` +
      'ON DUPLICATE KEY UPDATE column_name = VALUES(column_name), mark_value = VALUES(mark_value), mark_key = VALUES(mark_key), updated_at = VALUES(updated_at)',
    values: [jobId, table, column, mark.value, JSON.stringify(mark.key)],
  };
}

/** Each table's stored mark (a table without a row has none yet: its first run reads it whole). */
export async function loadMarks(target: Connection, jobId: string): Promise<Map<string, { column: string; mark: StoredMark }>> {
  const rows = await queryRows(target, `SELECT table_name, column_name, mark_value, mark_key FROM ${CHECKPOINT_DB}.watermarks WHERE job_id = ?`, [jobId]).catch((err: unknown) => {
    // No table yet (a schema from before this mode): no marks.
    if ((err as { errno?: number }).errno === 1146) return [];
    throw err;
  });
  return new Map(
    rows.map((r) => [
      String(r.table_name),
      {
        column: String(r.column_name),
        mark: { value: r.mark_value === null ? null : String(r.mark_value), key: r.mark_key === null ? [] : (JSON.parse(String(r.mark_key)) as KeyPart[]) },
      },
    ]),
  );
}

/** Forgets a table's mark: its next chunk starts from the beginning (the target table was dropped or emptied). */
export async function dropMark(target: Connection, jobId: string, table: string): Promise<void> {
  await target.query(`DELETE FROM ${CHECKPOINT_DB}.watermarks WHERE job_id = ? AND table_name = ?`, [jobId, table]);
}
