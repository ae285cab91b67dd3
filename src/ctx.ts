/**
 * One context object per activation (as in rust-analyzer's editors/code): it owns the output
 * channel, the worker client, the profile store and every disposable, so deactivate() has one thing
 * to tear down. What belongs to one worker process lives in the worker's own scope (workerClient.ts).
 */
import * as vscode from 'vscode';
import { ProfileStore } from './connections/profiles.js';
import { ReadonlyDocs } from './ui/readonlyDocs.js';
import { WorkerClient } from './workerClient.js';

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly worker: WorkerClient;
  /** Read-only Markdown views (counts, replication status, job summaries). */
  readonly docs: ReadonlyDocs;
  /** The one ProfileStore (settings + SecretStorage) every command and view reads profiles through. */
  readonly store: ProfileStore;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel('RW Migrate', { log: true }));
    this.worker = new WorkerClient(extension.extensionPath, this.log);
    this.docs = this.own(new ReadonlyDocs());
    this.store = new ProfileStore(extension.secrets);
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  /** Stops the worker first (it may still log), then everything else in reverse order of creation. */
  async dispose(): Promise<void> {
    await this.worker.dispose();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
