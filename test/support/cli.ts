// Runs the rw-migrate CLI as a child process, collecting its stdout line by line: the kill -9 /
// resume tests need the live process, its lines so far and its exit. `useCliFixture` is the file
// set-up the CLI tests share (the sandbox connections, this run's database names, a private home).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import type mysql from 'mysql2/promise';
import type { JobSpec } from '../../src/engine/index.js';
import { adminConnect, adminSpec, loadSandbox, REPO_ROOT, type SandboxServer, type Topology } from './sandbox.js';

export interface CliRun {
  child: ChildProcess;
  /** Complete stdout lines so far (with `mergeStderr`, stderr chunks too, as `stderr: ...`). */
  lines: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

export interface SpawnOptions {
  mergeStderr?: boolean;
  /**
   * `source` (the default): src/cli/main.ts through tsx. `bundle`: bin/rw-migrate.js and the
   * bundled dist/cli.js, as `npx rw-migrate` runs it (the tests that cover what is shipped).
   */
  entry?: 'source' | 'bundle';
}

export function spawnCli(args: string[], env: Record<string, string>, opts: SpawnOptions = {}): CliRun {
  const entry = opts.entry === 'bundle' ? [path.join(REPO_ROOT, 'bin', 'rw-migrate.js')] : ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (opts.mergeStderr) lines.push(`stderr: ${d.toString()}`);
  });
  // 'close', not 'exit': by then both pipes are drained, so `lines` holds all the run printed.
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, lines, stderr, exit };
}

/** The run's JSON lines (`--json`), parsed. */
export function jsonLines(run: CliRun): Record<string, unknown>[] {
  return run.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Everything the run printed, stdout then stderr: for failure messages and text assertions. */
export function text(run: CliRun): string {
  return run.lines.join('\n') + run.stderr.join('');
}

export type ServerName = 'primary' | 'replica1' | 'replica2' | 'target';

export interface CliOptions extends SpawnOptions {
  /** Added to (and overriding) the fixture's environment: the admin passwords and the home. */
  env?: Record<string, string>;
}

/**
 * The sandbox and the CLI for the tests that drive `rw-migrate` as a user does: the primary and
 * target connections, a source and a target database named for this run (the layers run files one
 * after another and a crashed run can leave databases behind, so every name carries the run id),
 * and a private RW_MIGRATE_HOME. `useCliFixture` registers the file's before/after hooks; the
 * connections are set once `before` has run.
 */
export class CliFixture {
  topo!: Topology;
  primary!: mysql.Connection;
  target!: mysql.Connection;
  readonly runId = `${Date.now().toString(36)}${process.pid}`;
  readonly srcDb: string;
  readonly dstDb: string;
  readonly home: string;
  private readonly drops: { server: 'primary' | 'target'; db: string }[] = [];
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private opening: Promise<void> | null = null;

  constructor(
    prefix: string,
    private readonly defaults: CliOptions = {},
    private readonly seed?: (primary: mysql.Connection, db: string) => Promise<void>,
  ) {
    this.srcDb = `${prefix}_src_${this.runId}`;
    this.dstDb = `${prefix}_dst_${this.runId}`;
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `rwm-${prefix}-`));
  }

  /** The CLI with the admin password for --from and --to (replicas share it), and this file's home. */
  cli(args: string[], opts: CliOptions = {}): CliRun {
    const password = this.topo.users.admin.password;
    const env = {
      RW_MIGRATE_FROM_PASSWORD: password,
      RW_MIGRATE_TO_PASSWORD: password,
      RW_MIGRATE_HOME: this.home,
      ...this.defaults.env,
      ...opts.env,
    };
    return spawnCli(args, env, { mergeStderr: opts.mergeStderr ?? this.defaults.mergeStderr, entry: opts.entry ?? this.defaults.entry });
  }

  /** A sandbox server's URL for the CLI, as the admin user (its password goes by the environment). */
  url(server: SandboxServer | ServerName, db?: string): string {
    const s = typeof server === 'string' ? this.topo.servers[server] : server;
    return `mysql://${this.topo.users.admin.user}@${s.host}:${s.port}${db ? `/${db}` : ''}`;
  }

  /** A job from the primary's srcDb to the target's dstDb as the admin user: every table, a full copy, unless `over` says otherwise. */
  spec(over: Partial<JobSpec> = {}): JobSpec {
    return {
      source: adminSpec(this.topo, this.topo.servers.primary),
      target: adminSpec(this.topo, this.topo.servers.target),
      sourceDatabase: this.srcDb,
      targetDatabase: this.dstDb,
      tables: 'all',
      mode: 'full',
      ...over,
    };
  }

  /** Drop `db` on that server after the file (besides srcDb and dstDb, which always go); returns `db`. */
  dropAfter(server: 'primary' | 'target', db: string): string {
    this.drops.push({ server, db });
    return db;
  }

  /** Run `fn` in the file's after, first, while the connections are still open (a file's own after runs once they are closed). */
  atClose(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  /**
   * Connects and seeds, once: a file's own `before` must `await fx.open()` first, because Node 20
   * runs a file's top-level `before` hooks concurrently, not one after another (its `after` hooks
   * do run in order); without it a job could start on a half-seeded source.
   */
  open(): Promise<void> {
    this.opening ??= this.connectAndSeed();
    return this.opening;
  }

  private async connectAndSeed(): Promise<void> {
    this.topo = loadSandbox();
    this.primary = await adminConnect(this.topo.servers.primary);
    this.target = await adminConnect(this.topo.servers.target);
    if (this.seed) {
      await this.primary.query(`CREATE DATABASE \`${this.srcDb}\` CHARACTER SET utf8mb4`);
      await this.seed(this.primary, this.srcDb);
    }
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups) await fn().catch(() => undefined);
    const all = [{ server: 'primary' as const, db: this.srcDb }, { server: 'target' as const, db: this.dstDb }, ...this.drops];
    for (const { server, db } of all) {
      const conn = server === 'primary' ? this.primary : this.target;
      await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
    }
    await this.primary?.end();
    await this.target?.end();
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/**
 * A CliFixture for this test file: `seed` (when given) creates the source database (utf8mb4) and
 * its tables before the tests; after the file, the databases go and the home is removed. A file's
 * own `before` starts with `await fx.open()` (see `open`); its own `after` runs after this one.
 */
export function useCliFixture(prefix: string, opts: CliOptions & { seed?: (primary: mysql.Connection, db: string) => Promise<void> } = {}): CliFixture {
  const { seed, ...defaults } = opts;
  const fx = new CliFixture(prefix, defaults, seed);
  before(() => fx.open());
  after(() => fx.close());
  return fx;
}
