#!/usr/bin/env node
// `npm run demo`: the product's front door. Sets up, packages the extension, brings the MariaDB sandbox up,
// installs the packaged extension into a real VS Code (code-server) and serves it on http://127.0.0.1:8080
// with a workspace whose settings hold profiles for the sandbox.
//
//   npm run demo                       run until Ctrl-C (stops code-server; the sandbox stays up)
//   npm run demo -- --no-wait          print the URL and exit, code-server keeps running in the background
//   npm run demo -- --port 9000        another port (default 8080, or a free one when 8080 is taken)
//   npm run demo -- --dir DIR          sandbox folder (default <repo>/.sandbox)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cacheRoot, ensureCodeServer, freePort, installVsix, isPortFree, startCodeServer } from './lib/codeserver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const step = (msg) => console.log(`\n▶ ${msg}`);

async function importScript(rel) {
  return import(pathToFileURL(join(root, rel)).href);
}

async function setup() {
  if (existsSync(join(root, 'scripts', 'setup.mjs'))) {
    const { ensureSetup } = await importScript('scripts/setup.mjs');
    await ensureSetup({ codeServer: true });
    return;
  }
  if (!existsSync(join(root, 'node_modules'))) {
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm ci failed');
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('node scripts/build.mjs failed');
  await ensureCodeServer();
}

async function packageExtension() {
  const { packageVsix } = await importScript('scripts/package.mjs');
  const vsix = await packageVsix();
  if (!existsSync(vsix)) throw new Error(`packaging did not produce ${vsix}`);
  return vsix;
}

function profilesFor(topology) {
  const user = topology.users?.admin?.user ?? 'rwadmin';
  const s = topology.servers;
  for (const name of ['primary', 'replica1', 'replica2', 'target']) {
    if (!s?.[name]?.port) throw new Error(`sandbox topology has no ${name} server: ${JSON.stringify(topology).slice(0, 300)}`);
  }
  const server = (x) => ({ host: x.host ?? '127.0.0.1', port: x.port, user });
  return [
    { name: 'sandbox', primary: server(s.primary), replicas: [server(s.replica1), server(s.replica2)] },
    { name: 'sandbox-target', primary: server(s.target), target: true },
  ];
}

function writeWorkspace(folder, profiles) {
  const settingsFile = join(folder, '.vscode', 'settings.json');
  mkdirSync(dirname(settingsFile), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {
    // new or hand-broken: start over
  }
  settings['rwMigrate.profiles'] = profiles;
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + '\n');
  const readme = join(folder, 'README.md');
  if (!existsSync(readme)) {
    writeFileSync(
      readme,
      '# RW Migrate demo workspace\n\nProfiles for the local MariaDB sandbox are in `.vscode/settings.json`.\n' +
        'Passwords are not stored there: RW Migrate asks for them and keeps them in SecretStorage.\n',
    );
  }
  return settingsFile;
}

/** Quiet first-run defaults for the demo's VS Code; the user's own later changes to these keys are kept. */
function writeDemoUserSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first run
  }
  const defaults = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    // the demo workspace lives inside the repo: don't offer to open the parent git repository
    'git.openRepositoryInParentFolders': 'never',
  };
  writeFileSync(file, JSON.stringify({ ...defaults, ...settings }, null, 2) + '\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      'no-wait': { type: 'boolean', default: false },
      port: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run demo [-- --no-wait] [--port N] [--dir SANDBOX_DIR]');
    return;
  }
  const t0 = Date.now();
  const sandboxDir = resolve(values.dir ?? join(root, '.sandbox'));

  step('Setup (system packages, npm dependencies, build, code-server)');
  await setup();

  step('Packaging the extension');
  const vsix = await packageExtension();

  step(`Bringing the MariaDB sandbox up in ${sandboxDir}`);
  const { sandboxUp } = await importScript('scripts/sandbox/index.mjs');
  const topology = await sandboxUp({ dir: sandboxDir, seed: true });

  step('Installing the packaged extension into the demo VS Code');
  const demoHome = join(cacheRoot(), 'demo');
  const extensionsDir = join(demoHome, 'extensions');
  const userDataDir = join(demoHome, 'user-data');
  await installVsix(vsix, extensionsDir, { userDataDir });
  writeDemoUserSettings(userDataDir);

  const workspace = join(sandboxDir, 'demo-workspace');
  const settingsFile = writeWorkspace(workspace, profilesFor(topology));
  console.log(`  workspace: ${workspace} (profiles in ${settingsFile})`);

  let port = values.port ? Number(values.port) : 8080;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  if (!(await isPortFree(port))) {
    if (values.port) throw new Error(`port ${port} is in use`);
    const other = await freePort();
    console.log(`  port ${port} is in use, using ${other}`);
    port = other;
  }
  step('Starting VS Code (code-server)');
  const server = await startCodeServer({
    port,
    userDataDir,
    extensionsDir,
    folder: workspace,
    logFile: join(demoHome, 'code-server.log'),
    background: values['no-wait'],
  });
  const url = `${server.url}/`; // code-server opens the folder it was started with
  const admin = topology.users?.admin ?? { user: 'rwadmin', password: '?' };
  const s = topology.servers;

  const bar = '═'.repeat(72);
  console.log(`\n${bar}`);
  console.log(`  RW Migrate is running: open  ${url}`);
  console.log(bar);
  console.log(`  Sandbox servers (127.0.0.1): primary :${s.primary.port}, replica1 :${s.replica1.port}, replica2 :${s.replica2.port}, target :${s.target.port}`);
  console.log(`  When RW Migrate asks for a password: user ${admin.user}, password ${admin.password}`);
  console.log(`  code-server log: ${server.logFile}`);
  console.log(`  ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  if (values['no-wait']) {
    console.log(`  code-server runs in the background, pid ${server.pid}. Stop it with: kill -- -${server.pid}`);
    console.log('  Stop the sandbox with: npm run sandbox -- down');
    return;
  }
  console.log('  Press Ctrl-C to stop VS Code (the sandbox stays up; stop it with: npm run sandbox -- down)');
  await new Promise((resolveWait) => {
    let stopping = false;
    const onSignal = async () => {
      if (stopping) return;
      stopping = true;
      console.log('\nStopping code-server...');
      await server.stop();
      console.log('code-server stopped. The sandbox is still up; stop it with: npm run sandbox -- down');
      resolveWait();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`\ndemo failed: ${e.message ?? e}`);
    process.exit(1);
  },
);
