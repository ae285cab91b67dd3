/**
 * Connections for the topology side: a ServerRef (what the extension sends) becomes the copy
 * engine's ServerSpec, errors become a kind the UI can offer a fix for, and a small cache keeps one
 * connection per server so expanding tree nodes does not pay a handshake each time.
 */
import { createHash } from 'node:crypto';
import { closeQuietly, connect, type Connection } from '../db/connection.js';
import { TopologyFailure, toServerSpec } from './serverRef.js';
import type { Outcome, ServerRef, TopologyError } from './types.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'EPIPE']);
/** Node's certificate verification failures (the chain does not lead to the CA in caFile). */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);
const PRIVILEGE = new Set(['ER_SPECIFIC_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR']);

/** Turns a driver error into a kind and a sentence that names the server and the likely fix. */
export function classifyError(err: unknown, ref: Pick<ServerRef, 'name' | 'host' | 'port' | 'user' | 'caFile'>): TopologyError {
  if (err instanceof TopologyFailure) return err.info;
  const e = err as { code?: string; message?: string; errno?: number };
  const code = e?.code;
  const raw = e?.message ?? String(err);
  const where = `${ref.host}:${ref.port}`;
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') {
    return { kind: 'auth', code, message: `Access denied for ${ref.user} on ${where}: wrong password or user (${raw})` };
  }
  if (code && UNREACHABLE.has(code)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : code === 'ETIMEDOUT' ? 'timed out' : code === 'ENOTFOUND' ? 'unknown host' : raw;
    return { kind: 'unreachable', code, message: `Cannot reach ${where}: ${why}` };
  }
  // mysql2 reports a failed TLS handshake as HANDSHAKE_SSL_ERROR with Node's message; older paths keep Node's code.
  const handshake = code === 'HANDSHAKE_SSL_ERROR';
  if ((code && UNTRUSTED.has(code)) || (handshake && /self-signed|unable to (verify|get (local )?issuer)|signature failure/i.test(raw))) {
    return { kind: 'tls', code, message: `${where}: TLS: the server's certificate is not signed by the CA in ${ref.caFile ?? 'caFile'} (${raw}). Check the server's caFile in rwMigrate.profiles, or use tls "required" to encrypt without verifying.` };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || (handshake && /expired|not yet valid/i.test(raw))) {
    return { kind: 'tls', code, message: `${where}: TLS: the server's certificate is not valid now (${raw}). Renew it on the server.` };
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return { kind: 'tls', code, message: `${where}: TLS: the server does not offer TLS. Enable it on the server (ssl_cert, ssl_key) or set tls to "off" for this server in rwMigrate.profiles.` };
  }
  if (handshake) return { kind: 'tls', code, message: `${where}: TLS handshake failed: ${raw}. Check the server's TLS settings in rwMigrate.profiles.` };
  if (code && PRIVILEGE.has(code)) return { kind: 'privilege', code, message: `${ref.user} on ${where} lacks a privilege: ${raw}` };
  return { kind: 'other', code, message: `${where}: ${raw}` };
}

export async function connectServer(ref: ServerRef, database?: string): Promise<Connection> {
  if (ref.password === undefined) {
    throw new TopologyFailure({ kind: 'no-password', message: `No password stored for ${ref.user}@${ref.host}:${ref.port}` });
  }
  return connect(toServerSpec(ref), { database });
}

/** Fatal errors leave a mysql2 connection unusable: drop it from the cache. */
function isFatal(err: unknown): boolean {
  const e = err as { fatal?: boolean; code?: string };
  return e?.fatal === true || (e?.code !== undefined && UNREACHABLE.has(e.code));
}

interface Cached {
  conn: Promise<Connection>;
  timer: NodeJS.Timeout;
}

/** One connection per server+credentials, closed after a quiet minute. */
export class ConnectionCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly idleMs = 60_000) {}

  private key(ref: ServerRef): string {
    const secret = createHash('sha256').update(ref.password ?? '').digest('hex').slice(0, 16);
    return `${ref.host}:${ref.port}:${ref.user}:${ref.tls ?? 'off'}:${ref.caFile ?? ''}:${secret}`;
  }

  async run<T>(ref: ServerRef, fn: (conn: Connection) => Promise<T>): Promise<Outcome<T>> {
    const key = this.key(ref);
    let entry = this.entries.get(key);
    if (!entry) {
      const conn = connectServer(ref);
      entry = { conn, timer: setTimeout(() => void this.drop(key), this.idleMs) };
      entry.timer.unref();
      this.entries.set(key, entry);
    } else {
      entry.timer.refresh();
    }
    try {
      return { ok: true, value: await fn(await entry.conn) };
    } catch (err) {
      if (isFatal(err) || !(await entry.conn.then(() => true, () => false))) await this.drop(key);
      return { ok: false, error: classifyError(err, ref) };
    }
  }

  private async drop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    clearTimeout(entry.timer);
    const conn = await entry.conn.catch(() => null);
    if (conn) conn.destroy();
  }

  async close(): Promise<void> {
    for (const [key, entry] of [...this.entries]) {
      this.entries.delete(key);
      clearTimeout(entry.timer);
      await closeQuietly(await entry.conn.catch(() => null));
    }
  }
}
