/**
 * Profiles in settings, passwords in SecretStorage. Writes go where the profiles already live
 * (workspace or user settings), so adding a replica never moves a workspace's profiles to the user.
 */
import * as vscode from 'vscode';
import type { ServerRef } from '../engine/topology/types.js';
import { sanitizeProfiles, secretKey, serversOf, toServerRef, type ProfileSetting, type ServerSetting } from '../engine/topology/profileModel.js';

export class ProfileStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  all(): ProfileSetting[] {
    return sanitizeProfiles(vscode.workspace.getConfiguration('rwMigrate').get<unknown>('profiles', []));
  }

  get(name: string): ProfileSetting | undefined {
    return this.all().find((p) => p.name === name);
  }

  async save(profiles: ProfileSetting[]): Promise<void> {
    const config = vscode.workspace.getConfiguration('rwMigrate');
    const where = config.inspect('profiles');
    const target = where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('profiles', profiles, target);
  }

  /** Replaces the profile called `name` (or appends it when new). */
  async put(profile: ProfileSetting, name = profile.name): Promise<void> {
    const list = this.all();
    const i = list.findIndex((p) => p.name === name);
    if (i >= 0) list[i] = profile;
    else list.push(profile);
    await this.save(list);
  }

  async remove(name: string): Promise<void> {
    const profile = this.get(name);
    await this.save(this.all().filter((p) => p.name !== name));
    if (profile) for (const { server } of serversOf(profile)) await this.secrets.delete(secretKey(name, server));
  }

  password(profile: string, server: ServerSetting): Thenable<string | undefined> {
    return this.secrets.get(secretKey(profile, server));
  }

  async setPassword(profile: string, server: ServerSetting, password: string): Promise<void> {
    await this.secrets.store(secretKey(profile, server), password);
  }

  async deletePassword(profile: string, server: ServerSetting): Promise<void> {
    await this.secrets.delete(secretKey(profile, server));
  }

  /** A ServerRef with its password (undefined when none is stored: the worker reports no-password). */
  async ref(profile: string, server: ServerSetting): Promise<ServerRef> {
    return toServerRef(server, await this.password(profile, server));
  }
}
