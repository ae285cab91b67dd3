/**
 * Hosts copy jobs in the worker: starts and steers them on the extension's requests and forwards
 * their events. Jobs outlive any one panel; a window reload finds them again through ListJobs.
 */
import type { Connection } from 'vscode-languageserver/node';
import { listJobs, resumeMigration, startedJobSummary, startMigration, type JobHandle, type JobResult, type JobSummary, type ProgressEvent } from '../engine/index.js';
import { errorMessage } from '../engine/db/index.js';
import { initialJobView, pauseRefusal, reduceJobView, redactSpec, type JobView } from '../engine/jobs/index.js';
import {
  JobControlRequest,
  JobEventNotification,
  JobFinishedNotification,
  ListJobsRequest,
  LogNotification,
  ResumeJobRequest,
  StartJobRequest,
} from '../protocol/index.js';

interface LiveJob {
  handle: JobHandle;
  /** What the job's events said, by the engine's one reducer; its summary for ListJobs is read from it. */
  view: JobView;
  summary: JobSummary;
}

/** The listing entry of a running job: its stored summary with the counts and state its events gave. */
function summaryOf(job: LiveJob): JobSummary {
  const v = job.view;
  return { ...job.summary, state: v.state, rowsCopied: v.rows, totalRows: v.totalRows, message: v.message, ...(v.mode === 'hybrid' ? { phase: v.phase } : {}) };
}

export function registerJobHandlers(connection: Connection): void {
  const live = new Map<string, LiveJob>();

  const track = async (handle: JobHandle, summary: Omit<JobSummary, 'id'>): Promise<string> => {
    const jobId = await handle.jobId;
    const full = { ...summary, id: jobId };
    const job: LiveJob = { handle, summary: full, view: initialJobView(full) };
    live.set(jobId, job);
    const finish = (result: JobResult) => {
      job.view = reduceJobView(job.view, { type: 'finished', jobId, result }, Date.now());
      void connection.sendNotification(JobFinishedNotification, result);
    };
    void handle.done.then(finish, (err: unknown) =>
      finish({ jobId, state: 'failed', rows: job.view.rows, bytes: job.view.bytes, seconds: 0, message: errorMessage(err) }),
    );
    return jobId;
  };

  const onEvent = (event: ProgressEvent): void => {
    const job = live.get(event.jobId);
    if (job) job.view = reduceJobView(job.view, event, Date.now());
    if (event.type === 'log') void connection.sendNotification(LogNotification, { level: event.level, message: `[job ${event.jobId}] ${event.message}` });
    void connection.sendNotification(JobEventNotification, event);
  };

  connection.onRequest(StartJobRequest, async ({ spec }) => {
    const handle = startMigration(spec, { onEvent });
    const { id: _pending, ...summary } = startedJobSummary('', redactSpec(spec));
    const jobId = await track(handle, summary);
    return { jobId };
  });

  connection.onRequest(ResumeJobRequest, async ({ jobId, source, target }) => {
    if (live.get(jobId)?.view.state === 'copying') return { jobId };
    const stored = (await listJobs(target)).find((j) => j.id === jobId);
    if (!stored) throw new Error(`No job ${jobId} in the checkpoint schema of ${target.host}:${target.port}.`);
    const handle = await resumeMigration(target, jobId, { source: source.password, target: target.password }, { onEvent });
    await track(handle, { ...stored, state: 'copying' });
    return { jobId };
  });

  connection.onRequest(JobControlRequest, ({ jobId, action }) => {
    const job = live.get(jobId);
    if (!job) return { ok: false, message: `Job ${jobId} is not running in this worker.` };
    // A cut-over in progress must finish: say so rather than answer ok to a pause the job ignores.
    const why = action === 'pause' ? pauseRefusal(jobId, job.view.phase) : null;
    if (why) return { ok: false, message: why };
    job.handle[action]();
    return { ok: true };
  });

  connection.onRequest(ListJobsRequest, async ({ targets }) => {
    const byId = new Map<string, JobSummary>();
    // One unreachable target must not hide the jobs recorded on the others.
    const listings = await Promise.allSettled(targets.map((target) => listJobs(target)));
    listings.forEach((listing, i) => {
      if (listing.status === 'fulfilled') for (const job of listing.value) byId.set(job.id, job);
      else void connection.sendNotification(LogNotification, { level: 'warn', message: `cannot list jobs on ${targets[i].host}:${targets[i].port}: ${errorMessage(listing.reason)}` });
    });
    // What the worker holds in memory is fresher than the checkpoint rows for running jobs.
    for (const [id, job] of live) byId.set(id, summaryOf(job));
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  });
}
