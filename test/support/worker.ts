// The real bundled worker process, spoken to exactly as the extension's LanguageClient does:
// a forked Node process, JSON-RPC over IPC, initialised with the LSP handshake.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { REPO_ROOT } from './sandbox.js';

export interface WorkerProcess {
  child: ChildProcess;
  rpc: MessageConnection;
  stop(): void;
}

/** `subscribe` runs before `listen()` so no early notification is lost. */
export async function startWorker(subscribe: (rpc: MessageConnection) => void = () => undefined): Promise<WorkerProcess> {
  const workerPath = path.join(REPO_ROOT, 'dist', 'worker.js');
  assert.ok(existsSync(workerPath), 'dist/worker.js is missing: run `node scripts/build.mjs` first');
  const child = fork(workerPath, ['--node-ipc', `--clientProcessId=${process.pid}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rpc = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  subscribe(rpc);
  rpc.listen();
  await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await rpc.sendNotification('initialized', {});
  return {
    child,
    rpc,
    stop() {
      rpc.dispose();
      child.kill();
    },
  };
}
