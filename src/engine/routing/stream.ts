/**
 * One statement read as a stream (mysql2's event API on the underlying connection) instead of one
 * buffered answer: each row reaches the caller as the server sends it, so the first rows of a large
 * result can be shown while the rest is still arriving. Only the first result set is passed on (a
 * CALL answers with several, plus an OK packet), as the buffered query did.
 */
import type { Connection } from '../db/connection.js';

/** The OK packet of a statement without rows (write, DDL): counts and session-tracking changes. */
export interface OkHeader {
  affectedRows?: number;
  insertId?: number | string;
}

export interface RowSink {
  /** The first result set's column names, before its first row. */
  columns(names: string[]): void;
  /** One row of the first result set, values as mysql2 decoded them. */
  row(values: unknown[]): void;
}

export interface StreamEnd {
  /** The first result set's OK packet when it had no rows (a write), else null. */
  header: OkHeader | null;
  /** The last OK packet of the answer (a CALL's trailing one), whose session tracking holds the GTID of a write. */
  lastHeader: OkHeader | null;
}

interface StreamingQuery {
  on(event: 'fields', listener: (fields: { name: string }[] | undefined) => void): this;
  on(event: 'result', listener: (row: unknown) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'end', listener: () => void): this;
}

/** The callback connection under mysql2's promise wrapper: only it has the streaming query API. */
interface CoreConnection {
  query(options: { sql: string; rowsAsArray: boolean }): StreamingQuery;
  on(event: 'error', listener: (err: Error) => void): this;
  removeListener(event: 'error', listener: (err: Error) => void): this;
}

function coreOf(conn: Connection): CoreConnection {
  return (conn as unknown as { connection: CoreConnection }).connection;
}

/**
 * Runs `sql` and feeds its rows to `sink` as they arrive. Resolves once the server's answer is
 * complete; rejects with the server's error, also one that comes after rows (the rows fed so far
 * stay with the caller). The connection is busy until then, so callers must not interleave.
 */
export function streamQuery(conn: Connection, sql: string, sink: RowSink): Promise<StreamEnd> {
  const core = coreOf(conn);
  return new Promise<StreamEnd>((resolve, reject) => {
    // A result set starts with a 'fields' event (undefined for an OK packet): count them to keep the first.
    let set = -1;
    let firstIsHeader = false;
    let header: OkHeader | null = null;
    let lastHeader: OkHeader | null = null;
    let settled = false;
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      core.removeListener('error', onConnectionError);
      if (err) reject(err);
      else resolve({ header, lastHeader });
    };
    // A lost connection is reported to the connection, not to a query without a callback: without
    // this listener the error would be unhandled (and end the worker).
    const onConnectionError = (err: Error): void => settle(err);
    core.on('error', onConnectionError);
    const query = core.query({ sql, rowsAsArray: true });
    query.on('fields', (fields) => {
      set++;
      if (set !== 0) return;
      if (fields) sink.columns(fields.map((f) => f.name));
      else firstIsHeader = true;
    });
    query.on('result', (row) => {
      if (!Array.isArray(row)) {
        lastHeader = row as OkHeader;
        if (set === 0 && firstIsHeader) header = lastHeader;
        return;
      }
      if (set === 0) sink.row(row as unknown[]);
    });
    query.on('error', (err) => settle(err));
    query.on('end', () => settle(null));
  });
}
