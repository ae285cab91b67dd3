/**
 * Owns the background worker process. The LanguageClient gives us process supervision, IPC framing
 * and restart for free; we use only its custom-request channel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LogNotification, type LogLevel, type SqlChecksSettings, type WorkerInitializationOptions } from './protocol/index.js';

export class WorkerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Starts the worker on first use; concurrent callers share one start. */
  async ready(): Promise<LanguageClient> {
    if (this.client?.isRunning()) return this.client;
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
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
    client.onNotification(LogNotification, ({ level, message }) => this.write(level, message));
    await client.start();
    this.client = client;
    return client;
  }

  private write(level: LogLevel, message: string): void {
    this.log[level](`[worker] ${message}`);
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }
}
