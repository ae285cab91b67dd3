/**
 * Sync From Another Server… (the Jobs view's menu on a finished full copy): after a failover the
 * job's source is gone and a promoted replica holds the same transactions under other binlog file
 * names. The user picks a server of a connection profile; a modal says that the stream continues
 * there by GTID and when it is refused; then the sync runs as Sync does (`rw-migrate sync --source`
 * in the worker: SyncJobRequest with `from`) and its outcome is shown the same way.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { serverLabel } from '../engine/topology/profileModel.js';
import { canSyncFrom } from '../jobs/jobsModel.js';
import { FlowStop } from '../ui/quickFlow.js';
import { profilesOrStop, toSpec, withPassword } from '../ui/servers.js';
import { rowFor, showSyncOutcome, type JobsController } from './jobs.js';
import { pickServer } from './profilePicks.js';

export const SYNC_FROM_FLOW = 'Sync From Another Server';
const GO = 'Sync From This Server';

export async function syncJobFrom(ctx: Ctx, jobs: JobsController, arg: unknown): Promise<void> {
  const flow = SYNC_FROM_FLOW;
  const row = await rowFor(jobs, arg, flow, (r) => canSyncFrom(r.view));
  if (!canSyncFrom(row.view)) {
    throw new FlowStop(`${flow}: job ${row.label} is a ${row.view.mode} job, ${row.view.state}; only a finished full copy follows a binlog, so only it can continue from another server.`);
  }
  profilesOrStop(ctx.store, flow);
  // Never the Jobs view's element: the server is asked for, among every profile's servers.
  const choice = await pickServer(ctx.store, undefined);
  if (!choice) throw new FlowStop(`${flow} cancelled: nothing was synced.`);
  const where = `${serverLabel(choice.server)} (${choice.role} of ${choice.profile.name})`;
  const answer = await vscode.window.showWarningMessage(
    `Sync ${row.label} from ${where}?`,
    {
      modal: true,
      detail:
        `The change stream continues by GTID from ${where} instead of the job's source ${row.source} (after a failover: the promoted replica). ` +
        `The sync finds the job's GTID position in that server's binlog and applies what came after it to ${row.target}, up to where that server is when the sync starts. ` +
        'If the server has not logged every transaction the job already applied, the sync is refused and nothing is written. The server is only read.',
    },
    GO,
  );
  if (answer !== GO) throw new FlowStop(`${flow} cancelled: nothing was synced.`);
  const from = await toSpec(await withPassword(ctx.store, flow, choice.profile.name, choice.server));
  showSyncOutcome(ctx, row, await jobs.sync(row, flow, from), where);
}
