/**
 * Hosts copy jobs in the worker: starts and steers them on the extension's requests and forwards
 * their events. Jobs outlive any one panel; a window reload finds them again through ListJobs.
 */
import type { Connection } from 'vscode-languageserver/node';
import { listJobs, resumeJob, startedJobSummary, startJob, type JobHandle, type JobSummary, type ProgressEvent } from '../engine/index.js';
import { errorMessage } from '../engine/db/index.js';
import { redactSpec } from '../engine/jobs/index.js';
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
  summary: JobSummary;
}

export function registerJobHandlers(connection: Connection): void {
  const live = new Map<string, LiveJob>();

  const track = async (handle: JobHandle, summary: Omit<JobSummary, 'id'>): Promise<string> => {
    const jobId = await handle.jobId;
    const job: LiveJob = { handle, summary: { ...summary, id: jobId } };
    live.set(jobId, job);
    void handle.done.then(
      (result) => {
        job.summary = { ...job.summary, state: result.state, rowsCopied: result.rows, message: result.message ?? null };
        void connection.sendNotification(JobFinishedNotification, result);
      },
      (err: unknown) => {
        const message = errorMessage(err);
        job.summary = { ...job.summary, state: 'failed', message };
        void connection.sendNotification(JobFinishedNotification, { jobId, state: 'failed', rows: job.summary.rowsCopied, bytes: 0, seconds: 0, message });
      },
    );
    return jobId;
  };

  const onEvent = (event: ProgressEvent): void => {
    const job = live.get(event.jobId);
    if (job && event.type === 'progress') {
      job.summary = { ...job.summary, state: event.state, rowsCopied: event.rows, totalRows: event.totalRows };
    }
    if (event.type === 'log') void connection.sendNotification(LogNotification, { level: event.level, message: `[job ${event.jobId}] ${event.message}` });
    void connection.sendNotification(JobEventNotification, event);
  };

  connection.onRequest(StartJobRequest, async ({ spec }) => {
    const handle = startJob(spec, { onEvent });
    const { id: _pending, ...summary } = startedJobSummary('', redactSpec(spec));
    const jobId = await track(handle, summary);
    return { jobId };
  });

  connection.onRequest(ResumeJobRequest, async ({ jobId, source, target }) => {
    if (live.get(jobId)?.summary.state === 'copying') return { jobId };
    const stored = (await listJobs(target)).find((j) => j.id === jobId);
    if (!stored) throw new Error(`No job ${jobId} in the checkpoint schema of ${target.host}:${target.port}.`);
    const handle = await resumeJob(target, jobId, { source: source.password, target: target.password }, { onEvent });
    await track(handle, { ...stored, state: 'copying' });
    return { jobId };
  });

  connection.onRequest(JobControlRequest, ({ jobId, action }) => {
    const job = live.get(jobId);
    if (!job) return { ok: false, message: `Job ${jobId} is not running in this worker.` };
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
    for (const [id, job] of live) byId.set(id, job.summary);
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  });
}
