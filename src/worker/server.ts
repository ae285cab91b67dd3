/**
 * The background worker: a vscode-languageserver connection over IPC, started by the extension's
 * LanguageClient. All database work happens here so a slow query never blocks the extension host.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { ENGINE_VERSION } from '../engine/index.js';
import { LogNotification, PingRequest, WorkerInfoRequest, type WorkerInfo } from '../protocol/index.js';
import { registerJobHandlers } from './jobs.js';
import { registerPartitionHandlers } from './partition.js';
import { registerSqlChecks } from './sqlChecks.js';
import { TableSizes } from './tableSizes.js';
import { registerTopologyHandlers } from './topology.js';
import { registerVerifyHandlers } from './verify.js';
import { registerSqlHandlers } from './sql.js';
import { registerSyncHandlers } from './sync.js';
import { registerCutoverHandlers } from './cutover.js';

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

const tableSizes = new TableSizes();
const sqlChecks = registerSqlChecks(connection, tableSizes);

connection.onInitialize((params) => {
  sqlChecks.initialize(params);
  // One language feature: SQL checks on .sql documents (the client's documentSelector); the rest of
  // the channel carries the custom requests of src/protocol.
  return { capabilities: { ...sqlChecks.capabilities }, serverInfo: { name: 'rw-migrate-worker', version: ENGINE_VERSION } };
});

connection.onInitialized(() => {
  void connection.sendNotification(LogNotification, { level: 'info', message: `worker ${process.pid} ready` });
});

connection.onRequest(PingRequest, (params) => ({ ...workerInfo(), sentAt: params.sentAt }));
connection.onRequest(WorkerInfoRequest, () => workerInfo());
registerTopologyHandlers(connection, tableSizes);
registerJobHandlers(connection);
registerVerifyHandlers(connection);
registerPartitionHandlers(connection);
registerSqlHandlers(connection);
registerSyncHandlers(connection);
registerCutoverHandlers(connection);

connection.listen();
