/**
 * Shared input steps of the profile and topology commands: which profile/server a command is about
 * (from the tree node it was invoked on, or asked), and the small validated input boxes. Every
 * step returns undefined on cancel; callers end quietly or with a message, never with a throw.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { serverLabel, serversOf, validateHost, validatePort, type ProfileSetting, type Role, type ServerSetting } from '../engine/topology/profileModel.js';
import type { TopologyNode } from '../tree/nodes.js';

export interface ServerChoice {
  profile: ProfileSetting;
  server: ServerSetting;
  role: Role;
}

export function asNode(arg: unknown): TopologyNode | undefined {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && typeof (arg as { kind: unknown }).kind === 'string' ? (arg as TopologyNode) : undefined;
}

export async function pickProfile(store: ProfileStore, arg: unknown, placeHolder = 'Choose a connection profile'): Promise<ProfileSetting | undefined> {
  const node = asNode(arg);
  if (node && 'profile' in node) return store.get(node.profile.name) ?? node.profile;
  const profiles = store.all();
  if (profiles.length === 0) {
    const add = await vscode.window.showInformationMessage('RW Migrate: there is no connection profile yet.', 'Add Profile');
    if (add) await vscode.commands.executeCommand('rwMigrate.addProfile');
    return undefined;
  }
  if (profiles.length === 1) return profiles[0];
  const pick = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: `${serverLabel(p.primary)} + ${p.replicas?.length ?? 0} replica(s)`, profile: p })),
    { placeHolder },
  );
  return pick?.profile;
}

export async function pickServer(store: ProfileStore, arg: unknown, filter: (role: Role) => boolean = () => true): Promise<ServerChoice | undefined> {
  const node = asNode(arg);
  if (node && (node.kind === 'server' || node.kind === 'database' || node.kind === 'table')) {
    return { profile: store.get(node.profile.name) ?? node.profile, server: node.server, role: node.role };
  }
  if (node?.kind === 'error' && node.server) {
    const role = node.profile.primary === node.server || serverLabel(node.profile.primary) === serverLabel(node.server) ? 'primary' : 'replica';
    return { profile: node.profile, server: node.server, role };
  }
  const profile = await pickProfile(store, arg);
  if (!profile) return undefined;
  const servers = serversOf(profile).filter((s) => filter(s.role));
  if (servers.length === 0) return undefined;
  if (servers.length === 1) return { profile, ...servers[0] };
  const pick = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: serverLabel(s.server), description: s.role, choice: { profile, ...s } })),
    { placeHolder: `Which server of ${profile.name}?` },
  );
  return pick?.choice;
}

export function inputHost(value = '', title?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title, prompt: 'Host name or IP address', value, validateInput: validateHost, ignoreFocusOut: true });
}

export async function inputPort(value = '3306', title?: string): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({ title, prompt: 'Port', value, validateInput: validatePort, ignoreFocusOut: true });
  return text === undefined ? undefined : Number(text.trim());
}

export function inputUser(value = '', title?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'User name',
    value,
    validateInput: (v) => (v.trim() ? undefined : 'Enter a user name.'),
    ignoreFocusOut: true,
  });
}

/** Empty is allowed (a passwordless account); undefined means cancelled. */
export function inputPassword(what: string, title?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title, prompt: `Password for ${what} (kept in VS Code's secret storage)`, password: true, ignoreFocusOut: true });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
