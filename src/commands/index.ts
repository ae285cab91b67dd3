/**
 * The one command table: every command id with the flow name its messages use and a factory that
 * makes its handler from the shared dependencies (rust-analyzer's editors/code keeps its commands
 * the same way). Every handler runs through runFlow, the one error path: a stop shows its message
 * and fix, a failure is logged and shown with "Show Log"; no handler rejects into VS Code.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { VerifyClient } from '../jobs/verifyClient.js';
import type { LagIndicator } from '../statusbar/lagIndicator.js';
import type { TopologyTree } from '../tree/topologyTree.js';
import { runFlow } from '../ui/quickFlow.js';
import { WorkerInfoPanel } from '../panels/workerInfoPanel.js';
import { controlJob, cutoverJob, openJobProgress, openJobReport, refreshJobs, resumeJob, syncJob, type JobsController } from './jobs.js';
import { migrateFlow } from './migrate.js';
import { runSqlCommand } from './sql.js';
import { partitionFlow, PARTITION_FLOW } from './partition.js';
import { addProfile, addReplica, editProfile, removeProfile, setActiveProfile, setPassword, setUpHeartbeat } from './profiles.js';
import { showReplicationStatus } from './replication.js';
import { syncJobFrom, SYNC_FROM_FLOW } from './syncFrom.js';
import { discoverReplicas, showLag, testConnection } from './topology.js';
import { verifyFlow, VERIFY_FLOW } from './verify.js';
import { pingWorker, restartWorker } from './worker.js';

/** Everything a command may need; the profile store is the context's one ProfileStore. */
export interface CommandDeps {
  ctx: Ctx;
  tree: TopologyTree;
  lag: LagIndicator;
  jobs: JobsController;
  verify: VerifyClient;
}

type Handler = (arg: unknown) => unknown;

interface CommandSpec {
  /** The name the command's messages use, e.g. "Add Profile failed: …". */
  flow: string;
  make(d: CommandDeps): Handler;
}

/** The profile/topology commands take the same deps object (store = ctx.store). */
const profileDeps = (d: CommandDeps) => ({ ctx: d.ctx, store: d.ctx.store, tree: d.tree, lag: d.lag });

export const COMMANDS: Record<string, CommandSpec> = {
  // Profiles and topology
  'rwMigrate.addProfile': { flow: 'Add Profile', make: (d) => () => addProfile(profileDeps(d)) },
  'rwMigrate.addReplica': { flow: 'Add Replica', make: (d) => (arg) => addReplica(profileDeps(d), arg) },
  'rwMigrate.editProfile': { flow: 'Edit Profile', make: (d) => (arg) => editProfile(profileDeps(d), arg) },
  'rwMigrate.removeProfile': { flow: 'Remove Profile', make: (d) => (arg) => removeProfile(profileDeps(d), arg) },
  'rwMigrate.setPassword': { flow: 'Set Password', make: (d) => (arg) => setPassword(profileDeps(d), arg) },
  'rwMigrate.setActiveProfile': { flow: 'Set Active Profile', make: (d) => (arg) => setActiveProfile(profileDeps(d), arg) },
  // The server node's wording for the same thing: watch this server's profile in the status bar.
  'rwMigrate.useForLagIndicator': { flow: 'Use for Lag Indicator', make: (d) => (arg) => setActiveProfile(profileDeps(d), arg) },
  'rwMigrate.setUpHeartbeat': { flow: 'Set Up Heartbeat', make: (d) => (arg) => setUpHeartbeat(profileDeps(d), arg) },
  'rwMigrate.testConnection': { flow: 'Test Connection', make: (d) => (arg) => testConnection(profileDeps(d), arg) },
  'rwMigrate.discoverReplicas': { flow: 'Discover Replicas', make: (d) => (arg) => discoverReplicas(profileDeps(d), arg) },
  'rwMigrate.showLag': { flow: 'Show Replication Lag', make: (d) => (arg) => showLag(profileDeps(d), arg) },
  'rwMigrate.refresh': { flow: 'Refresh', make: (d) => () => d.tree.refresh() },
  'rwMigrate.showReplicationStatus': { flow: 'Show Replication Status', make: (d) => (arg) => showReplicationStatus(d.ctx, d.ctx.store, arg) },
  // Migrate, compare, verify
  'rwMigrate.migrateTable': { flow: 'Migrate Table', make: (d) => (arg) => migrateFlow(d.ctx, d.ctx.store, d.jobs, 'table', arg) },
  'rwMigrate.migrateDatabase': { flow: 'Migrate Database', make: (d) => (arg) => migrateFlow(d.ctx, d.ctx.store, d.jobs, 'database', arg) },
  'rwMigrate.compareTable': { flow: VERIFY_FLOW.compareTable, make: (d) => (arg) => verifyFlow(d.ctx, d.ctx.store, d.verify, 'compareTable', arg) },
  'rwMigrate.compareDatabase': { flow: VERIFY_FLOW.compareDatabase, make: (d) => (arg) => verifyFlow(d.ctx, d.ctx.store, d.verify, 'compareDatabase', arg) },
  'rwMigrate.verifyTable': { flow: VERIFY_FLOW.verifyTable, make: (d) => (arg) => verifyFlow(d.ctx, d.ctx.store, d.verify, 'verifyTable', arg) },
  'rwMigrate.partitionTable': { flow: PARTITION_FLOW, make: (d) => (arg) => partitionFlow(d.ctx, d.ctx.store, arg) },
  // Run SQL from the editor, each statement routed (or all on the primary)
  'rwMigrate.runSql': { flow: 'Run SQL', make: (d) => (arg) => runSqlCommand({ ctx: d.ctx, store: d.ctx.store, lag: d.lag }, false, arg) },
  'rwMigrate.runSqlOnPrimary': { flow: 'Run SQL on Primary', make: (d) => (arg) => runSqlCommand({ ctx: d.ctx, store: d.ctx.store, lag: d.lag }, true, arg) },
  // Jobs
  'rwMigrate.refreshJobs': { flow: 'List jobs', make: (d) => () => refreshJobs(d.ctx, d.jobs) },
  'rwMigrate.pauseJob': { flow: 'Pause Job', make: (d) => (arg) => controlJob(d.jobs, 'pause', 'Pause Job', arg) },
  'rwMigrate.resumeJob': { flow: 'Resume Job', make: (d) => (arg) => resumeJob(d.ctx, d.jobs, arg) },
  'rwMigrate.cancelJob': { flow: 'Cancel Job', make: (d) => (arg) => controlJob(d.jobs, 'cancel', 'Cancel Job', arg) },
  'rwMigrate.syncJob': { flow: 'Sync Job', make: (d) => (arg) => syncJob(d.ctx, d.jobs, arg) },
  'rwMigrate.syncJobFrom': { flow: SYNC_FROM_FLOW, make: (d) => (arg) => syncJobFrom(d.ctx, d.jobs, arg) },
  'rwMigrate.cutoverJob': { flow: 'Cut Over', make: (d) => (arg) => cutoverJob(d.ctx, d.jobs, arg) },
  'rwMigrate.clearFinishedJobs': { flow: 'Clear Finished Jobs', make: (d) => () => d.jobs.model.clearFinished() },
  'rwMigrate.openJobReport': { flow: 'Open Job Report', make: (d) => (arg) => openJobReport(d.jobs, arg) },
  'rwMigrate.openJobProgress': { flow: 'Open Job Progress', make: (d) => (arg) => openJobProgress(d.ctx, d.jobs, arg) },
  // The worker
  'rwMigrate.showWorkerInfo': { flow: 'Show Worker Info', make: (d) => () => WorkerInfoPanel.show(d.ctx) },
  'rwMigrate.pingWorker': { flow: 'Ping Worker', make: (d) => () => pingWorker(d.ctx) },
  'rwMigrate.restartWorker': { flow: 'Restart Worker', make: (d) => () => restartWorker(d.ctx) },
  'rwMigrate.showLog': { flow: 'Show Log', make: (d) => () => d.ctx.log.show() },
};

export function registerCommands(d: CommandDeps): void {
  for (const [id, spec] of Object.entries(COMMANDS)) {
    const handler = spec.make(d);
    d.ctx.own(vscode.commands.registerCommand(id, (arg?: unknown) => runFlow(d.ctx.log, spec.flow, () => handler(arg))));
  }
}
