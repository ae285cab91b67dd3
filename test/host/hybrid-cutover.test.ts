// A hybrid job in the real extension host, against the MariaDB sandbox: started through the Jobs
// controller (StartJobRequest to the real worker), its phase and stream events reach the Jobs view
// and the progress panel's state, the panel opens, and Cut Over (the command the panel's button and the
// Jobs view run) shows the modal naming what is blocked where; Cancel blocks nothing, the lock button
// cuts over: the outcome modal shows the final position, the verified tables and the lift statements.
// The block is lifted with those statements at the end. Waits follow the jobs model's events.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { whenTrue, whenTrueAsync } from './eventually';
import { record } from './metrics';

const EXTENSION_ID = 'rw-migrate.rw-migrate';
const PROFILE = 'host-hybrid';

interface SandboxServer {
  host: string;
  port: number;
}

interface SandboxTopology {
  servers: { primary: SandboxServer; target: SandboxServer };
  users: { admin: { user: string; password: string } };
}

interface JobRowApi {
  id: string;
  label: string;
  view: { state: string; phase: string; mode: string; stream: { behindSeconds: number | null; eventsPerSecond: number } | null; cutover: { step: string }[] };
}

interface SnapshotApi {
  type: string;
  snapshot: { mode?: string; phase?: string; stream?: { behindSeconds: number | null } | null };
  history: { behindSeconds?: number | null; eventsPerSecond?: number }[];
}

interface JobsApi {
  start(spec: unknown): Promise<string>;
  model: { get(id: string): JobRowApi | undefined; onChange(listener: (e: unknown) => void): vscode.Disposable };
  progress: { replay(id: string): SnapshotApi | undefined };
}

interface CutoverOutcomeApi {
  state: string;
  message: string;
  report?: { block: string; finalPosition: { file: string; position: number }; tables: { table: string; rows: number; match: boolean }[]; lift: string[] };
}

function loadTopology(): SandboxTopology {
  const dir = process.env.RW_SANDBOX_DIR ?? path.resolve(__dirname, '..', '..', '..', '.sandbox-test');
  const file = path.join(dir, 'topology.json');
  assert.ok(fs.existsSync(file), `no sandbox at ${file}: run "node scripts/sandbox.mjs up --dir .sandbox-test" (npm test starts it)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxTopology;
}

type Modal = { message: string; detail?: string; buttons: string[] };

/** Replaces one window message function: records each call, answers with `answer` (undefined = dismissed). */
function stubMessages(name: 'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage', answer: (m: Modal) => string | undefined) {
  const w = vscode.window as unknown as Record<string, unknown>;
  const original = w[name];
  const calls: Modal[] = [];
  const fired = new vscode.EventEmitter<void>();
  w[name] = (message: string, ...rest: unknown[]) => {
    const opts = rest[0] && typeof rest[0] === 'object' ? (rest[0] as vscode.MessageOptions) : undefined;
    const buttons = rest.filter((r): r is string => typeof r === 'string');
    const m = { message, detail: opts?.detail, buttons };
    calls.push(m);
    fired.fire();
    return Promise.resolve(answer(m));
  };
  return { calls, onCall: fired.event, restore: () => ((w[name] = original), fired.dispose()) };
}

describe('Hybrid job: progress and Cut Over', function () {
  this.timeout(240_000);
  let api: { jobs: JobsApi };
  let topo: SandboxTopology;
  let primary: Connection;
  let target: Connection;
  const run = Date.now().toString(36);
  const srcDb = `host_hyb_src_${run}`;
  const dstDb = `host_hyb_dst_${run}`;
  let lift: string[] = [];

  before(async () => {
    const ext = vscode.extensions.getExtension<{ jobs: JobsApi }>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    topo = loadTopology();
    const admin = topo.users.admin;
    const conn = (s: SandboxServer) => createConnection({ host: s.host, port: s.port, user: admin.user, password: admin.password });
    primary = await conn(topo.servers.primary);
    target = await conn(topo.servers.target);
    await primary.query(`CREATE DATABASE \`${srcDb}\``);
    await primary.query(`CREATE TABLE \`${srcDb}\`.accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(12,2) NOT NULL)`);
    await primary.query(`CREATE TABLE \`${srcDb}\`.entries (id BIGINT AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(12,2) NOT NULL, KEY (account_id))`);
    await primary.query(`INSERT INTO \`${srcDb}\`.accounts SELECT seq, CONCAT('account ', seq), seq * 10 FROM \`${srcDb}\`.seq_1_to_500`);
    await primary.query(`INSERT INTO \`${srcDb}\`.entries (account_id, amount) SELECT 1 + seq % 500, seq / 100 FROM \`${srcDb}\`.seq_1_to_3000`);
    // The profile the Cut Over flow finds the target's password in (as a user's profile would hold it).
    const server = (s: SandboxServer, name: string) => ({ name, host: s.host, port: s.port, user: admin.user });
    const profile = { name: PROFILE, primary: server(topo.servers.primary, 'primary') };
    const targetProfile = { name: `${PROFILE}-target`, primary: server(topo.servers.target, 'target'), target: true };
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', [profile, targetProfile], vscode.ConfigurationTarget.Workspace);
    const w = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
    const original = w.showInputBox;
    w.showInputBox = (opts?: vscode.InputBoxOptions) => Promise.resolve(opts?.password ? admin.password : undefined);
    try {
      for (const p of [profile, targetProfile]) {
        await vscode.commands.executeCommand('rwMigrate.setPassword', { kind: 'server', profile: p, server: p.primary, role: 'primary', summary: null, error: null, lag: null });
      }
    } finally {
      w.showInputBox = original;
    }
  });

  after(async () => {
    // The block must never outlive the test: the lift statements the cut-over reported, then the databases.
    for (const stmt of lift) await primary?.query(stmt).catch(() => undefined);
    await primary?.query(`DROP DATABASE IF EXISTS \`${srcDb}\``).catch(() => undefined);
    await target?.query(`DROP DATABASE IF EXISTS \`${dstDb}\``).catch(() => undefined);
    await primary?.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('reaches in sync with its phase and delay in the Jobs view and the panel; Cut Over asks, then blocks, verifies and reports how to lift', async () => {
    const { jobs } = api;
    const { primary: p, target: t } = topo.servers;
    const admin = topo.users.admin;
    const spec = (s: SandboxServer, name: string) => ({ host: s.host, port: s.port, user: admin.user, password: admin.password, name });
    const started = Date.now();
    const jobId = await jobs.start({
      source: spec(p, 'primary'), target: spec(t, 'target'), sourceDatabase: srcDb, targetDatabase: dstDb, tables: ['accounts', 'entries'], mode: 'hybrid', first: ['entries'],
    });
    const onJobs = (l: (e: unknown) => void) => jobs.model.onChange(l);
    const inSync = await whenTrue('the job in sync with a stream report', 120_000, [onJobs], () => {
      const row = jobs.model.get(jobId);
      const ended = row && ['failed', 'refused', 'cancelled', 'done'].includes(row.view.state);
      return ended || (row?.view.phase === 'in-sync' && row.view.stream) ? row : undefined;
    });
    assert.equal(inSync.view.state, 'copying', `the job ended ${inSync.view.state}`);
    assert.equal(inSync.view.phase, 'in-sync');
    record('hybridInSyncMs', Date.now() - started);
    assert.equal(inSync.view.mode, 'hybrid');

    // A change after the snapshot arrives through the stream.
    await primary.query(`INSERT INTO \`${srcDb}\`.accounts VALUES (9001, 'late account', 1.50)`);
    const late = await whenTrueAsync('the late row on the target', 60_000, async () => {
      const [rows] = await target.query<RowDataPacket[]>(`SELECT name FROM \`${dstDb}\`.accounts WHERE id = 9001`);
      return rows[0]?.name as string | undefined;
    }, onJobs);
    assert.equal(late, 'late account');

    // The progress panel: its state has the phase and the stream, its samples the delay; the tab opens.
    await vscode.commands.executeCommand('rwMigrate.openJobProgress', jobId);
    const replay = jobs.progress.replay(jobId);
    assert.equal(replay?.snapshot.mode, 'hybrid');
    assert.equal(replay?.snapshot.phase, 'in-sync');
    assert.ok(replay?.snapshot.stream, 'the panel state has the stream');
    assert.ok(replay.history.some((h) => h.behindSeconds !== undefined && h.eventsPerSecond !== undefined), 'the chart samples carry the delay and events/s');
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    await whenTrue(`the progress tab "Hybrid ${jobId}" (tabs: ${tabs().map((x) => x.label).join(', ')})`, 10_000, [vscode.window.tabGroups.onDidChangeTabs], () =>
      tabs().find((x) => x.label === `Hybrid ${jobId}` && x.input instanceof vscode.TabInputWebview),
    );

    // Cut Over, cancelled at the modal: nothing is blocked, the job keeps following.
    const dismiss = stubMessages('showWarningMessage', () => undefined);
    const info = stubMessages('showInformationMessage', () => undefined);
    try {
      await vscode.commands.executeCommand('rwMigrate.cutoverJob', jobId);
      const modal = dismiss.calls[0];
      assert.ok(modal, 'no modal');
      assert.equal(modal.message, `Cut over ${srcDb}.2 tables → ${t.host}:${t.port}/${dstDb}? Writes on the source primary (${p.host}:${p.port}) will be blocked.`);
      assert.deepEqual(modal.buttons, ['Block the 2 tables (lock)', 'Set read_only on primary']);
      assert.match(modal.detail ?? '', new RegExp(`blocks writes to the 2 tables (${srcDb}\\.entries, ${srcDb}\\.accounts|${srcDb}\\.accounts, ${srcDb}\\.entries) on primary \\(${p.host.replace(/\./g, '\\.')}:${p.port}\\)`));
      assert.match(modal.detail ?? '', /sets read_only on primary .*: writes to the whole server, every database, are blocked/);
      assert.match(modal.detail ?? '', /Writes stay blocked on primary .* until you lift the block yourself/);
      assert.match(info.calls.map((c) => c.message).join('\n'), /Cut Over cancelled: nothing was blocked/);
      const [[trig]] = await primary.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [srcDb]);
      assert.equal(Number(trig.n), 0, 'a cancelled Cut Over left triggers');
    } finally {
      dismiss.restore();
      info.restore();
    }

    // Cut Over with the lock button: the job blocks the two tables, catches up, verifies and stops.
    const lockIt = stubMessages('showWarningMessage', (m) => m.buttons[0]);
    const outcomeModal = stubMessages('showInformationMessage', () => undefined);
    let outcome: CutoverOutcomeApi | undefined;
    try {
      const asked = Date.now();
      outcome = await vscode.commands.executeCommand<CutoverOutcomeApi>('rwMigrate.cutoverJob', jobId);
      record('cutoverMs', Date.now() - asked);
      assert.ok(outcome, 'Cut Over returned nothing');
      lift = outcome.report?.lift ?? [];
      assert.equal(outcome.state, 'done', `cut-over ${outcome.state}: ${outcome.message}`);
      assert.equal(outcome.report?.block, 'lock');
      assert.deepEqual(outcome.report?.tables.map((x) => [x.table, x.match]).sort(), [['accounts', true], ['entries', true]]);
      const shown = await whenTrue('the outcome modal', 10_000, [outcomeModal.onCall], () => outcomeModal.calls.find((c) => /Cut-over of/.test(c.message)));
      assert.equal(shown.message, `Cut-over of ${srcDb}.2 tables → ${t.host}:${t.port}/${dstDb} done: every table matches.`);
      assert.match(shown.detail ?? '', new RegExp(`Final position: ${outcome.report!.finalPosition.file.replace(/\./g, '\\.')}:${outcome.report!.finalPosition.position}`));
      assert.match(shown.detail ?? '', /Tables verified by checksum: .*accounts \(501 rows, match\)/);
      for (const stmt of lift) assert.ok((shown.detail ?? '').includes(stmt), `the lift statement "${stmt}" is not shown`);
      assert.deepEqual(shown.buttons, ['Copy Lift Statements']);
    } finally {
      lockIt.restore();
      outcomeModal.restore();
    }
    // The block is real: a write to a moved table on the source fails until lifted.
    await assert.rejects(primary.query(`INSERT INTO \`${srcDb}\`.accounts VALUES (9002, 'blocked', 0)`));
    const sums = async (c: Connection, db: string) => (await c.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.accounts, \`${db}\`.entries EXTENDED`))[0].map((r) => String(r.Checksum));
    assert.deepEqual(await sums(target, dstDb), await sums(primary, srcDb));
    const finished = await whenTrue('the job done', 30_000, [onJobs], () => {
      const row = jobs.model.get(jobId);
      return row && row.view.state !== 'copying' && row.view.state !== 'planning' ? row : undefined;
    });
    assert.equal(finished.view.state, 'done');
    assert.equal(finished.view.phase, 'done');
    for (const stmt of lift) await primary.query(stmt);
    lift = [];
    await primary.query(`INSERT INTO \`${srcDb}\`.accounts VALUES (9002, 'after the lift', 0)`);
  });
});
