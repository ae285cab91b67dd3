// Every contributed command, run from the palette with missing or bad input, in real VS Code (code-server):
// each must end in a clear message or nothing, and leave no unhandled error in the extension host log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadSandbox, waitFor, type SandboxServer, type Topology } from '../support/sandbox';
import { hostLogs, logLines, shotOnFailure, startExact } from './support/pathsUi';
import { answerInput, clearToasts } from './support/topologyUi';
import { Workbench } from './support/workbench';

let wb: Workbench;
let topo: Topology;

const server = (s: SandboxServer, name: string) => ({ name, host: s.host, port: s.port, user: topo.users.admin.user });

before(async () => {
  topo = loadSandbox();
  const { primary, replica1, replica2, target } = topo.servers;
  // Profiles exist (so the flows get past "add a profile first") but no password is stored: the worst first run.
  wb = await Workbench.launch({
    name: 'palette',
    workspaceSettings: {
      'rwMigrate.profiles': [
        { name: 'sandbox', primary: server(primary, 'primary'), replicas: [server(replica1, 'replica1'), server(replica2, 'replica2')] },
        { name: 'sandbox-target', primary: server(target, 'target'), target: true },
      ],
    },
  });
});

after(async () => {
  await wb?.close();
});

test('every palette command with missing or bad input ends in a message or nothing, never an unhandled error', async (t) => shotOnFailure(wb, 'palette', async () => {
  // Opening the view container activates the extension; the extension host writes its log soon after.
  await wb.openViewContainer('RW Migrate');
  const logs = await waitFor('the extension host log', async () => {
    const found = hostLogs(wb);
    return found.exthost.length > 0 ? found : undefined;
  }, 30_000);
  const before = { exthost: logLines(logs.exthost).length, own: logLines(logs.rwMigrate).length };
  const { contributes } = JSON.parse(readFileSync(`${process.cwd()}/package.json`, 'utf8')) as {
    contributes: { commands: { command: string; title: string; category?: string }[]; menus: { commandPalette?: { command: string; when?: string }[] } };
  };
  const hidden = new Set((contributes.menus.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
  const quick = wb.page.locator('.quick-input-widget');
  const messages: string[] = [];
  for (const c of contributes.commands.filter((x) => !hidden.has(x.command))) {
    const title = `${c.category ? `${c.category}: ` : ''}${c.title}`;
    await clearToasts(wb);
    const offered = await startExact(wb, title, 3000).then(() => true, () => false);
    if (!offered) {
      // Hidden by its `when` now (e.g. the job commands once no job is listed).
      await wb.page.keyboard.press('Escape');
      t.diagnostic(`${title}: not in the palette now`);
      continue;
    }
    let steps = 0;
    // Bad input where a step validates it: a port of "abc".
    if (c.command === 'rwMigrate.addProfile') {
      await answerInput(wb, 'Profile name', 'bad-input');
      await answerInput(wb, 'Host name or IP address', '127.0.0.1');
      await answerInput(wb, 'Port', 'abc');
      const invalid = await wb.page.locator('.quick-input-widget .quick-input-message').innerText();
      t.diagnostic(`Add Profile, port "abc": ${invalid}`);
      assert.match(invalid, /port/i);
      await wb.screenshot('paths-bad-port');
    }
    // Then dismiss whatever it asks (quick inputs and modals) with Escape until it stops asking.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && steps < 8) {
      await wb.page.waitForTimeout(300);
      if (await quick.isVisible().catch(() => false)) {
        await wb.page.keyboard.press('Escape');
        steps++;
      } else if (await wb.page.locator('.monaco-dialog-box').isVisible().catch(() => false)) {
        await wb.page.keyboard.press('Escape');
        steps++;
      } else if (steps > 0 || Date.now() > deadline - 1800) break;
    }
    const shown = (await wb.notifications()).map((n) => `${n.severity}: ${n.text}`);
    t.diagnostic(`${title}: ${steps} prompt(s) dismissed; ${shown.join(' | ') || 'no message'}`);
    messages.push(...shown.map((s) => `${title} → ${s}`));
  }
  await clearToasts(wb);
  await wb.page.waitForTimeout(1500); // let the log files flush
  const newHost = logLines(hostLogs(wb).exthost).slice(before.exthost);
  const newOwn = logLines(hostLogs(wb).rwMigrate).slice(before.own);
  const hostErrors = newHost.filter((l) => /\[error\]/.test(l) && /rwMigrate|rw-migrate/i.test(l));
  const stacks = newHost.filter((l) => /^\s+at .*rw-migrate/.test(l));
  const ownErrors = newOwn.filter((l) => /\[error\]/.test(l));
  for (const l of [...hostErrors, ...stacks, ...ownErrors]) t.diagnostic(`log: ${l}`);
  assert.deepEqual(hostErrors, [], 'unhandled errors from RW Migrate in the extension host log');
  assert.deepEqual(stacks, [], 'stack traces from RW Migrate in the extension host log');
  assert.deepEqual(ownErrors, [], 'errors in the RW Migrate log');
  assert.deepEqual(messages.filter((m) => /failed:|Error:|TypeError|undefined/.test(m)), [], 'a command failed instead of ending with a clear message');
}));
