/**
 * The worker's topology handlers: tree listings and Test Connection through a connection cache,
 * and the one lag poll session of the active profile. Passwords arrive with each request (or once
 * per poll session) and live only in memory; everything here ends with the worker process.
 */
import type { Connection as RpcConnection } from 'vscode-languageserver/node';
import { setupHeartbeat } from '../engine/lag/index.js';
import { discoverReplicas, listColumns, listDatabases, listTableSummaries, readFacts, readSummary, testConnection } from '../engine/topology/index.js';
import { ConnectionCache } from '../engine/topology/index.js';
import { TopologyPoller } from '../engine/lag/index.js';
import type { TableSizes } from './tableSizes.js';
import {
  DiscoverReplicasRequest, LagUpdateNotification, ListColumnsRequest, ListDatabasesRequest, ListTablesRequest, LogNotification, ServerSummaryRequest,
  SetLagPollingIntervalRequest, SetupHeartbeatRequest, StartLagPollingRequest, StopLagPollingRequest, TestConnectionRequest,
} from '../protocol/index.js';

export function registerTopologyHandlers(connection: RpcConnection, sizes?: TableSizes): void {
  const cache = new ConnectionCache();
  let poller: TopologyPoller | null = null;
  const log = (message: string) => void connection.sendNotification(LogNotification, { level: 'info', message });

  connection.onRequest(ServerSummaryRequest, ({ server }) => cache.run(server, readSummary));
  connection.onRequest(TestConnectionRequest, ({ server, database }) => cache.run(server, (c) => testConnection(c, database)));
  connection.onRequest(ListDatabasesRequest, ({ server, only }) => cache.run(server, (c) => listDatabases(c, only)));
  connection.onRequest(ListTablesRequest, async ({ server, database }) => {
    const out = await cache.run(server, (c) => listTableSummaries(c, database));
    // The SQL checks read these estimates (the active primary's) instead of querying themselves.
    if (out.ok) sizes?.record(server, database, out.value);
    return out;
  });
  connection.onRequest(ListColumnsRequest, ({ server, database, tables }) => cache.run(server, (c) => listColumns(c, database, tables)));
  connection.onRequest(DiscoverReplicasRequest, ({ server }) => cache.run(server, discoverReplicas));
  connection.onRequest(SetupHeartbeatRequest, ({ server, database }) =>
    cache.run(server, async (c) => {
      const { serverId } = await readFacts(c);
      await setupHeartbeat(c, database, serverId);
      return { serverId };
    }),
  );

  connection.onRequest(StartLagPollingRequest, async (params) => {
    await poller?.stop();
    const next = new TopologyPoller(params, (update) => {
      if (poller === next) void connection.sendNotification(LagUpdateNotification, update);
    }, log);
    poller = next;
    sizes?.setActive(params.primary);
    await next.start();
    log(`lag polling started for ${params.profile}: ${params.replicas.length} replica(s) every ${params.intervalMs} ms${params.heartbeat ? ` (heartbeat ${params.heartbeat.database})` : ''}`);
  });
  connection.onRequest(SetLagPollingIntervalRequest, ({ intervalMs, heartbeatIntervalMs }) => poller?.setInterval(intervalMs, heartbeatIntervalMs));
  connection.onRequest(StopLagPollingRequest, async () => {
    const p = poller;
    poller = null;
    sizes?.setActive(null);
    await p?.stop();
  });
}
