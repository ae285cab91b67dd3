/**
 * What to do when a server of a job cannot be reached: the password variable of its role, or the
 * URL option and the server's state. Connection failures are bad input (exit 2): the command was
 * given a server it cannot use.
 */
import type { ConnectionFailure, ServerRole } from '../engine/jobs/index.js';
import { PASSWORD_ENV } from './password.js';

const ROLE_ENV: Record<ServerRole, string> = {
  source: PASSWORD_ENV.from,
  target: PASSWORD_ENV.to,
  replica: PASSWORD_ENV.replica,
  'source replica': PASSWORD_ENV.replica,
};

const ROLE_OPTION: Record<ServerRole, string> = {
  source: '--from',
  target: '--to',
  replica: '--replica',
  'source replica': '--source-replica',
};

export function connectionFix(f: ConnectionFailure): string {
  switch (f.kind) {
    case 'auth':
      return `set ${ROLE_ENV[f.role]} to the password of the user in ${ROLE_OPTION[f.role]} (or answer the prompt on a TTY), or check the user name`;
    case 'unreachable':
      return `check the host and port in ${ROLE_OPTION[f.role]} and that the server is running and reachable from here`;
    case 'tls':
      return `check the TLS settings of ${ROLE_OPTION[f.role]} (?ssl=true needs a server with TLS and a certificate this machine trusts)`;
    default:
      return `check ${ROLE_OPTION[f.role]} and the server's log`;
  }
}

export function connectionMessage(f: ConnectionFailure): string {
  return `cannot connect to the ${f.role} ${f.server}: ${f.error}\n  fix: ${connectionFix(f)}`;
}
