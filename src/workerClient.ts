/**
 * Owns the background worker process. The LanguageClient gives us process supervision, IPC framing
 * and restart for free; we use only its custom-request channel.
 *
 * Two lifetimes, as in rust-analyzer's editors/code Ctx (extension subscriptions vs. client
 * subscriptions): this object lives as long as the extension, while everything that belongs to one
 * worker process (notification handlers, the lag polling session it was sent) lives in a
 * WorkerScope, opened each time a worker process is running and disposed when it stops. The
 * LanguageClient restarts a crashed worker on the same client object, so "a new client" can never
 * be the signal for a re-subscription: the scope is.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LogNotification, type LogLevel, type SqlChecksSettings, type WorkerInitializationOptions } from './protocol/index.js';

/** What belongs to one worker process; disposed, in reverse order, when that process stops. */
export class WorkerScope implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(readonly client: LanguageClient) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  own<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // A handler of a dead connection may fail to unregister; the scope still ends.
      }
    }
  }
}

/** Called on every worker (re)start, with the scope of that worker process. */
export type WorkerStarted = (scope: WorkerScope) => void;

export class WorkerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private scope: WorkerScope | undefined;
  private readonly started = new Set<WorkerStarted>();
  private readonly stoppedEmitter = new vscode.EventEmitter<void>();
  /** Fires when a worker process stops (a crash before its restart, a Restart Worker, the end). */
  readonly onDidStop = this.stoppedEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * `fn` runs for the worker running now (if any) and again on every later (re)start, each time
   * with a fresh scope: subscribe there, never on the client directly.
   */
  onDidStart(fn: WorkerStarted): vscode.Disposable {
    this.started.add(fn);
    if (this.scope && !this.scope.isDisposed) fn(this.scope);
    return { dispose: () => this.started.delete(fn) };
  }

  /** Starts the worker on first use, or waits for one that is (re)starting; concurrent callers share one start. */
  async ready(): Promise<LanguageClient> {
    if (this.client?.isRunning()) return this.client;
    this.starting ??= this.bringUp().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops the worker process and starts a new one on the same client (RW Migrate: Restart Worker). */
  async restart(): Promise<LanguageClient> {
    const client = this.client;
    if (!client) return this.ready();
    this.log.info('restarting the worker');
    await client.restart();
    return client;
  }

  private async bringUp(): Promise<LanguageClient> {
    const client = this.client ?? this.create();
    if (client.isRunning()) return client;
    try {
      // start() joins a start in progress (the client's own restart after a crash) and starts a stopped client.
      await client.start();
    } catch (err) {
      // "Client is currently stopping": a Restart Worker is between its stop and its start.
      if (client.isRunning()) return client;
      await this.whenRunning(client, err);
    }
    return client;
  }

  private whenRunning(client: LanguageClient, cause: unknown, timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`the worker did not start within ${timeoutMs / 1000} s: ${cause instanceof Error ? cause.message : String(cause)}`));
      }, timeoutMs);
      const sub = client.onDidChangeState(({ newState }) => {
        if (newState !== State.Running) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
  }

  private create(): LanguageClient {
    const module = path.join(this.extensionPath, 'dist', 'worker.js');
    // No GC flags: the copy streams rows into reused blocks and its heap peaks near 30 MB, so Node's
    // defaults measured the same as larger young generations (docs/benchmarks.md).
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6019'] } },
    };
    // SQL checks (src/worker/sqlChecks.ts): the worker sees .sql documents and the rwMigrate.sqlChecks
    // settings, which the client sends again on every change.
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'sql' }],
      outputChannel: this.log,
      synchronize: { configurationSection: 'rwMigrate.sqlChecks' },
      initializationOptions: (): WorkerInitializationOptions => ({
        sqlChecks: vscode.workspace.getConfiguration('rwMigrate').get<SqlChecksSettings>('sqlChecks'),
      }),
    };
    const client = new LanguageClient('rwMigrate.worker', 'RW Migrate Worker', serverOptions, clientOptions);
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) this.open(client);
      else this.close();
    });
    this.client = client;
    return client;
  }

  /** A worker process is running: a fresh scope, and every subscriber gets it. */
  private open(client: LanguageClient): void {
    this.close();
    const scope = new WorkerScope(client);
    this.scope = scope;
    scope.own(client.onNotification(LogNotification, ({ level, message }) => this.write(level, message)));
    for (const fn of [...this.started]) {
      try {
        fn(scope);
      } catch (err) {
        this.log.error(`worker start hook failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private close(): void {
    const scope = this.scope;
    if (!scope) return;
    this.scope = undefined;
    scope.dispose();
    this.stoppedEmitter.fire();
  }

  private write(level: LogLevel, message: string): void {
    this.log[level](`[worker] ${message}`);
  }

  async dispose(): Promise<void> {
    this.started.clear();
    await this.client?.stop().catch(() => undefined);
    this.close();
    this.stoppedEmitter.dispose();
    this.client = undefined;
  }
}
