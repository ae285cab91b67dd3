/**
 * Server URLs: mysql://USER@HOST:PORT/DB. Passwords never come from argv (they would show in ps and
 * shell history), so a URL carrying one is rejected.
 */
import type { ServerSpec } from '../engine/jobs/index.js';
import { UsageError } from './exit-codes.js';

export interface ParsedServerUrl {
  server: ServerSpec;
  database: string | null;
}

export function parseServerUrl(text: string, what: string, needDatabase: boolean): ParsedServerUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: not a URL: ${text} (expected mysql://USER@HOST:PORT/DB)`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new UsageError(`${what}: expected a mysql:// or mariadb:// URL, got ${url.protocol}//`);
  }
  if (url.password) {
    throw new UsageError(
      `${what}: the URL contains a password. Passwords are never taken from the command line; ` +
        'set RW_MIGRATE_FROM_PASSWORD / RW_MIGRATE_TO_PASSWORD / RW_MIGRATE_REPLICA_PASSWORD or answer the prompt.',
    );
  }
  if (!url.username) throw new UsageError(`${what}: the URL needs a user (mysql://USER@HOST:PORT/DB)`);
  if (!url.hostname) throw new UsageError(`${what}: the URL needs a host`);
  const port = url.port ? Number(url.port) : 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${what}: bad port ${url.port}`);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (path.includes('/')) throw new UsageError(`${what}: the path must be a single database name`);
  const database = path === '' ? null : path;
  if (needDatabase && !database) throw new UsageError(`${what}: the URL needs a database (mysql://USER@HOST:PORT/DB)`);
  const ssl = url.searchParams.get('ssl');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    server: {
      host,
      port,
      user: decodeURIComponent(url.username),
      ...(ssl === 'true' || ssl === '1' ? { ssl: true } : {}),
    },
    database,
  };
}

/** The URL shown back to the user and stored in the local job list: never a password. */
export function formatServerUrl(s: ServerSpec, database?: string | null): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `mysql://${encodeURIComponent(s.user)}@${host}:${s.port}${database ? `/${encodeURIComponent(database)}` : ''}`;
}
