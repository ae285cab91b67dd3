/**
 * Jobs on the extension side: the one subscriber to the worker's job notifications (the client
 * allows one handler per method, so the progress panel listens on `jobs.model` instead), the Jobs
 * view, and the start/pause/resume/cancel/open commands. Starting returns at once; progress flows in.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ProfileStore } from '../connections/profiles.js';
import type { WorkerScope } from '../workerClient.js';
import type { Ctx } from '../ctx.js';
import { startedJobSummary } from '../engine/jobs/jobSummary.js';
import { redactSpec } from '../engine/jobs/redact.js';
import type { CutoverBlock, CutoverOutcome, JobSpec, ServerSpec } from '../engine/jobs/types.js';
import { canCancel, canCutover, canPause, canSync, JobsModel, rowResume, summarizeRow, type JobRow } from '../jobs/jobsModel.js';
import { findProfileServer } from '../jobs/resume.js';
import { JobsTree } from '../jobs/jobsTree.js';
import { JobProgressStore } from '../jobs/progressStore.js';
import { ProgressPanel } from '../panels/progressPanel.js';
import { exportReportCommand } from './report.js';
import { JobControlRequest, JobEventNotification, JobFinishedNotification, ListJobsRequest, ResumeJobRequest, StartJobRequest, type JobAction } from '../protocol/index.js';
import { CutoverJobRequest, SyncEventNotification, SyncJobRequest, type SyncResult } from '../protocol/index.js';
import { cutoverConfirmation, cutoverOutcomeText, type CutoverSubject } from '../ui/cutoverPlan.js';
import { toSpec, withPassword } from '../ui/servers.js';
import { FlowStop, input, pickOne, runFlow } from '../ui/quickFlow.js';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class JobsController implements vscode.Disposable {
  readonly model = new JobsModel();
  /** Coalesced per-job progress for the progress panel, fed from the same notifications. */
  readonly progress = new JobProgressStore();
  /** Targets of jobs started in this session, listed too even when their profile is not a target profile. */
  private readonly extraTargets = new Map<string, ServerSpec>();

  private readonly subscription: vscode.Disposable;
  private workerStarts = 0;

  constructor(private readonly ctx: Ctx) {
    this.model.onChange((change) => {
      if (change.kind === 'event') {
        // A job only listed so far (not started here): its row knows the mode, and so which phases it has.
        const id = change.event.jobId;
        if (!this.progress.has(id)) this.progress.begin(id, null, undefined, this.model.get(id)?.view.mode);
        this.progress.ingest(change.event);
      }
      if (change.kind === 'finished') this.progress.finish(change.result);
    });
    this.subscription = ctx.worker.onDidStart((scope) => this.onWorkerStart(scope));
  }

  private get store(): ProfileStore {
    return this.ctx.store;
  }

  /** The worker client; the job notifications are wired per worker process in onWorkerStart. */
  async client(): Promise<LanguageClient> {
    return this.ctx.worker.ready();
  }

  /**
   * Each worker process gets its own handlers (disposed with it). After a restart the jobs the dead
   * worker ran are listed again: the checkpoint still calls them running, no worker holds them, so
   * they show as interrupted with Resume, and nothing is lost from the view.
   */
  private onWorkerStart(scope: WorkerScope): void {
    const client = scope.client;
    scope.own(client.onNotification(JobEventNotification, (event) => this.model.applyEvent(event)));
    scope.own(
      client.onNotification(JobFinishedNotification, (result) => {
          this.model.applyResult(result);
          const row = this.model.get(result.jobId);
          const what = row ? row.label : `job ${result.jobId}`;
          this.ctx.log.info(`job ${result.jobId} ${result.state}: ${result.rows} rows in ${result.seconds.toFixed(1)} s${result.message ? ` (${result.message})` : ''}`);
          if (result.state === 'done') void vscode.window.showInformationMessage(`Migration done: ${what}, ${result.rows.toLocaleString('en-US')} rows.`);
          else if (result.state !== 'cancelled') {
            void vscode.window.showErrorMessage(`Migration ${result.state}: ${what}. ${result.message ?? ''}`.trim(), 'Show Details').then((b) => {
              if (b) void vscode.commands.executeCommand('rwMigrate.openJobProgress', this.model.get(result.jobId));
            });
          }
        }),
    );
    if (this.workerStarts++ > 0) {
      // The dead worker's live jobs are no longer live: let the listing judge them again.
      this.model.forgetLive();
      void refreshJobs(this.ctx, this);
    }
  }

  /** Sends StartJobRequest and returns the job id at once; the spec's passwords are not kept. */
  async start(spec: JobSpec): Promise<string> {
    const client = await this.client();
    const { jobId } = await client.sendRequest(StartJobRequest, { spec });
    this.extraTargets.set(`${spec.target.host}:${spec.target.port}`, spec.target);
    const summary = startedJobSummary(jobId, redactSpec(spec));
    this.progress.begin(jobId, summary.spec);
    this.model.applyStarted(summary);
    return jobId;
  }

  /** Lists jobs the worker holds and those recorded on each known target; one bad target does not hide the rest. */
  async refresh(): Promise<void> {
    const client = await this.client();
    const held = await client.sendRequest(ListJobsRequest, { targets: [] });
    this.model.applySummaries(held);
    const targets = new Map(this.extraTargets);
    for (const profile of this.store.all().filter((p) => p.target)) {
      const ref = await this.store.ref(profile.name, profile.primary);
      // Listing never asks for a password; profiles without a stored one are skipped.
      if (ref.password !== undefined) targets.set(`${ref.host}:${ref.port}`, await toSpec(ref).catch(() => ({ host: ref.host, port: ref.port, user: ref.user, password: ref.password })));
    }
    for (const [key, target] of targets) {
      try {
        this.model.applySummaries(await client.sendRequest(ListJobsRequest, { targets: [target] }));
      } catch (err) {
        this.ctx.log.warn(`jobs: cannot list the jobs recorded on ${key}: ${errorText(err)}`);
      }
    }
    // Jobs the checkpoint calls running that this worker does not run were interrupted (e.g. by a reload).
    this.model.markHeld(new Set(held.map((j) => j.id)));
  }

  /**
   * Resume: a live paused job is un-paused in the worker; a cancelled, failed or interrupted one
   * continues from its target's checkpoint (ResumeJobRequest), with the passwords of the profile
   * servers its stored spec names (asked for when none is stored). Returns what was done.
   */
  async resume(row: JobRow, flow: string): Promise<'unpaused' | 'resumed'> {
    const kind = rowResume(row);
    if (!kind) throw new FlowStop(`${flow}: job ${row.label} is ${row.view.state}; there is nothing to resume.`);
    const client = await this.client();
    if (kind === 'unpause') {
      const answer = await client.sendRequest(JobControlRequest, { jobId: row.id, action: 'resume' });
      if (answer.ok) {
        this.ctx.log.info(`job ${row.id}: resume requested`);
        return 'unpaused';
      }
      // Not in this worker (a reload): continue from the checkpoint instead.
    }
    await this.fromCheckpoint(row, flow);
    return 'resumed';
  }

  /**
   * Runs a job on from its target's checkpoint (ResumeJobRequest): a stopped job continues after its
   * last committed chunk; a finished incremental job runs its next increment from the stored marks.
   */
  private async fromCheckpoint(row: JobRow, flow: string): Promise<void> {
    if (!row.endpoints) throw new FlowStop(`${flow}: job ${row.id} has no recorded source and target. Refresh the Jobs view (it lists the jobs recorded on target profiles) and try again.`, 'warning');
    const client = await this.client();
    const source = await this.serverWithPassword(flow, row.endpoints.source, 'source');
    const target = await this.serverWithPassword(flow, row.endpoints.target, 'target');
    const before = this.model.applyResuming(row.id);
    this.progress.restart(row.id);
    try {
      await client.sendRequest(ResumeJobRequest, { jobId: row.id, source, target });
    } catch (err) {
      if (before) this.model.restore(before);
      throw new FlowStop(`${flow}: cannot resume job ${row.id} from the checkpoint on ${row.endpoints.target.host}:${row.endpoints.target.port}: ${errorText(err)}`, 'error');
    }
    this.extraTargets.set(`${target.host}:${target.port}`, target);
    this.ctx.log.info(`job ${row.id}: resumed from the checkpoint on ${target.host}:${target.port}`);
  }

  /** An incremental job's next run: the rows above its stored marks (resumeMigration continues a finished incremental job). */
  async nextIncrement(row: JobRow, flow: string): Promise<void> {
    if (row.view.mode !== 'incremental' || row.view.state !== 'done') throw new FlowStop(`${flow}: job ${row.label} is a ${row.view.mode} job, ${row.view.state}; only a finished incremental run has a next increment.`);
    await this.fromCheckpoint(row, flow);
  }

  /**
   * Cut Over: asks the running hybrid job to block writes on its source (`block`), apply the last
   * changes, verify and stop, through the request row the job picks up (CutoverJobRequest). Answers
   * when the job has finished the cut-over or refused it.
   */
  async cutover(row: JobRow, block: CutoverBlock, flow: string): Promise<CutoverOutcome> {
    if (!row.endpoints) throw new FlowStop(`${flow}: job ${row.id} has no recorded source and target. Refresh the Jobs view and try again.`, 'warning');
    const target = await this.serverWithPassword(flow, row.endpoints.target, 'target');
    const client = await this.client();
    this.ctx.log.info(`job ${row.id}: cut-over requested (${block})`);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cutting over ${row.label}…` }, () =>
      client.sendRequest(CutoverJobRequest, { jobId: row.id, target, block }),
    );
  }

  /** A job endpoint with its password: from the profile server it matches, else asked (not stored). */
  private async serverWithPassword(flow: string, server: ServerSpec, role: 'source' | 'target'): Promise<ServerSpec> {
    const found = findProfileServer(this.store.all(), server, role);
    if (found) return toSpec(await withPassword(this.store, flow, found.profile.name, found.server));
    const password = await input(
      { flow, title: `Password for ${server.user}@${server.host}:${server.port}` },
      { prompt: `Password of ${server.user} on the job's ${role} ${server.host}:${server.port} (no profile has this server, so it is not stored).`, password: true },
    );
    return { ...server, password };
  }

  /**
   * Sync: apply the source's changes since the job's last sync (at first its snapshot) up to the
   * source's position now. Only a finished full copy can be synced. With `from` (Sync From Another
   * Server) the stream is read from that server, found there by GTID; the job's source is not asked
   * for a password (after a failover it is gone).
   */
  async sync(row: JobRow, flow: string, from?: ServerSpec): Promise<SyncResult> {
    if (row.view.state !== 'done') throw new FlowStop(`${flow}: job ${row.label} is ${row.view.state}; only a finished copy can be synced (resume it first).`);
    if (!row.endpoints) throw new FlowStop(`${flow}: job ${row.id} has no recorded source and target. Refresh the Jobs view and try again.`, 'warning');
    const source = from ? row.endpoints.source : await this.serverWithPassword(flow, row.endpoints.source, 'source');
    const target = await this.serverWithPassword(flow, row.endpoints.target, 'target');
    const client = await this.client();
    const title = from ? `Syncing ${row.label} from ${from.name ?? `${from.host}:${from.port}`}` : `Syncing ${row.label}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async (progress) => {
      const sub = client.onNotification(SyncEventNotification, (e) => {
        if (e.jobId !== row.id) return;
        if (e.type === 'sync-progress') progress.report({ message: `${e.events.toLocaleString()} row events applied (${e.eventsPerSecond.toLocaleString()}/s)` });
        else if (e.type === 'sync-log') this.ctx.log[e.level === 'info' ? 'info' : 'warn'](`job ${row.id}: ${e.message}`);
      });
      try {
        return await client.sendRequest(SyncJobRequest, { jobId: row.id, source, target, ...(from ? { from } : {}) });
      } finally {
        sub.dispose();
      }
    });
  }

  async control(row: JobRow, action: JobAction): Promise<void> {
    const client = await this.client();
    const answer = await client.sendRequest(JobControlRequest, { jobId: row.id, action });
    if (!answer.ok) throw new FlowStop(`Cannot ${action} job ${row.id}: ${answer.message ?? 'the worker refused'}. After a window reload a job runs again only through Resume from its target.`, 'warning');
    this.ctx.log.info(`job ${row.id}: ${action} requested`);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

function isRow(arg: unknown): arg is JobRow {
  return !!arg && typeof arg === 'object' && typeof (arg as JobRow).id === 'string' && typeof (arg as JobRow).view === 'object';
}

/** The row a command was invoked on, or one the user picks among those that allow the action. */
export async function rowFor(jobs: JobsController, arg: unknown, flow: string, allows: (row: JobRow) => boolean): Promise<JobRow> {
  if (isRow(arg)) return jobs.model.get(arg.id) ?? arg;
  // The Jobs view passes its element: the job id.
  const byId = typeof arg === 'string' ? jobs.model.get(arg) : undefined;
  if (byId) return byId;
  const rows = jobs.model.list().filter(allows);
  if (rows.length === 0) throw new FlowStop(`${flow}: no job to choose. Start one with RW Migrate: Migrate Table To…, or open the Jobs view to list recorded jobs.`);
  return pickOne({ flow, title: 'Job' }, rows.map((r) => ({ label: r.label, description: r.view.state, detail: r.id, value: r })), 'Which job?');
}

async function showSummary(ctx: Ctx, row: JobRow): Promise<void> {
  await ctx.docs.show(`Job ${row.id}`, `# RW Migrate job\n\n\`\`\`\n${summarizeRow(row)}\n\`\`\`\n`);
}

/** The Jobs view: the controller the commands and the migrate flow go through, its tree, the progress panels. */
export function createJobs(ctx: Ctx): JobsController {
  const jobs = ctx.own(new JobsController(ctx));
  const tree = ctx.own(new JobsTree(jobs.model, () => refreshJobs(ctx, jobs)));
  ctx.own(vscode.window.createTreeView('rwMigrate.jobs', { treeDataProvider: tree, showCollapseAll: false }));
  ctx.own(
    ProgressPanel.register(ctx, {
      store: jobs.progress,
      control: async (jobId, action) => (await jobs.client()).sendRequest(JobControlRequest, { jobId, action }),
      cutover: (jobId) => runFlow(ctx.log, 'Cut Over', () => cutoverJob(ctx, jobs, jobId)).then(() => undefined),
    }),
  );
  ctx.own(jobs.model.onChange(() => void vscode.commands.executeCommand('setContext', 'rwMigrate.hasJobs', jobs.model.list().length > 0)));
  return jobs;
}

/** Refresh Jobs (and the view's first look): a listing failure is a message, never a rejection. */
export function refreshJobs(ctx: Ctx, jobs: JobsController): Promise<void> {
  return runFlow(ctx.log, 'List jobs', () => jobs.refresh());
}

/** Pause Job / Cancel Job on a row (the one invoked on, or picked); Cancel asks first. */
export async function controlJob(jobs: JobsController, action: JobAction, flow: string, arg: unknown): Promise<void> {
  const allows = action === 'pause' ? (r: JobRow) => canPause(r.view.state, r.view.phase) : (r: JobRow) => canCancel(r.view.state);
  const row = await rowFor(jobs, arg, flow, allows);
  if (action === 'cancel') {
    const answer = await vscode.window.showWarningMessage(
      `Cancel job ${row.label}?`,
      { modal: true, detail: `The copy stops; rows already written to ${row.target} stay there. The job can be started again later.` },
      'Cancel Job',
    );
    if (answer !== 'Cancel Job') throw new FlowStop(`${flow}: the job keeps running.`);
  }
  await jobs.control(row, action);
}

export async function resumeJob(ctx: Ctx, jobs: JobsController, arg: unknown): Promise<void> {
  const row = await rowFor(jobs, arg, 'Resume Job', (r) => rowResume(r) !== null);
  if ((await jobs.resume(row, 'Resume Job')) === 'resumed') {
    if (jobs.progress.has(row.id)) ProgressPanel.show(ctx, row.id);
    void vscode.window.showInformationMessage(`Resumed ${row.label} from its checkpoint: copying continues after the last committed chunk.`);
  }
}

/** Reports are built from this session's events (src/commands/report.ts); the handler says when there are none. */
export function openJobReport(jobs: JobsController, arg: unknown): Promise<void> {
  return exportReportCommand(jobs.progress)(isRow(arg) ? arg.id : typeof arg === 'string' ? arg : undefined);
}

export async function openJobProgress(ctx: Ctx, jobs: JobsController, arg: unknown): Promise<void> {
  const row = await rowFor(jobs, arg, 'Open Job Progress', () => true);
  // The panel needs this session's events; a job only listed from a target gets a text summary.
  if (jobs.progress.has(row.id)) ProgressPanel.show(ctx, row.id);
  else await showSummary(ctx, row);
}

/**
 * Sync Changes Since the Copy: a finished full copy applies the source's binlog changes since its
 * recorded position, then stops; a finished incremental job runs its next increment.
 */
export async function syncJob(ctx: Ctx, jobs: JobsController, arg: unknown): Promise<void> {
  const row = await rowFor(jobs, arg, 'Sync Job', (r) => canSync(r.view));
  if (row.view.mode === 'incremental') {
    await jobs.nextIncrement(row, 'Sync Job');
    if (jobs.progress.has(row.id)) ProgressPanel.show(ctx, row.id);
    void vscode.window.showInformationMessage(`${row.label}: the next increment runs (the rows above the stored marks). Progress is in the Jobs view.`);
    return;
  }
  showSyncOutcome(ctx, row, await jobs.sync(row, 'Sync Job'));
}

/**
 * A binlog sync's outcome, for Sync and Sync From Another Server alike: done is a message, anything
 * else a stop with the engine's message and details. `server` names the server followed when it was
 * not the job's source.
 */
export function showSyncOutcome(ctx: Ctx, row: JobRow, r: SyncResult, server?: string): void {
  ctx.log.info(`job ${row.id}: sync${server ? ` from ${server}` : ''} ${r.state}: ${r.message ?? ''}`);
  if (r.state === 'done') {
    const followed = server ?? 'its source';
    void vscode.window.showInformationMessage(`${row.label} is in sync with ${followed} up to where it was when the sync started: ${r.events.toLocaleString()} row events applied.`);
  } else {
    const why = [r.message ?? '', ...(r.details ?? [])].filter(Boolean).join('\n');
    throw new FlowStop(`Sync of ${row.label} ${r.state === 'refused' ? 'refused (nothing was written)' : r.state}: ${why}`, r.state === 'cancelled' ? 'warning' : 'error');
  }
}

/** What the Cut Over modal and its outcome name: the job's source, target and moved tables. */
function cutoverSubject(row: JobRow): CutoverSubject {
  const endpoints = row.endpoints as NonNullable<JobRow['endpoints']>;
  const planned = row.view.tables.map((t) => t.table);
  return {
    jobId: row.id,
    label: row.label,
    source: endpoints.source,
    sourceDatabase: endpoints.sourceDatabase,
    target: endpoints.target,
    targetDatabase: endpoints.targetDatabase,
    tables: planned.length > 0 ? planned : row.tables,
  };
}

/**
 * Cut Over (the progress panel's button, the Jobs view's menu): a modal says what is blocked where,
 * with one button per block mode; the chosen one is sent to the worker, and the outcome is shown
 * (the report and how to lift the block, or why it failed).
 */
export async function cutoverJob(ctx: Ctx, jobs: JobsController, arg: unknown): Promise<CutoverOutcome | undefined> {
  const flow = 'Cut Over';
  const row = await rowFor(jobs, arg, flow, canCutover);
  if (!canCutover(row)) {
    const why = row.view.mode !== 'hybrid' ? `a ${row.view.mode} job has no cut-over` : `it is ${row.view.state}, phase ${row.view.phase}; Cut Over is offered while the job runs in sync`;
    throw new FlowStop(`${flow}: not now for ${row.label}: ${why}.`, 'warning');
  }
  if (!row.endpoints) throw new FlowStop(`${flow}: job ${row.id} has no recorded source and target. Refresh the Jobs view and try again.`, 'warning');
  const subject = cutoverSubject(row);
  const text = cutoverConfirmation(subject);
  const answer = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, ...text.choices.map((c) => c.button));
  const choice = text.choices.find((c) => c.button === answer);
  if (!choice) throw new FlowStop(`${flow} cancelled: nothing was blocked; ${row.label} keeps following the source.`);
  let outcome: CutoverOutcome;
  try {
    outcome = await jobs.cutover(row, choice.block, flow);
  } catch (err) {
    throw new FlowStop(`${flow} of ${row.label} failed: ${errorText(err)}`, 'error');
  }
  const shown = cutoverOutcomeText(subject, outcome);
  ctx.log.info(`job ${row.id}: cut-over ${outcome.state}: ${outcome.message}`);
  if (!shown.ok && outcome.state !== 'done') throw new FlowStop(shown.message, 'error');
  const show = shown.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const lift = outcome.report?.lift ?? [];
  void show(shown.message, { modal: true, detail: shown.detail }, ...(lift.length ? ['Copy Lift Statements'] : [])).then((b) => {
    if (b) void vscode.env.clipboard.writeText(lift.join('\n'));
  });
  return outcome;
}
