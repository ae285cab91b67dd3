/**
 * A row as the server's bytes, one Buffer (or NULL) per column: what the copy reads and encodes and
 * what the verifier compares. Sessions run with character_set_results = binary, so nothing here is
 * decoded or re-encoded.
 */
import type { RowDataPacket } from 'mysql2';
import type { Connection } from './connection.js';

export type RawRow = (Buffer | null)[];

/** mysql2's typeCast hook: the field's bytes untouched (the session has character_set_results=binary). */
const rawBytes = (field: { buffer(): Buffer | null }): Buffer | null => field.buffer();

export async function rawRows(conn: Connection, q: { sql: string; values: unknown[] }): Promise<RawRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>({ sql: q.sql, values: q.values, rowsAsArray: true, typeCast: rawBytes });
  return rows as unknown as RawRow[];
}
