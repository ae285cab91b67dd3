import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'rw-migrate.rw-migrate';

interface Manifest {
  contributes?: {
    commands?: { command: string }[];
    menus?: Record<string, { command: string; when?: string }[]>;
    views?: Record<string, { id: string }[]>;
    walkthroughs?: { steps: { description: string; media?: { markdown?: string } }[] }[];
  };
}

/** The commands this suite drives through a cancelled flow: each must end in a message. */
const USER_PATHS = [
  'rwMigrate.migrateTable',
  'rwMigrate.migrateDatabase',
  'rwMigrate.compareTable',
  'rwMigrate.compareDatabase',
  'rwMigrate.verifyTable',
  'rwMigrate.showReplicationStatus',
  'rwMigrate.pauseJob',
  'rwMigrate.resumeJob',
  'rwMigrate.cancelJob',
  'rwMigrate.openJobProgress',
  'rwMigrate.openJobReport',
  'rwMigrate.syncJobFrom',
];

type Stubbed = 'showQuickPick' | 'showInputBox' | 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage' | 'showOpenDialog' | 'showSaveDialog';

/** Replaces window prompts with "the user dismissed it" and records the messages shown. */
function stubWindow(): { messages: string[]; restore(): void } {
  const w = vscode.window as unknown as Record<Stubbed, unknown>;
  const names: Stubbed[] = ['showQuickPick', 'showInputBox', 'showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showOpenDialog', 'showSaveDialog'];
  const saved = new Map(names.map((n) => [n, w[n]]));
  const messages: string[] = [];
  for (const n of names) {
    w[n] = (...args: unknown[]) => {
      if (n.endsWith('Message')) messages.push(`${n}: ${String(args[0])}`);
      return Promise.resolve(undefined);
    };
  }
  return {
    messages,
    restore: () => {
      for (const [n, f] of saved) w[n] = f;
    },
  };
}

function within<T>(ms: number, what: string, p: Thenable<T>): Promise<T> {
  return Promise.race([Promise.resolve(p), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms))]);
}

describe('RW Migrate commands', () => {
  let manifest: Manifest;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
    manifest = ext.packageJSON as Manifest;
  });

  it('registers every contributed command, and menus name only contributed commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    for (const id of USER_PATHS) assert.ok(contributed.includes(id), `${id} is not contributed in package.json`);
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    const menuCommands = Object.values(manifest.contributes?.menus ?? {}).flat().map((m) => m.command);
    const unknown = menuCommands.filter((c) => !contributed.includes(c));
    assert.deepEqual([...new Set(unknown)], [], `menus name commands that are not contributed: ${unknown.join(', ')}`);
  });

  it('contributes the Jobs view and the walkthrough with command links', () => {
    assert.ok(manifest.contributes?.views?.rwMigrate?.some((v) => v.id === 'rwMigrate.jobs'), 'no rwMigrate.jobs view');
    const steps = manifest.contributes?.walkthroughs?.[0]?.steps ?? [];
    assert.ok(steps.length >= 4, `walkthrough has ${steps.length} steps`);
    for (const s of steps) assert.match(s.description, /\(command:rwMigrate\.\w+\)/);
  });

  it('menus target table, database, server and job nodes by context value', () => {
    const items = manifest.contributes?.menus?.['view/item/context'] ?? [];
    const whenOf = (id: string) => items.filter((i) => i.command === id).map((i) => i.when ?? '');
    const matches = (id: string, contextValue: string) =>
      whenOf(id).some((w) => {
        const m = /viewItem =~ \/(.+)\/$/.exec(w);
        return !!m && new RegExp(m[1]).test(contextValue);
      });
    assert.ok(matches('rwMigrate.migrateTable', 'type=table,pk=yes,role=primary'));
    assert.ok(!matches('rwMigrate.migrateTable', 'type=table,pk=no,role=primary,view=yes'), 'a view offers Migrate Table');
    assert.ok(matches('rwMigrate.compareTable', 'type=table,pk=no,role=replica'));
    assert.ok(matches('rwMigrate.verifyTable', 'type=table,pk=yes,role=replica'));
    assert.ok(matches('rwMigrate.migrateDatabase', 'type=database,role=primary'));
    assert.ok(matches('rwMigrate.compareDatabase', 'type=database,role=replica'));
    assert.ok(matches('rwMigrate.showReplicationStatus', 'type=server,role=replica,state=ok'));
    assert.ok(matches('rwMigrate.pauseJob', 'type=job,state=copying,pause,cancel'));
    assert.ok(!matches('rwMigrate.pauseJob', 'type=job,state=paused,resume,cancel'));
    assert.ok(matches('rwMigrate.resumeJob', 'type=job,state=paused,resume,cancel'));
    assert.ok(!matches('rwMigrate.cancelJob', 'type=job,state=done'));
    // Sync From Another Server (failover, by GTID): finished full copies only, beside Sync.
    assert.ok(matches('rwMigrate.syncJob', 'type=job,state=done,sync,syncfrom'));
    assert.ok(matches('rwMigrate.syncJobFrom', 'type=job,state=done,sync,syncfrom'));
    assert.ok(!matches('rwMigrate.syncJobFrom', 'type=job,state=done,sync'), 'an incremental job offers Sync From Another Server');
  });

  it('every palette command, run with no argument and every prompt dismissed, returns or shows a message', async function () {
    this.timeout(120_000);
    const hidden = new Set((manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
    const ids = (manifest.contributes?.commands ?? []).map((c) => c.command).filter((c) => !hidden.has(c));
    const stub = stubWindow();
    const failures: string[] = [];
    const silent: string[] = [];
    try {
      for (const id of ids) {
        const before = stub.messages.length;
        try {
          await within(15_000, id, vscode.commands.executeCommand(id));
        } catch (err) {
          failures.push(`${id}: ${err instanceof Error ? err.message : String(err)}`);
        }
        // The flows show their message without awaiting it; give it a tick.
        await new Promise((r) => setTimeout(r, 50));
        if (USER_PATHS.includes(id) && stub.messages.length === before) silent.push(id);
      }
    } finally {
      stub.restore();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    assert.deepEqual(failures, [], `commands threw:\n${failures.join('\n')}`);
    assert.deepEqual(silent, [], `flows ended without telling the user anything: ${silent.join(', ')}\nmessages:\n${stub.messages.join('\n')}`);
  });
});
