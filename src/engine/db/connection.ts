/**
 * Connections with the settings that keep data exact (see shared/notes/mariadb-facts.md):
 * strings for JSON, dates, DECIMAL and BIGINT; UTC sessions so TIMESTAMP never shifts; utf8mb4 names.
 */
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import type { ServerSpec } from './server.js';

export type { Connection };

export function serverLabel(spec: ServerSpec): string {
  return spec.name ?? `${spec.host}:${spec.port}`;
}

function sslOptions(spec: ServerSpec): ConnectionOptions['ssl'] {
  if (!spec.ssl) return undefined;
  if (spec.ssl === true) return { rejectUnauthorized: true };
  return { rejectUnauthorized: spec.ssl.rejectUnauthorized ?? true, ca: spec.ssl.ca };
}

export interface ConnectOptions {
  database?: string;
  /** Extra session statements run after the standard ones (e.g. sql_mode for writers). */
  session?: string[];
  /**
   * Statements without values are sent as they are, not scanned for placeholders first (mysql2's
   * default scans every statement's text, megabytes for a change batch). Values still bind.
   */
  rawQueries?: boolean;
  /**
   * Several statements per query (one round trip). Only for SQL the product generates with every
   * value escaped (the change applier); the server stops at the first failing statement.
   */
  multipleStatements?: boolean;
}

function rawQueryFormat(sql: string, values: unknown): string {
  return Array.isArray(values) && values.length > 0 ? mysql.format(sql, values) : sql;
}

export async function connect(spec: ServerSpec, opts: ConnectOptions = {}): Promise<Connection> {
  const conn = await mysql.createConnection({
    host: spec.host,
    port: spec.port,
    user: spec.user,
    password: spec.password,
    database: opts.database ?? spec.database,
    ssl: sslOptions(spec),
    charset: 'utf8mb4',
    jsonStrings: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    multipleStatements: opts.multipleStatements === true,
    // LOAD DATA LOCAL is only ever answered from memory: each load passes its own stream factory,
    // and this default refuses any file name the server might ask for.
    infileStreamFactory: (path: string) => {
      const r = new Readable({ read() {} });
      process.nextTick(() => r.destroy(new Error(`unexpected LOCAL INFILE request for ${path}`)));
      return r;
    },
    connectTimeout: 10_000,
    ...(opts.rawQueries ? { queryFormat: rawQueryFormat } : {}),
  });
  try {
    await conn.query("SET time_zone = '+00:00'");
    await conn.query('SET NAMES utf8mb4');
    for (const stmt of opts.session ?? []) await conn.query(stmt);
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return conn;
}

export async function queryRows<T extends RowDataPacket = RowDataPacket>(
  conn: Connection,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const [rows] = await conn.query<T[]>(sql, values);
  return rows;
}

export async function closeQuietly(conn: Connection | null | undefined): Promise<void> {
  if (!conn) return;
  try {
    await conn.end();
  } catch {
    conn.destroy();
  }
}
