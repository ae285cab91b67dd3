// Types of index.mjs (so TypeScript tests can drive the sandbox).
export interface SandboxServer {
  name: string;
  role: 'primary' | 'replica' | 'target';
  host: string;
  port: number;
  serverId: number;
  socket: string;
  pid: number | null;
}
export interface SandboxUser { user: string; password: string }
export interface Topology {
  dir: string;
  servers: Record<string, SandboxServer>;
  users: { admin: SandboxUser; repl: SandboxUser; reader: SandboxUser };
  databases: string[];
  seeded: boolean;
  /** The sandbox's own CA; every server offers TLS with a certificate for `serverName` that it signed. */
  tls: { caFile: string; serverName: string };
  timings?: Record<string, number>;
}
export declare const DEFAULT_DIR: string;
export declare const USERS: Topology['users'];
export declare function resolveDir(dir?: string): string;
export declare function sandboxUp(opts?: { dir?: string; seed?: boolean; log?: (msg: string) => void }): Promise<Topology>;
export declare function sandboxDown(opts?: { dir?: string; purge?: boolean }): Promise<{
  dir: string;
  stopped: Array<{ name: string; pid: number | null; stopped: boolean; forced: boolean }>;
  purged: boolean;
}>;
export declare function sandboxStatus(opts?: { dir?: string }): Promise<{
  dir: string;
  ok: boolean;
  servers: Record<string, Record<string, unknown>>;
}>;
export declare function readTopology(dir?: string): Topology;
export declare function stopServer(dir: string, name: string, opts?: { kill?: boolean }): Promise<{
  name: string;
  pid: number | null;
  stopped: boolean;
  forced: boolean;
}>;
export declare function startServer(dir: string, name: string): Promise<SandboxServer>;
export declare function sandboxSeedLarge(opts?: { dir?: string; seed?: boolean; log?: (msg: string) => void }): Promise<{
  skipped: boolean;
  seconds: number;
  rows: number;
  dataMB: number;
}>;
