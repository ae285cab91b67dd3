/**
 * The profile/topology part of the command table. Every handler is wrapped so a failure ends in an
 * error message and a log line, never an unhandled rejection (a palette invocation with no tree
 * node, a cancelled input or a dead worker all end cleanly).
 */
import * as vscode from 'vscode';
import { addProfile, addReplica, editProfile, removeProfile, setActiveProfile, setPassword, setUpHeartbeat, type ProfileDeps } from './profiles.js';
import { errorText } from './profilePicks.js';
import { discoverReplicas, showLag, testConnection } from './topology.js';

type Handler = (deps: ProfileDeps, arg: unknown) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  'rwMigrate.addProfile': (d) => addProfile(d),
  'rwMigrate.addReplica': addReplica,
  'rwMigrate.editProfile': editProfile,
  'rwMigrate.removeProfile': removeProfile,
  'rwMigrate.setPassword': setPassword,
  'rwMigrate.setActiveProfile': setActiveProfile,
  // The server node's wording for the same thing: watch this server's profile in the status bar.
  'rwMigrate.useForLagIndicator': setActiveProfile,
  'rwMigrate.setUpHeartbeat': setUpHeartbeat,
  'rwMigrate.testConnection': testConnection,
  'rwMigrate.discoverReplicas': discoverReplicas,
  'rwMigrate.showLag': showLag,
};

export function topologyCommands(deps: ProfileDeps): Record<string, (...args: unknown[]) => unknown> {
  return Object.fromEntries(
    Object.entries(HANDLERS).map(([id, handler]) => [
      id,
      async (arg?: unknown) => {
        try {
          return await handler(deps, arg);
        } catch (err) {
          deps.ctx.log.error(`${id} failed: ${errorText(err)}`);
          void vscode.window.showErrorMessage(`RW Migrate: ${errorText(err)}`);
          return undefined;
        }
      },
    ]),
  );
}
