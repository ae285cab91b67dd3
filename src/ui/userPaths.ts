/**
 * One call from the command table wires the user's paths: the Jobs view and its commands, the
 * migrate flows, compare/verify and replication status. Each command is registered in its own file.
 */
import { registerJobCommands } from '../commands/jobs.js';
import { registerMigrateCommands } from '../commands/migrate.js';
import { registerPartitionCommands } from '../commands/partition.js';
import { registerReplicationCommands } from '../commands/replication.js';
import { registerVerifyCommands } from '../commands/verify.js';
import { ProfileStore } from '../connections/profiles.js';
import type { Ctx } from '../ctx.js';

export function registerUserPaths(ctx: Ctx): void {
  // ProfileStore holds no state of its own (settings + SecretStorage), so a second instance is safe.
  const store = new ProfileStore(ctx.extension.secrets);
  const jobs = registerJobCommands(ctx, store);
  registerMigrateCommands(ctx, store, jobs);
  registerVerifyCommands(ctx, store);
  registerReplicationCommands(ctx, store);
  registerPartitionCommands(ctx, store);
}
