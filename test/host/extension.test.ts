import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { record } from './metrics';

const EXTENSION_ID = 'rw-migrate.rw-migrate';

interface ExtensionApi {
  activationMs: number;
}

interface PingResult {
  pid: number;
  roundTripMs: number;
}

describe('RW Migrate in the extension host', () => {
  let ext: vscode.Extension<ExtensionApi>;

  before(async () => {
    const found = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded`);
    ext = found;
    await ext.activate();
  });

  it('activates', () => {
    assert.equal(ext.isActive, true);
  });

  it('registers its contributed commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = ['rwMigrate.addProfile', 'rwMigrate.refresh', 'rwMigrate.showWorkerInfo'];
    const missing = contributed.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
    // Every command the manifest contributes must have a handler.
    const manifest = (ext.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
    const unhandled = manifest.map((c) => c.command).filter((c) => !all.has(c));
    assert.deepEqual(unhandled, [], `contributed commands without a handler: ${unhandled.join(', ')}`);
  });

  it('round-trips a ping through the worker process', async () => {
    const result = await vscode.commands.executeCommand<PingResult>('rwMigrate.pingWorker');
    assert.ok(result && typeof result === 'object', `pingWorker returned ${JSON.stringify(result)}`);
    assert.equal(typeof result.pid, 'number', `pid is ${JSON.stringify(result.pid)}`);
    assert.ok(Number.isInteger(result.pid) && result.pid > 0, `pid is ${result.pid}`);
    assert.notEqual(result.pid, process.pid, 'the worker pid equals the extension host pid: nothing ran out of process');
    assert.equal(typeof result.roundTripMs, 'number');
    assert.ok(Number.isFinite(result.roundTripMs) && result.roundTripMs >= 0, `roundTripMs is ${result.roundTripMs}`);
    record('workerPid', result.pid);
    record('extensionHostPid', process.pid);
    record('pingRoundTripMs', Number(result.roundTripMs.toFixed(2)));
  });

  it('activates in under 100 ms', () => {
    const api = ext.exports;
    assert.ok(api && typeof api === 'object', 'activate() returned no API object');
    assert.equal(typeof api.activationMs, 'number', `activationMs is ${JSON.stringify(api.activationMs)}`);
    record('activationMs', Number(api.activationMs.toFixed(2)));
    assert.ok(api.activationMs < 100, `activation took ${api.activationMs} ms (budget 100 ms)`);
  });
});
