// The topology feature in the real extension host, against the MariaDB sandbox ($RW_SANDBOX_DIR, passed
// through code-server's environment): a workspace profile, its passwords stored through the extension's own
// Set Password command (the input box answered by a stub), and the Topology tree's data provider listing
// the sandbox's servers with their roles, the primary's databases and shop's tables.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { record } from './metrics';

const EXTENSION_ID = 'rw-migrate.rw-migrate';
const PROFILE = 'host-sandbox';

const TOPOLOGY_COMMANDS = [
  'rwMigrate.addProfile',
  'rwMigrate.addReplica',
  'rwMigrate.editProfile',
  'rwMigrate.removeProfile',
  'rwMigrate.setPassword',
  'rwMigrate.setActiveProfile',
  'rwMigrate.setUpHeartbeat',
  'rwMigrate.testConnection',
  'rwMigrate.discoverReplicas',
  'rwMigrate.showLag',
  'rwMigrate.refresh',
];

interface SandboxServer {
  host: string;
  port: number;
}

interface SandboxTopology {
  servers: { primary: SandboxServer; replica1: SandboxServer; replica2: SandboxServer };
  users: { admin: { user: string; password: string } };
}

/** The tree node shapes this suite reads (src/tree/nodes.ts). */
interface Node {
  kind: string;
  role?: 'primary' | 'replica';
  server?: { host: string; port?: number };
  profile?: { name: string };
  summary?: { facts: { version: string; readOnly: boolean } } | null;
  error?: { kind: string; message: string } | null;
  database?: string;
  table?: { name: string; hasPrimaryKey: boolean; estimatedRows: number };
  text?: string;
}

interface TreeApi {
  getChildren(node?: Node): Node[] | Thenable<Node[]>;
  getTreeItem(node: Node): vscode.TreeItem;
}

interface ExtensionApi {
  activationMs: number;
  tree?: TreeApi;
}

function loadTopology(): SandboxTopology | null {
  // Like test/support/sandbox.ts: $RW_SANDBOX_DIR, else <repo>/.sandbox-test (this file runs from out/test/host).
  const dir = process.env.RW_SANDBOX_DIR ?? path.resolve(__dirname, '..', '..', '..', '.sandbox-test');
  const file = path.join(dir, 'topology.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxTopology) : null;
}

function describeNodes(nodes: Node[]): string {
  return nodes.map((n) => `${n.kind}:${n.role ?? ''}:${n.database ?? n.table?.name ?? n.text ?? n.error?.message ?? ''}`).join(', ');
}

/** A TCP relay to `to` on a free port, listening only after listen(): a network that can go away and come back. */
async function relayTo(to: SandboxServer): Promise<{ port: number; listen(): Promise<void>; close(): void }> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(to.port, to.host);
    for (const sock of [client, upstream]) {
      sockets.add(sock);
      sock.on('error', () => undefined);
      sock.on('close', () => {
        sockets.delete(sock);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    port,
    listen: () => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve)),
    close: () => {
      relay.close();
      for (const sock of sockets) sock.destroy();
    },
  };
}

describe('Topology against the sandbox', function () {
  this.timeout(60_000);
  let api: ExtensionApi;
  let topo: SandboxTopology | null;

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    topo = loadTopology();
  });

  after(async () => {
    if (topo) await vscode.workspace.getConfiguration('rwMigrate').update('profiles', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('registers the topology commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = TOPOLOGY_COMMANDS.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `topology commands not registered: ${missing.join(', ')}`);
  });

  it('exposes the Topology tree data provider in its API', () => {
    assert.ok(api.tree, 'activate() returned no tree');
    assert.equal(typeof api.tree.getChildren, 'function');
  });

  it('lists the sandbox servers with their roles, the databases and shop tables', async function () {
    if (!topo) {
      console.log(`  (no sandbox topology.json: RW_SANDBOX_DIR=${process.env.RW_SANDBOX_DIR ?? 'unset'}, nor .sandbox-test)`);
      this.skip();
    }
    const { primary, replica1, replica2 } = topo.servers;
    const admin = topo.users.admin;
    const server = (s: SandboxServer) => ({ host: s.host, port: s.port, user: admin.user });
    const profile = { name: PROFILE, primary: server(primary), replicas: [server(replica1), server(replica2)] };
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', [profile], vscode.ConfigurationTarget.Workspace);

    // Passwords go to SecretStorage through the extension's Set Password command; the stub is the user typing.
    const w = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
    const original = w.showInputBox;
    const prompts: string[] = [];
    w.showInputBox = (opts?: vscode.InputBoxOptions) => {
      prompts.push(opts?.prompt ?? '');
      return Promise.resolve(opts?.password ? admin.password : undefined);
    };
    try {
      for (const [s, role] of [[primary, 'primary'], [replica1, 'replica'], [replica2, 'replica']] as const) {
        await vscode.commands.executeCommand('rwMigrate.setPassword', { kind: 'server', profile, server: server(s), role, summary: null, error: null, lag: null });
      }
    } finally {
      w.showInputBox = original;
    }
    assert.equal(prompts.length, 3, `Set Password asked ${prompts.length} time(s): ${prompts.join(' | ')}`);
    assert.ok(prompts.every((p) => /Password for/.test(p)), `unexpected prompts: ${prompts.join(' | ')}`);

    const tree = api.tree;
    assert.ok(tree);
    const roots = await tree.getChildren();
    const root = roots.find((n) => n.kind === 'profile' && n.profile?.name === PROFILE);
    assert.ok(root, `no ${PROFILE} profile node among ${describeNodes(roots)}`);

    const t0 = Date.now();
    const servers = await tree.getChildren(root);
    record('topologyServersMs', Date.now() - t0);
    assert.deepEqual(servers.map((n) => `${n.kind}:${n.role}:${n.server?.port}`), [
      `server:primary:${primary.port}`,
      `server:replica:${replica1.port}`,
      `server:replica:${replica2.port}`,
    ]);
    for (const n of servers) {
      assert.equal(n.error ?? null, null, `${n.server?.port} has an error: ${n.error?.message}`);
      assert.match(n.summary?.facts.version ?? '', /MariaDB/i);
      const item = tree.getTreeItem(n);
      assert.match(String(item.description ?? ''), new RegExp(`^${n.role}\\b`), `tree item description: ${String(item.description)}`);
    }
    assert.equal(servers[0].summary?.facts.readOnly, false, 'the primary is read_only');
    assert.equal(servers[1].summary?.facts.readOnly, true, 'replica1 is not read_only');

    const databases = await tree.getChildren(servers[0]);
    const shop = databases.find((n) => n.kind === 'database' && n.database === 'shop');
    assert.ok(shop, `no shop among the primary's databases: ${describeNodes(databases)}`);
    const tables = await tree.getChildren(shop);
    const names = tables.filter((n) => n.kind === 'table').map((n) => n.table?.name);
    assert.ok(names.includes('customers'), `shop tables: ${names.join(', ')}`);
    const audit = tables.find((n) => n.table?.name === 'audit_log');
    assert.equal(audit?.table?.hasPrimaryKey, false, 'audit_log is reported with a primary key');
    assert.equal(tables.find((n) => n.table?.name === 'customers')?.table?.hasPrimaryKey, true);
    record('shopTables', names.length);

    // A replica's databases come from the replica itself (shop is replicated there).
    const replicaDbs = await tree.getChildren(servers[1]);
    assert.ok(replicaDbs.some((n) => n.database === 'shop'), `replica1 databases: ${describeNodes(replicaDbs)}`);
  });
  it('servers that were down when the tree loaded come back by themselves once they answer again', async function () {
    if (!topo) this.skip();
    const { primary, replica2 } = topo.servers;
    const admin = topo.users.admin;
    // TCP relays in front of the primary and replica2 stand for their network: not listening, the server is
    // unreachable; listening, the real server answers through it.
    const primaryRelay = await relayTo(primary);
    const replicaRelay = await relayTo(replica2);
    const server = (p: number) => ({ host: '127.0.0.1', port: p, user: admin.user });
    const profile = { name: 'host-recover', primary: server(primaryRelay.port), replicas: [server(replicaRelay.port)] };
    await vscode.workspace.getConfiguration('rwMigrate').update('profiles', [profile], vscode.ConfigurationTarget.Workspace);
    const w = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
    const original = w.showInputBox;
    w.showInputBox = (opts?: vscode.InputBoxOptions) => Promise.resolve(opts?.password ? admin.password : undefined);
    try {
      for (const [s, role] of [[profile.primary, 'primary'], [profile.replicas[0], 'replica']] as const) {
        await vscode.commands.executeCommand('rwMigrate.setPassword', { kind: 'server', profile, server: s, role, summary: null, error: null, lag: null });
      }
    } finally {
      w.showInputBox = original;
    }
    try {
      await vscode.commands.executeCommand('rwMigrate.setActiveProfile', { kind: 'profile', profile, active: false });
      const tree = api.tree;
      assert.ok(tree);
      const root = (await tree.getChildren()).find((n) => n.kind === 'profile' && n.profile?.name === profile.name);
      assert.ok(root);
      const down = await tree.getChildren(root);
      for (const n of down) {
        assert.equal(n.error?.kind, 'unreachable', `${n.role} node while its relay is down: ${describeNodes([n])}`);
        assert.match(String(tree.getTreeItem(n).description), /Cannot reach/);
      }

      await Promise.all([primaryRelay.listen(), replicaRelay.listen()]);
      const t0 = Date.now();
      while ((await tree.getChildren(root)).some((n) => n.error) && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 250));
      record('treeRecoveryMs', Date.now() - t0);
      const back = await tree.getChildren(root);
      for (const n of back) {
        assert.equal(n.error ?? null, null, `${n.role} still an error after 40 s: ${n.error?.message}`);
        assert.match(n.summary?.facts.version ?? '', /MariaDB/i);
        assert.match(String(tree.getTreeItem(n).description), new RegExp(`^${n.role}\\b`));
        const dbs = await tree.getChildren(n);
        assert.ok(dbs.some((d) => d.database === 'shop'), `${n.role} databases after recovery: ${describeNodes(dbs)}`);
      }
    } finally {
      primaryRelay.close();
      replicaRelay.close();
    }
  });
});
