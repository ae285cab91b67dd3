/**
 * The heartbeat a copy throttles on: while the job runs it writes the target's row of a
 * pt-heartbeat compatible table every `intervalMs` (the target is the primary its replicas follow, so
 * the row replicates), and each watched replica's probe reads the row back. Seconds_Behind_Master
 * only measures the SQL thread against its relay log: a replica whose IO thread receives nothing
 * (a stalled network, a stuck primary dump thread) shows 0 while it falls behind; the heartbeat shows
 * the real delay.
 */
import { connect, type Connection } from '../db/connection.js';
import { HeartbeatWriter, setupHeartbeat } from '../lag/heartbeat.js';
import type { HeartbeatSource } from '../lag/replicaProbe.js';
import { readFacts } from '../topology/topology.js';
import type { ServerSpec } from '../jobs/types.js';

export const COPY_HEARTBEAT_INTERVAL_MS = 200;

export class CopyHeartbeat {
  private constructor(
    private readonly writer: HeartbeatWriter,
    readonly database: string,
    readonly serverId: number,
  ) {}

  /** Creates the table and the target's row if missing (replicated like any write), then starts writing. */
  static async start(target: Connection, targetSpec: ServerSpec, database: string, intervalMs = COPY_HEARTBEAT_INTERVAL_MS): Promise<CopyHeartbeat> {
    const { serverId } = await readFacts(target);
    await setupHeartbeat(target, database, serverId);
    const writer = new HeartbeatWriter(() => connect(targetSpec), database, serverId, intervalMs);
    writer.start();
    return new CopyHeartbeat(writer, database, serverId);
  }

  /** What a replica probe needs: the row to read and this writer's history (exact lag, not now - ts). */
  source(pendingLimitSeconds: number): HeartbeatSource {
    return {
      database: this.database,
      primaryServerId: this.serverId,
      recent: () => this.writer.recent,
      writerError: () => this.writer.lastError,
      pendingLimitSeconds,
    };
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }
}
