// Helpers for node:test integration tests that run against the real MariaDB sandbox
// (scripts/sandbox.mjs). Start it first: npm run sandbox -- up --dir .sandbox-test
import * as fs from 'node:fs';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import type { ServerSpec } from '../../src/engine/jobs/types.js';

export type SandboxRole = 'primary' | 'replica' | 'target';

export interface SandboxServer {
  name: string;
  role: SandboxRole;
  host: string;
  port: number;
  serverId: number;
  /** Unix socket (root only; tests should use TCP with the users below). */
  socket: string;
  pid: number | null;
}

export interface SandboxUser {
  user: string;
  password: string;
}

export interface Topology {
  dir: string;
  servers: {
    primary: SandboxServer;
    replica1: SandboxServer;
    replica2: SandboxServer;
    target: SandboxServer;
    [name: string]: SandboxServer;
  };
  users: { admin: SandboxUser; repl: SandboxUser; reader: SandboxUser };
  databases: string[];
  /** The sandbox's own CA; every server offers TLS with a certificate for `serverName` that it signed. */
  tls: { caFile: string; serverName: string };
  seeded?: boolean;
}

/** test/support -> repo root (works from the .ts source run through tsx). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The sandbox folder the tests use: $RW_SANDBOX_DIR or <repo>/.sandbox-test. */
export function sandboxDir(): string {
  return path.resolve(process.env.RW_SANDBOX_DIR ?? path.join(REPO_ROOT, '.sandbox-test'));
}

/** Read the running sandbox's topology.json, with a clear error when the sandbox was never started. */
/** The engine's connection spec for a sandbox server, as the admin user. */
export function adminSpec(topo: Topology, server: SandboxServer): ServerSpec {
  return { host: server.host, port: server.port, user: topo.users.admin.user, password: topo.users.admin.password, name: server.name };
}

export function loadSandbox(): Topology {
  const dir = sandboxDir();
  const file = path.join(dir, 'topology.json');
  if (!fs.existsSync(file)) {
    throw new Error(`No MariaDB sandbox topology at ${file}. Start it with: npm run sandbox -- up --dir ${path.relative(process.cwd(), dir) || dir}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Topology;
}

/** Connection options shared by all test connections (fidelity-safe: see docs/mariadb facts). */
export function connectionOptions(server: SandboxServer, user: SandboxUser, database?: string): mysql.ConnectionOptions {
  return {
    host: server.host,
    port: server.port,
    user: user.user,
    password: user.password,
    database,
    jsonStrings: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
    connectTimeout: 10_000,
  };
}

async function connectAs(server: SandboxServer, user: SandboxUser, database?: string): Promise<mysql.Connection> {
  const conn = await mysql.createConnection(connectionOptions(server, user, database));
  await conn.query("SET time_zone='+00:00'");
  return conn;
}

/** Connect as rwadmin (ALL PRIVILEGES) over TCP; time_zone is set to +00:00. */
export async function adminConnect(server: SandboxServer, database?: string): Promise<mysql.Connection> {
  return connectAs(server, loadSandbox().users.admin, database);
}

/** Connect as rwreader (SELECT, REPLICATION CLIENT, PROCESS only) over TCP. */
export async function readerConnect(server: SandboxServer, database?: string): Promise<mysql.Connection> {
  return connectAs(server, loadSandbox().users.reader, database);
}

/** Poll `fn` until it returns a truthy value or the timeout passes (then throws with `what`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
