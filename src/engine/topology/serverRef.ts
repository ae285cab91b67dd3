/**
 * A profile's server (ServerRef) as the engine's connection spec, TLS mode included. Kept apart from
 * topology/connect.ts so the extension host can use it without bundling the database driver.
 */
import { readFileSync } from 'node:fs';
import type { ServerSpec } from '../db/server.js';
import type { ServerRef, TopologyError } from './types.js';

export function toServerSpec(ref: ServerRef): ServerSpec {
  let ssl: ServerSpec['ssl'];
  if (ref.tls === 'required') {
    // "required" encrypts without checking who answers, like the mysql client's --ssl-mode=REQUIRED.
    ssl = { rejectUnauthorized: false };
  } else if (ref.tls === 'verify-ca') {
    if (!ref.caFile) {
      throw new TopologyFailure({ kind: 'tls', message: `${ref.name}: TLS verify-ca needs a CA file: add caFile to this server in rwMigrate.profiles` });
    }
    let ca: string;
    try {
      ca = readFileSync(ref.caFile, 'utf8');
    } catch (err) {
      throw new TopologyFailure({ kind: 'tls', message: `${ref.name}: cannot read CA file ${ref.caFile}: ${(err as Error).message}. Fix caFile in rwMigrate.profiles` });
    }
    ssl = { rejectUnauthorized: true, ca };
  }
  return { host: ref.host, port: ref.port, user: ref.user, password: ref.password, ssl, name: ref.name };
}

/** A failure already classified for the UI. */
export class TopologyFailure extends Error {
  constructor(readonly info: TopologyError) {
    super(info.message);
    this.name = 'TopologyFailure';
  }
}
