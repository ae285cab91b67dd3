/**
 * From settings to servers a flow can use: the profiles (or a stop with an Add Profile button), a
 * server with its password (asked once and kept in SecretStorage when missing), and worker answers
 * unwrapped into values or clear stops. Passwords go into request params only, never into a log.
 */
import type { ProfileStore } from '../connections/profiles.js';
import { serverLabel, type ProfileSetting, type ServerSetting } from '../engine/topology/profileModel.js';
import type { ServerSpec } from '../engine/jobs/types.js';
import { TopologyFailure, toServerSpec } from '../engine/topology/serverRef.js';
import type { Outcome, ServerRef, TopologyError } from '../engine/topology/types.js';
import { FlowStop, input } from './quickFlow.js';

export function profilesOrStop(store: ProfileStore, flow: string): ProfileSetting[] {
  const profiles = store.all();
  if (profiles.length === 0) {
    throw new FlowStop(`${flow}: there is no connection profile yet. Add one (a primary and its replicas) first.`, 'warning', {
      title: 'Add Profile',
      command: 'rwMigrate.addProfile',
    });
  }
  return profiles;
}

/** The server with its password; asks for it when SecretStorage has none. */
export async function withPassword(store: ProfileStore, flow: string, profile: string, server: ServerSetting): Promise<ServerRef> {
  const ref = await store.ref(profile, server);
  if (ref.password !== undefined) return ref;
  const password = await input(
    { flow, title: `Password for ${ref.user}@${ref.host}:${ref.port}` },
    { prompt: `Password of ${ref.user} on ${serverLabel(server)} (profile ${profile}); kept in VS Code's secret storage.`, password: true },
  );
  await store.setPassword(profile, server, password);
  return { ...ref, password };
}

/** The copy engine's ServerSpec for a topology ServerRef: the worker's own conversion, its failure as a stop. */
export async function toSpec(ref: ServerRef): Promise<ServerSpec> {
  try {
    return toServerSpec(ref);
  } catch (err) {
    if (err instanceof TopologyFailure) throw new FlowStop(err.message, 'error');
    throw err;
  }
}

function fixFor(error: TopologyError): { title: string; command: string } | undefined {
  switch (error.kind) {
    case 'auth':
    case 'no-password':
      return { title: 'Set Password', command: 'rwMigrate.setPassword' };
    case 'unreachable':
    case 'privilege':
      return { title: 'Test Connection', command: 'rwMigrate.testConnection' };
    case 'tls':
      return { title: 'Edit Profile', command: 'rwMigrate.editProfile' };
    default:
      return { title: 'Show Log', command: 'rwMigrate.showLog' };
  }
}

/** A worker answer's value, or a stop that says what failed on which server and what to do. */
export function unwrap<T>(outcome: Outcome<T>, flow: string, what: string, server: string): T {
  if (outcome.ok) return outcome.value;
  const hint =
    outcome.error.kind === 'auth' || outcome.error.kind === 'no-password'
      ? ' Re-enter the password (RW Migrate: Set Password).'
      : outcome.error.kind === 'unreachable'
        ? ' Check that the server runs and the host and port in the profile.'
        : outcome.error.kind === 'privilege'
          ? ' Grant the missing privileges or use another user (Test Connection lists them).'
          : '';
  return failWith(`${flow}: cannot ${what} on ${server}: ${outcome.error.message}.${hint}`, fixFor(outcome.error));
}

function failWith(message: string, fix: { title: string; command: string } | undefined): never {
  throw new FlowStop(message, 'error', fix);
}
