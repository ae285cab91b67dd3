/**
 * The background worker: a vscode-languageserver connection over IPC, started by the extension's
 * LanguageClient. All database work happens here so a slow query never blocks the extension host.
 */
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { ENGINE_VERSION } from '../engine/version.js';
import { LogNotification, PingRequest, WorkerInfoRequest, type WorkerInfo } from '../protocol/index.js';
import { registerJobHandlers } from './jobs.js';
import { registerTopologyHandlers } from './topology.js';
import { registerVerifyHandlers } from './verify.js';
import { registerSyncHandlers } from './sync.js';

const startedAt = Date.now();
const connection = createConnection(ProposedFeatures.all);

function workerInfo(): WorkerInfo {
  return {
    pid: process.pid,
    nodeVersion: process.version,
    engineVersion: ENGINE_VERSION,
    uptimeMs: Date.now() - startedAt,
    rssBytes: process.memoryUsage().rss,
  };
}

connection.onInitialize(() => ({
  // The worker serves no language features; it only needs the JSON-RPC channel.
  capabilities: { textDocumentSync: TextDocumentSyncKind.None },
  serverInfo: { name: 'rw-migrate-worker', version: ENGINE_VERSION },
}));

connection.onInitialized(() => {
  void connection.sendNotification(LogNotification, { level: 'info', message: `worker ${process.pid} ready` });
});

connection.onRequest(PingRequest, (params) => ({ ...workerInfo(), sentAt: params.sentAt }));
connection.onRequest(WorkerInfoRequest, () => workerInfo());
registerTopologyHandlers(connection);
registerJobHandlers(connection);
registerVerifyHandlers(connection);
registerSyncHandlers(connection);

connection.listen();
