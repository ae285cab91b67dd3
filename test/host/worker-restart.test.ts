// The worker's lifetime in the real extension host, against the MariaDB sandbox: the worker process is
// killed (SIGKILL, its pid from the Ping / Worker Info request) while the lag status bar watches a profile.
// The bar must turn to "unknown" (never keep the last "ok"), then show a live reading again once the
// LanguageClient has restarted the worker and the lag session was sent to it again; the Jobs view keeps
// the job it listed. Then RW Migrate: Restart Worker does the same on purpose. Conditions are polled
// with deadlines, never slept on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createConnection } from 'mysql2/promise';
import { whenTrue } from './eventually';
import { record } from './metrics';

const EXTENSION_ID = 'rw-migrate.rw-migrate';
const PROFILE = 'host-restart';

interface SandboxServer {
  host: string;
  port: number;
}

interface SandboxTopology {
  servers: { primary: SandboxServer; replica1: SandboxServer; replica2: SandboxServer; target: SandboxServer };
  users: { admin: { user: string; password: string } };
}

/** The parts of the extension's API (src/extension.ts) this suite reads. */
interface LagApi {
  view: { text: string; tooltip: string };
  latest: { profile: string; replicas: unknown[] } | null;
  onDidUpdate(listener: (u: unknown) => void): vscode.Disposable;
}

interface JobRowApi {
  id: string;
  label: string;
  view: { state: string; rows: number };
}

interface JobsApi {
  start(spec: unknown): Promise<string>;
  model: { get(id: string): JobRowApi | undefined; list(): JobRowApi[]; onChange(listener: (e: unknown) => void): vscode.Disposable };
}

interface ExtensionApi {
  lag: LagApi;
  jobs: JobsApi;
}

interface PingResult {
  pid: number;
}

function loadTopology(): SandboxTopology {
  const dir = process.env.RW_SANDBOX_DIR ?? path.resolve(__dirname, '..', '..', '..', '.sandbox-test');
  const file = path.join(dir, 'topology.json');
  assert.ok(fs.existsSync(file), `no sandbox at ${file}: run "node scripts/sandbox.mjs up --dir .sandbox-test" (npm test starts it)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxTopology;
}

const isLive = (lag: LagApi) => lag.latest !== null && lag.latest.profile === PROFILE && !/unknown|…/.test(lag.view.text);

describe('Worker restarts', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let topo: SandboxTopology;
  const targetDb = `host_restart_${Date.now().toString(36)}`;
  let jobId: string | undefined;

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    assert.ok(api.lag && api.jobs, 'activate() returned no lag indicator or jobs controller');
    topo = loadTopology();
    const { primary, replica1, replica2 } = topo.servers;
    const admin = topo.users.admin;
    const server = (s: SandboxServer) => ({ host: s.host, port: s.port, user: admin.user });
    const profile = { name: PROFILE, primary: server(primary), replicas: [server(replica1), server(replica2)] };
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', [profile], vscode.ConfigurationTarget.Workspace);
    const w = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
    const original = w.showInputBox;
    w.showInputBox = (opts?: vscode.InputBoxOptions) => Promise.resolve(opts?.password ? admin.password : undefined);
    try {
      for (const [s, role] of [[profile.primary, 'primary'], [profile.replicas[0], 'replica'], [profile.replicas[1], 'replica']] as const) {
        await vscode.commands.executeCommand('rwMigrate.setPassword', { kind: 'server', profile, server: s, role, summary: null, error: null, lag: null });
      }
    } finally {
      w.showInputBox = original;
    }
    await vscode.commands.executeCommand('rwMigrate.setActiveProfile', { kind: 'profile', profile, active: false });
  });

  after(async () => {
    // Removing the profile also stops the lag polling (the indicator drops an active profile that is gone).
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', undefined, vscode.ConfigurationTarget.Workspace);
    // Leave the sandbox target as the other layers expect it: no copy, no checkpoint rows of this job.
    const { target } = topo.servers;
    const conn = await createConnection({ host: target.host, port: target.port, user: topo.users.admin.user, password: topo.users.admin.password });
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${targetDb}\``);
      if (jobId) for (const table of ['chunks', 'job_tables', 'jobs']) await conn.query(`DELETE FROM rw_migrate.${table} WHERE ${table === 'jobs' ? 'id' : 'job_id'} = ?`, [jobId]).catch(() => undefined);
    } finally {
      await conn.end();
    }
  });

  it('a killed worker: the lag bar turns unknown, then live again; the Jobs view keeps its job', async () => {
    const { lag, jobs } = api;
    await whenTrue('a first live lag reading', 30_000, [lag.onDidUpdate], () => isLive(lag));

    // A job this session ran, so the Jobs view has a row to keep.
    const { primary, target } = topo.servers;
    const admin = topo.users.admin;
    const ref = (s: SandboxServer) => ({ host: s.host, port: s.port, user: admin.user, password: admin.password });
    jobId = await jobs.start({ source: ref(primary), target: ref(target), sourceDatabase: 'shop', targetDatabase: targetDb, tables: ['keywords'], mode: 'full' });
    const done = await whenTrue('the job to finish', 60_000, [(l) => jobs.model.onChange(l)], () => {
      const row = jobs.model.get(jobId as string);
      return row && ['done', 'failed', 'refused'].includes(row.view.state) ? row : undefined;
    });
    assert.equal(done.view.state, 'done', `the job ended ${done.view.state}`);

    const before = await vscode.commands.executeCommand<PingResult>('rwMigrate.pingWorker');
    assert.ok(before && before.pid > 0 && before.pid !== process.pid, `worker pid ${before?.pid}`);
    // Every status bar text from here on, as it changes (the indicator fires on each state change).
    const seen: string[] = [];
    const sub = lag.onDidUpdate(() => seen.push(lag.view.text));
    try {
      const killedAt = Date.now();
      process.kill(before.pid, 'SIGKILL');
      await whenTrue('the lag bar to show unknown after the kill', 10_000, [lag.onDidUpdate], () => seen.some((t) => /lag unknown/.test(t)) || /lag unknown/.test(lag.view.text));
      record('restartUnknownMs', Date.now() - killedAt);
      await whenTrue('a live lag reading from the restarted worker', 60_000, [lag.onDidUpdate], () => isLive(lag));
      record('restartLiveAgainMs', Date.now() - killedAt);
    } finally {
      sub.dispose();
    }
    const after = await vscode.commands.executeCommand<PingResult>('rwMigrate.pingWorker');
    assert.ok(after && after.pid > 0, 'no worker answers after the restart');
    assert.notEqual(after.pid, before.pid, 'the worker answering is the killed process');
    assert.ok(seen.findIndex((t) => /lag unknown/.test(t)) >= 0, `status bar texts after the kill: ${seen.join(' | ')}`);

    // The Jobs view still lists the job, before and after a fresh listing from the new worker.
    assert.equal(jobs.model.get(jobId)?.view.state, 'done');
    await vscode.commands.executeCommand('rwMigrate.refreshJobs');
    const row = jobs.model.list().find((r) => r.id === jobId);
    assert.ok(row, `the Jobs view lost job ${jobId}: ${jobs.model.list().map((r) => r.id).join(', ')}`);
    assert.equal(row.view.state, 'done');
    assert.ok(row.view.rows > 0, `job rows ${row.view.rows}`);
  });

  it('RW Migrate: Restart Worker starts a new worker process and the lag bar comes back live', async () => {
    const { lag } = api;
    const before = await vscode.commands.executeCommand<PingResult>('rwMigrate.pingWorker');
    const w = vscode.window as unknown as { showInformationMessage: typeof vscode.window.showInformationMessage };
    const original = w.showInformationMessage;
    const messages: string[] = [];
    w.showInformationMessage = ((message: string) => {
      messages.push(message);
      return Promise.resolve(undefined);
    }) as typeof vscode.window.showInformationMessage;
    let after: PingResult | undefined;
    try {
      after = await vscode.commands.executeCommand<PingResult>('rwMigrate.restartWorker');
    } finally {
      w.showInformationMessage = original;
    }
    assert.ok(after && after.pid > 0, `Restart Worker returned ${JSON.stringify(after)}`);
    assert.notEqual(after.pid, before?.pid, 'Restart Worker kept the same process');
    assert.ok(messages.some((m) => m.includes(String(after?.pid))), `messages: ${messages.join(' | ')}`);
    await whenTrue('a live lag reading after Restart Worker', 60_000, [lag.onDidUpdate], () => isLive(lag));
  });
});
