// The real bundled worker process, spoken to exactly as the extension's LanguageClient does:
// a forked Node process, JSON-RPC over IPC, initialised with the LSP handshake.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type mysql from 'mysql2/promise';
import {
  JobEventNotification, JobFinishedNotification, StartJobRequest, SyncEventNotification, VerifyProgressNotification,
  type JobResult, type JobSpec, type ProgressEvent, type ServerSpec, type SyncEvent, type VerifyProgress,
} from '../../src/protocol/index.js';
import { adminConnect, adminSpec, loadSandbox, REPO_ROOT, waitFor, type SandboxServer, type Topology } from './sandbox.js';

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

/**
 * The sandbox and a worker for the job tests that drive the worker as the editor does: the primary
 * and target connections, a source and a target database named for this run, and every job, sync and
 * verify notification the worker sends, kept in arrival order. `useWorkerFixture` registers the
 * file's before/after hooks; the fields are set once `before` has run.
 */
export class WorkerFixture {
  topo!: Topology;
  worker!: WorkerProcess;
  primary!: mysql.Connection;
  target!: mysql.Connection;
  readonly srcDb: string;
  readonly dstDb: string;
  readonly jobEvents: ProgressEvent[] = [];
  readonly syncEvents: SyncEvent[] = [];
  readonly verifyEvents: { verifyId: string; event: VerifyProgress }[] = [];
  readonly finished: JobResult[] = [];

  constructor(prefix: string) {
    const runId = `${Date.now().toString(36)}${process.pid}`;
    this.srcDb = `${prefix}_src_${runId}`;
    this.dstDb = `${prefix}_dst_${runId}`;
  }

  get rpc(): MessageConnection {
    return this.worker.rpc;
  }

  /** A sandbox server as the admin user, as the editor sends it. */
  spec(server: SandboxServer): ServerSpec {
    return adminSpec(this.topo, server);
  }

  get source(): ServerSpec {
    return this.spec(this.topo.servers.primary);
  }

  get dst(): ServerSpec {
    return this.spec(this.topo.servers.target);
  }

  /** StartJobRequest from this run's source database on the primary to its target database. */
  async startJob(spec: Omit<JobSpec, 'source' | 'target' | 'sourceDatabase' | 'targetDatabase'>): Promise<string> {
    const { jobId } = await this.rpc.sendRequest(StartJobRequest, {
      spec: { source: this.source, target: this.dst, sourceDatabase: this.srcDb, targetDatabase: this.dstDb, ...spec },
    });
    return jobId;
  }

  /** The job's JobFinishedNotification, waited for. */
  jobFinished(jobId: string, timeoutMs = 120_000): Promise<JobResult> {
    return waitFor(`job ${jobId} finished`, async () => this.finished.find((r) => r.jobId === jobId), timeoutMs);
  }

  async open(seed?: (primary: mysql.Connection, db: string) => Promise<void>): Promise<void> {
    this.topo = loadSandbox();
    this.primary = await adminConnect(this.topo.servers.primary);
    this.target = await adminConnect(this.topo.servers.target);
    if (seed) {
      await this.primary.query(`CREATE DATABASE \`${this.srcDb}\``);
      await seed(this.primary, this.srcDb);
    }
    this.worker = await startWorker((rpc) => {
      rpc.onNotification(JobEventNotification, (e) => this.jobEvents.push(e));
      rpc.onNotification(SyncEventNotification, (e) => this.syncEvents.push(e));
      rpc.onNotification(VerifyProgressNotification, (v) => this.verifyEvents.push(v));
      rpc.onNotification(JobFinishedNotification, (r) => this.finished.push(r));
    });
  }

  async close(): Promise<void> {
    this.worker?.stop();
    await this.primary?.query(`DROP DATABASE IF EXISTS \`${this.srcDb}\``).catch(() => undefined);
    await this.target?.query(`DROP DATABASE IF EXISTS \`${this.dstDb}\``).catch(() => undefined);
    await this.primary?.end();
    await this.target?.end();
  }
}

/**
 * A WorkerFixture for this test file: `seed` (when given) creates the source tables in the new
 * source database before the worker starts; after the file, the worker stops and both databases go.
 */
export function useWorkerFixture(prefix: string, seed?: (primary: mysql.Connection, db: string) => Promise<void>): WorkerFixture {
  const fx = new WorkerFixture(prefix);
  before(() => fx.open(seed));
  after(() => fx.close());
  return fx;
}
