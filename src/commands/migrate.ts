/**
 * Migrate Table To… / Migrate Database To…: source (pre-filled from the tree node), target (a
 * profile's primary and a database name), strategy, options, the modal that states what is written
 * where, then StartJobRequest. The job runs in the worker; this returns as soon as it has started.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { serverLabel, type ProfileSetting, type ServerSetting } from '../engine/topology/profileModel.js';
import type { Ctx } from '../ctx.js';
import { ListColumnsRequest, ListDatabasesRequest, ListTablesRequest, ServerSummaryRequest } from '../protocol/index.js';
import {
  buildJobSpec, checkChoices, confirmationText, describeOptions, IF_EXISTS_TEXT, OPTION_RULES, readOptions, replicaTargetText, SAFETY_RULE, serverKey, STRATEGIES,
  truncateText, validateNumber, watermarkCandidates, type MigrateOptions, type Strategy,
} from '../ui/migratePlan.js';
import { locate, nodeFacts } from '../ui/nodeFacts.js';
import { confirm, FlowStop, input, pickMany, pickOne, pickSome, shortTask, type Step } from '../ui/quickFlow.js';
import { profilesOrStop, toSpec, unwrap, withPassword } from '../ui/servers.js';
import type { JobsController } from './jobs.js';
import type { JobSpec, WatermarkSpec } from '../engine/jobs/types.js';

const OPTIONS_KEY = 'rwMigrate.migrate.options';
const TARGET_KEY = 'rwMigrate.migrate.targetProfile';

export type Scope = 'table' | 'database';

export interface SourcePick {
  profile: ProfileSetting;
  server: ServerSetting;
  database: string;
}

/** Source profile and server: from the node when there is one, else picked (a replica spares the primary). */
export async function pickSource(ctx: Ctx, store: ProfileStore, flow: string, arg: unknown, total: number): Promise<SourcePick & { tables?: string[] }> {
  const profiles = profilesOrStop(store, flow);
  const facts = nodeFacts(arg);
  const located = locate(facts, profiles);
  if (facts.profile && !located) {
    throw new FlowStop(`${flow}: profile "${facts.profile}" or its server is no longer in rwMigrate.profiles. Refresh the Topology view and try again.`, 'warning');
  }
  const profile =
    located?.profile ??
    (await pickOne({ flow, title: 'Source profile', step: [1, total] }, profiles.map((p) => ({ label: p.name, description: serverLabel(p.primary), value: p })), 'Copy from which profile?'));
  const servers = [{ server: profile.primary, role: 'primary' }, ...(profile.replicas ?? []).map((server) => ({ server, role: 'replica' }))];
  const server =
    located?.server ??
    (servers.length === 1
      ? profile.primary
      : await pickOne(
          { flow, title: 'Read from', step: [1, total] },
          servers.map((s) => ({ label: serverLabel(s.server), description: s.role, detail: s.role === 'replica' ? 'Reading from a replica spares the primary.' : undefined, value: s.server })),
          'Which server to read from?',
        ));
  const ref = await withPassword(store, flow, profile.name, server);
  let database = facts.database;
  if (!database) {
    const client = await ctx.worker.ready();
    const names = unwrap(
      await shortTask(flow, `Listing databases on ${serverLabel(server)}…`, () => client.sendRequest(ListDatabasesRequest, { server: ref, only: profile.databases })),
      flow,
      'list databases',
      serverLabel(server),
    );
    database = await pickOne({ flow, title: 'Source database', step: [2, total] }, names.map((d) => ({ label: d.name, value: d.name })), 'Which database?');
  }
  return { profile, server, database, tables: facts.table ? [facts.table] : undefined };
}

async function listBaseTables(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick) {
  const client = await ctx.worker.ready();
  const ref = await withPassword(store, flow, src.profile.name, src.server);
  return unwrap(
    await shortTask(flow, `Listing tables of ${src.database}…`, () => client.sendRequest(ListTablesRequest, { server: ref, database: src.database })),
    flow,
    `list the tables of ${src.database}`,
    serverLabel(src.server),
  ).filter((t) => !t.isView);
}

async function pickTables(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick, total: number): Promise<string[]> {
  const tables = await listBaseTables(ctx, store, flow, src);
  return pickMany(
    { flow, title: 'Tables', step: [3, total] },
    tables.map((t) => ({ label: t.name, description: `~${t.estimatedRows.toLocaleString('en-US')} rows${t.hasPrimaryKey ? '' : ' · no primary key'}`, value: t.name })),
    `Tables of ${src.database} to copy (Space selects, Enter continues)`,
  );
}

/** Target profiles first (the remembered one first of all); the target is always a profile's primary. */
export async function pickTargetProfile(ctx: Ctx, store: ProfileStore, flow: string, step: [number, number]): Promise<ProfileSetting> {
  const profiles = profilesOrStop(store, flow);
  const last = ctx.extension.workspaceState.get<string>(TARGET_KEY);
  const ordered = [...profiles].sort((a, b) => Number(b.name === last) - Number(a.name === last) || Number(!!b.target) - Number(!!a.target));
  const chosen = await pickOne(
    { flow, title: 'Target', step },
    ordered.map((p) => ({ label: p.name, description: `primary ${serverLabel(p.primary)}${p.target ? ' · target' : ''}${p.name === last ? ' · last used' : ''}`, value: p })),
    'Write to which profile? (its primary is written to)',
  );
  await ctx.extension.workspaceState.update(TARGET_KEY, chosen.name);
  return chosen;
}

async function pickOptions(ctx: Ctx, flow: string, step: [number, number]): Promise<MigrateOptions> {
  const remembered = readOptions(ctx.extension.workspaceState.get(OPTIONS_KEY));
  const s: Step = { flow, title: 'Non-empty target tables', step };
  const order = [remembered.ifExists, ...(['abort', 'upsert', 'truncate'] as const).filter((x) => x !== remembered.ifExists)];
  const ifExists = await pickOne(s, order.map((p) => ({ label: p, detail: IF_EXISTS_TEXT[p], value: p })), 'If a target table already has rows…');
  let options: MigrateOptions = { ...remembered, ifExists };
  const change = await pickOne(
    { flow, title: 'Options', step },
    [
      { label: 'Continue with these options', detail: describeOptions(options), value: false },
      { label: 'Change chunk time, writers, max lag…', value: true },
    ],
    'Options',
  );
  if (change) {
    const num = (prompt: string, key: keyof typeof OPTION_RULES) =>
      input({ flow, title: prompt, step }, { prompt, value: String(options[key]), validate: (t) => validateNumber(t, OPTION_RULES[key]) }).then(Number);
    options = {
      ...options,
      chunkTimeSeconds: await num('Target time of one chunk, seconds', 'chunkTimeSeconds'),
      writers: await num('Parallel writers on the target', 'writers'),
      maxLagSeconds: await num('Wait while a replica lags more than (seconds)', 'maxLagSeconds'),
    };
  }
  await ctx.extension.workspaceState.update(OPTIONS_KEY, options);
  return options;
}

/**
 * Incremental: the watermark column, picked among the columns every chosen table has (each item
 * states what the strategy cannot see), then a safety window when the column holds time.
 */
async function pickWatermark(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick, tables: string[] | 'all', step: [number, number]): Promise<WatermarkSpec> {
  const client = await ctx.worker.ready();
  const ref = await withPassword(store, flow, src.profile.name, src.server);
  const columns = unwrap(
    await shortTask(flow, `Reading the columns of ${src.database}…`, () =>
      client.sendRequest(ListColumnsRequest, { server: ref, database: src.database, ...(tables === 'all' ? {} : { tables }) }),
    ),
    flow,
    `read the columns of ${src.database}`,
    serverLabel(src.server),
  );
  const names = tables === 'all' ? [...new Set(columns.map((c) => c.table))] : tables;
  const candidates = watermarkCandidates(columns, names);
  if (candidates.length === 0) {
    throw new FlowStop(
      `${flow}: ${names.length === 1 ? `${names[0]} has` : `the ${names.length} tables do not all have`} no numeric or date/time column to use as the watermark. Pick the tables that share one (e.g. id or updated_at), or use the Full copy or Hybrid strategy.`,
      'warning',
    );
  }
  const chosen = await pickOne(
    { flow, title: 'Watermark column', step },
    candidates.map((c) => ({ label: c.label, description: c.description, detail: c.detail, value: c })),
    'Which column marks new and changed rows? (each run copies the rows above the last mark)',
  );
  if (!chosen.temporal) return { column: chosen.column };
  const safety = await input(
    { flow, title: 'Safety window', step },
    {
      prompt: `Seconds behind the source's clock that the mark on ${chosen.column} stays (0 for none): a transaction that commits late with an older ${chosen.column} is then seen by the next run`,
      value: '0',
      validate: (t) => validateNumber(t, SAFETY_RULE),
    },
  );
  const seconds = Number(safety);
  return { column: chosen.column, ...(seconds > 0 ? { safetySeconds: seconds } : {}) };
}

/** Hybrid with several tables: which to copy first (optional; none keeps the planner's order). */
async function pickFirst(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick, tables: string[] | 'all', step: [number, number]): Promise<string[]> {
  const names = tables === 'all' ? (await listBaseTables(ctx, store, flow, src)).map((t) => t.name) : tables;
  if (names.length < 2) return [];
  return pickSome(
    { flow, title: 'Tables to copy first (optional)', step },
    names.map((t) => ({ label: t, value: t })),
    'Tables the snapshot copies before the others: Space selects; Enter with none keeps the default order',
  );
}

/** What the chosen strategy needs beyond the common choices. */
async function strategyDetails(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick, tables: string[] | 'all', strategy: Strategy, step: [number, number]) {
  if (strategy === 'incremental') return { watermark: await pickWatermark(ctx, store, flow, src, tables, step) };
  if (strategy === 'hybrid') return { first: await pickFirst(ctx, store, flow, src, tables, step) };
  return {};
}

/** A target that replicates (or is read_only) needs its own modal; the engine refuses it otherwise. */
async function confirmReplicaTarget(ctx: Ctx, store: ProfileStore, flow: string, profile: ProfileSetting, spec: JobSpec): Promise<JobSpec> {
  const client = await ctx.worker.ready();
  const ref = await withPassword(store, flow, profile.name, profile.primary);
  const summary = unwrap(
    await shortTask(flow, `Checking ${serverLabel(profile.primary)}…`, () => client.sendRequest(ServerSummaryRequest, { server: ref })),
    flow,
    'check the target',
    serverLabel(profile.primary),
  );
  const warning = replicaTargetText(spec, summary);
  if (!warning) return spec;
  await confirm(flow, warning, 'Write to This Replica');
  return { ...spec, allowReplicaTarget: true };
}

export async function migrateFlow(ctx: Ctx, store: ProfileStore, jobs: JobsController, scope: Scope, arg: unknown): Promise<void> {
  const flow = scope === 'table' ? 'Migrate Table' : 'Migrate Database';
  const total = 7;
  const src = await pickSource(ctx, store, flow, arg, total);
  const tables = scope === 'database' ? 'all' : (src.tables ?? (await pickTables(ctx, store, flow, src, total)));
  const targetProfile = await pickTargetProfile(ctx, store, flow, [4, total]);
  const targetDatabase = await input(
    { flow, title: 'Target database', step: [4, total] },
    { prompt: `Database on ${serverLabel(targetProfile.primary)} to write to (created if missing)`, value: src.database, validate: (t) => (t.trim() ? undefined : 'Enter a database name.') },
  );
  const sourceSpec = await toSpec(await withPassword(store, flow, src.profile.name, src.server));
  const targetSpec = await toSpec(await withPassword(store, flow, targetProfile.name, targetProfile.primary));
  const problem = checkChoices({ source: sourceSpec, sourceDatabase: src.database, target: targetSpec, targetDatabase, tables });
  if (problem) throw new FlowStop(`${flow}: ${problem}`, 'warning');
  const strategy = await pickOne(
    { flow, title: 'Strategy', step: [5, total] },
    STRATEGIES.map((s) => ({ label: s.label, description: s.id, detail: s.detail, value: s.id })),
    'How to copy',
  );
  const details = await strategyDetails(ctx, store, flow, src, tables, strategy, [5, total]);
  const options = await pickOptions(ctx, flow, [6, total]);
  const targetReplicas = [];
  for (const replica of targetProfile.replicas ?? []) targetReplicas.push(await toSpec(await withPassword(store, flow, targetProfile.name, replica)));
  let spec = buildJobSpec({
    source: sourceSpec, sourceDatabase: src.database, tables, target: targetSpec, targetDatabase, targetReplicas, strategy, options, heartbeat: targetProfile.heartbeat, ...details,
  });
  spec = await confirmReplicaTarget(ctx, store, flow, targetProfile, spec);
  if (options.ifExists === 'truncate') {
    await confirm(flow, truncateText(spec), 'Delete Rows and Copy');
    spec = { ...spec, confirmTruncate: true };
  }
  await confirm(flow, confirmationText(spec), scope === 'table' ? 'Migrate Tables' : 'Migrate Database');
  const jobId = await jobs.start(spec);
  const what = `${src.database}.${tables === 'all' ? '*' : tables.join(',')} → ${serverKey(targetSpec)}/${spec.targetDatabase}`;
  ctx.log.info(`${flow}: started ${spec.mode} job ${jobId}: ${what} (${spec.ifExists}${spec.watermark ? `, watermark ${spec.watermark.column}` : ''})`);
  void vscode.commands.executeCommand('rwMigrate.jobs.focus');
  void vscode.window.showInformationMessage(`Migration started: ${what}. Progress is in the Jobs view.`, 'Open Progress').then((b) => {
    if (b) void vscode.commands.executeCommand('rwMigrate.openJobProgress', jobs.model.get(jobId));
  });
}
