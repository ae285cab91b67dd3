/**
 * Connections that know which side they are: a failure names the server, its role in the job
 * (source, target, replica) and what went wrong, so the caller can name the fix (the CLI: the
 * password variable of that role; the editor: Set Password on that server).
 */
import { connect, serverLabel, type ConnectOptions, type Connection } from '../db/connection.js';
import { classifyError } from '../topology/connect.js';
import type { ConnectionFailure, ServerRole, ServerSpec } from '../jobs/types.js';

export class ConnectionFailedError extends Error {
  constructor(readonly failure: ConnectionFailure) {
    super(`cannot connect to the ${failure.role} ${failure.server}: ${failure.error}`);
    this.name = 'ConnectionFailedError';
  }
}

/** host:port, with the server's name first when it has one that says more. */
export function serverName(spec: ServerSpec): string {
  const where = `${spec.host}:${spec.port}`;
  const label = serverLabel(spec);
  return label === where ? where : `${label} (${where})`;
}

export function connectionFailure(err: unknown, spec: ServerSpec, role: ServerRole): ConnectionFailure {
  const info = classifyError(err, { host: spec.host, port: spec.port, user: spec.user, name: serverLabel(spec) });
  const kind: ConnectionFailure['kind'] = info.kind === 'auth' || info.kind === 'unreachable' || info.kind === 'tls' ? info.kind : 'other';
  return { role, server: serverName(spec), kind, error: info.message };
}

export async function connectAs(spec: ServerSpec, role: ServerRole, opts: ConnectOptions = {}): Promise<Connection> {
  try {
    return await connect(spec, opts);
  } catch (err) {
    throw new ConnectionFailedError(connectionFailure(err, spec, role));
  }
}
