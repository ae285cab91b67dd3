/**
 * Profile commands: Add Profile, Add Replica, Edit, Remove, Set Password, Set Active Profile, Set Up
 * Heartbeat. Short quick-input flows; settings hold the servers, SecretStorage the passwords.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { sameServer, serverLabel, serversOf, userOf, validateProfileName, type ProfileSetting, type ServerSetting } from '../engine/topology/profileModel.js';
import type { TlsMode } from '../engine/topology/types.js';
import type { Ctx } from '../ctx.js';
import { SetupHeartbeatRequest } from '../protocol/index.js';
import type { LagIndicator } from '../statusbar/lagIndicator.js';
import type { TopologyTree } from '../tree/topologyTree.js';
import { asNode, errorText, inputHost, inputPassword, inputPort, inputUser, pickProfile, pickServer } from './profilePicks.js';

export interface ProfileDeps {
  ctx: Ctx;
  store: ProfileStore;
  tree: TopologyTree;
  lag: LagIndicator;
}

async function askServer(title: string, defaults: Partial<ServerSetting> = {}): Promise<{ server: ServerSetting; password: string } | undefined> {
  const host = await inputHost(defaults.host ?? '', title);
  if (host === undefined) return undefined;
  const port = await inputPort(String(defaults.port ?? 3306), title);
  if (port === undefined) return undefined;
  const user = await inputUser(defaults.user ?? '', title);
  if (user === undefined) return undefined;
  const server: ServerSetting = { host: host.trim(), port, user: user.trim() };
  const password = await inputPassword(`${server.user}@${server.host}:${port}`, title);
  if (password === undefined) return undefined;
  return { server, password };
}

export async function addProfile({ store, tree, lag }: ProfileDeps): Promise<ProfileSetting | undefined> {
  const title = 'RW Migrate: Add Profile (primary)';
  const existing = store.all().map((p) => p.name);
  const name = await vscode.window.showInputBox({ title, prompt: 'Profile name', validateInput: (v) => validateProfileName(v, existing), ignoreFocusOut: true });
  if (name === undefined) return undefined;
  const answer = await askServer(title);
  if (!answer) return undefined;
  const profile: ProfileSetting = { name: name.trim(), primary: answer.server, replicas: [] };
  await store.setPassword(profile.name, answer.server, answer.password);
  await store.put(profile);
  if (!lag.activeProfile) await lag.setActive(profile.name);
  tree.refresh();
  const next = await vscode.window.showInformationMessage(`Profile "${profile.name}" added.`, 'Discover Replicas', 'Add Replica', 'Test Connection');
  if (next === 'Discover Replicas') await vscode.commands.executeCommand('rwMigrate.discoverReplicas', { kind: 'profile', profile, active: false });
  if (next === 'Add Replica') await vscode.commands.executeCommand('rwMigrate.addReplica', { kind: 'profile', profile, active: false });
  if (next === 'Test Connection') await vscode.commands.executeCommand('rwMigrate.testConnection', { kind: 'server', profile, server: profile.primary, role: 'primary', summary: null, error: null, lag: null });
  return profile;
}

export async function addReplica({ store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const profile = await pickProfile(store, arg, 'Add a replica to which profile?');
  if (!profile) return;
  const title = `RW Migrate: Add Replica to ${profile.name}`;
  const answer = await askServer(title, { user: userOf(profile.primary) });
  if (!answer) return;
  if ([profile.primary, ...(profile.replicas ?? [])].some((s) => sameServer(s, answer.server))) {
    void vscode.window.showWarningMessage(`${serverLabel(answer.server)} is already in ${profile.name}.`);
    return;
  }
  await store.setPassword(profile.name, answer.server, answer.password);
  await store.put({ ...profile, replicas: [...(profile.replicas ?? []), answer.server] });
  tree.refresh();
  if (lag.activeProfile === profile.name) await lag.restart();
}

export async function removeProfile({ store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const profile = await pickProfile(store, arg, 'Remove which profile?');
  if (!profile) return;
  const ok = await vscode.window.showWarningMessage(`Remove profile "${profile.name}" and its stored passwords?`, { modal: true }, 'Remove');
  if (ok !== 'Remove') return;
  await store.remove(profile.name);
  if (lag.activeProfile === profile.name) await lag.setActive(undefined);
  tree.refresh();
}

export async function setPassword({ store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const choice = await pickServer(store, arg);
  if (!choice) return;
  const password = await inputPassword(`${userOf(choice.server)}@${serverLabel(choice.server)}`, `RW Migrate: ${choice.profile.name}`);
  if (password === undefined) return;
  await store.setPassword(choice.profile.name, choice.server, password);
  const refresh = async () => {
    tree.refresh();
    if (lag.activeProfile === choice.profile.name) await lag.restart();
  };
  await refresh();
  // Not awaited: the offer may sit unanswered in the notification centre; the command is done either way.
  void offerForSiblings(store, choice.profile, choice.server, password).then((applied) => (applied ? refresh() : undefined));
}

/** Replicas usually share the primary's account: one answer can serve every server of the profile that has none yet. */
async function offerForSiblings(store: ProfileStore, profile: ProfileSetting, done: ServerSetting, password: string): Promise<boolean> {
  const user = userOf(done);
  const siblings: ServerSetting[] = [];
  for (const { server } of serversOf(profile)) {
    if (!sameServer(server, done) && userOf(server) === user && (await store.password(profile.name, server)) === undefined) siblings.push(server);
  }
  if (siblings.length === 0) return false;
  const yes = `Use for ${siblings.length === 1 ? 'it' : `all ${siblings.length}`}`;
  const answer = await vscode.window.showInformationMessage(
    `${siblings.length} other server(s) of ${profile.name} use ${user} and have no password yet: ${siblings.map(serverLabel).join(', ')}.`,
    yes,
    'No',
  );
  if (answer !== yes) return false;
  for (const server of siblings) await store.setPassword(profile.name, server, password);
  return true;
}

export async function setActiveProfile({ store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const node = asNode(arg);
  let name: string | undefined;
  if (node && 'profile' in node) name = node.profile.name;
  else {
    const profiles = store.all();
    if (profiles.length === 0) {
      void vscode.window.showInformationMessage('RW Migrate: add a connection profile first (RW Migrate: Add Profile).');
      return;
    }
    const none = { label: '$(circle-slash) None', description: 'stop watching replication lag', name: undefined as string | undefined };
    const pick = await vscode.window.showQuickPick(
      [...profiles.map((p) => ({ label: p.name, description: p.name === lag.activeProfile ? 'active' : `${p.replicas?.length ?? 0} replica(s)`, name: p.name as string | undefined })), none],
      { placeHolder: 'Watch replication lag of which profile?' },
    );
    if (!pick) return;
    name = pick.name;
  }
  await lag.setActive(name);
  tree.refresh();
}

type EditField = 'rename' | 'primary' | 'databases' | 'tls' | 'removeReplica';

export async function editProfile({ store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const profile = await pickProfile(store, arg, 'Edit which profile?');
  if (!profile) return;
  const fields: { label: string; field: EditField }[] = [
    { label: 'Rename', field: 'rename' },
    { label: 'Primary host, port and user', field: 'primary' },
    { label: 'Database filter', field: 'databases' },
    { label: 'TLS', field: 'tls' },
  ];
  if ((profile.replicas ?? []).length > 0) fields.push({ label: 'Remove a replica', field: 'removeReplica' });
  const pick = await vscode.window.showQuickPick(fields, { placeHolder: `Edit ${profile.name}` });
  if (!pick) return;
  const next: ProfileSetting = structuredClone(profile);
  switch (pick.field) {
    case 'rename': {
      const others = store.all().map((p) => p.name).filter((n) => n !== profile.name);
      const name = await vscode.window.showInputBox({ prompt: 'New name', value: profile.name, validateInput: (v) => validateProfileName(v, others) });
      if (name === undefined || name.trim() === profile.name) return;
      next.name = name.trim();
      // Passwords are keyed by profile name: move them with the profile.
      for (const s of [profile.primary, ...(profile.replicas ?? [])]) {
        const pw = await store.password(profile.name, s);
        if (pw !== undefined) await store.setPassword(next.name, s, pw);
        await store.deletePassword(profile.name, s);
      }
      break;
    }
    case 'primary': {
      const answer = await askServer(`RW Migrate: ${profile.name} primary`, profile.primary);
      if (!answer) return;
      next.primary = { ...profile.primary, ...answer.server };
      await store.setPassword(next.name, next.primary, answer.password);
      break;
    }
    case 'databases': {
      const text = await vscode.window.showInputBox({ prompt: 'Databases to show, comma separated (empty: all)', value: (profile.databases ?? []).join(', ') });
      if (text === undefined) return;
      next.databases = text.split(',').map((s) => s.trim()).filter(Boolean);
      break;
    }
    case 'tls': {
      const mode = await vscode.window.showQuickPick(
        [
          { label: 'off', description: 'no encryption' },
          { label: 'required', description: 'encrypt, do not verify the certificate' },
          { label: 'verify-ca', description: 'encrypt and verify against a CA file' },
        ],
        { placeHolder: 'TLS for every server of this profile' },
      );
      if (!mode) return;
      let caFile: string | undefined;
      if (mode.label === 'verify-ca') {
        const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this CA certificate' });
        if (!files?.[0]) return;
        caFile = files[0].fsPath;
      }
      const tls = mode.label as TlsMode;
      const apply = (s: ServerSetting): ServerSetting => ({ ...s, tls, caFile });
      next.primary = apply(next.primary);
      next.replicas = (next.replicas ?? []).map(apply);
      break;
    }
    case 'removeReplica': {
      const r = await vscode.window.showQuickPick((profile.replicas ?? []).map((s) => ({ label: serverLabel(s), server: s })), { placeHolder: 'Remove which replica?' });
      if (!r) return;
      next.replicas = (profile.replicas ?? []).filter((s) => !sameServer(s, r.server));
      await store.deletePassword(profile.name, r.server);
      break;
    }
  }
  await store.put(next, profile.name);
  if (lag.activeProfile === profile.name) await lag.setActive(next.name);
  tree.refresh();
}

export async function setUpHeartbeat({ ctx, store, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const profile = await pickProfile(store, arg, 'Set up a heartbeat for which profile?');
  if (!profile) return;
  const database = await vscode.window.showInputBox({
    title: `RW Migrate: heartbeat for ${profile.name}`,
    prompt: 'Database for the pt-heartbeat compatible `heartbeat` table (created on the primary if missing; replicated)',
    value: profile.heartbeat?.database ?? 'rw_migrate',
    validateInput: (v) => (/^[^`/\\.]{1,64}$/.test(v.trim()) ? undefined : 'A database name: 1-64 characters, no backtick, slash or dot.'),
  });
  if (database === undefined) return;
  try {
    const client = await ctx.worker.ready();
    const res = await client.sendRequest(SetupHeartbeatRequest, { server: await store.ref(profile.name, profile.primary), database: database.trim() });
    if (!res.ok) {
      void vscode.window.showErrorMessage(`Heartbeat setup failed on ${serverLabel(profile.primary)}: ${res.error.message}`);
      return;
    }
    await store.put({ ...profile, heartbeat: { database: database.trim() } });
    if (lag.activeProfile !== profile.name) await lag.setActive(profile.name);
    else await lag.restart();
    void vscode.window.showInformationMessage(`Heartbeat ready in ${database.trim()}.heartbeat (primary server_id ${res.value.serverId}); lag of ${profile.name} now comes from it.`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Heartbeat setup failed: ${errorText(err)}`);
  }
}
