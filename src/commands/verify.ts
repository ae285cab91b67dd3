/**
 * Compare Row Counts With… (table), Compare With… (database) and Verify Against… (table): the source
 * from the tree node (or picked), a target profile's primary and database, then a read-only
 * verification in the worker. Nothing is written, so no write confirmation; counts are a short,
 * cancellable task in a notification.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { sameServer, serverLabel, type ServerSetting } from '../engine/topology/profileModel.js';
import type { Ctx } from '../ctx.js';
import type { VerifyReport, VerifySpec } from '../engine/verify/types.js';
import { describeVerifyEvent, VerifyClient } from '../jobs/verifyClient.js';
import { readOptions } from '../ui/migratePlan.js';
import { DiffPanel, type DiffCallbacks } from '../panels/diffPanel.js';
import { FlowStop, input, pickOne } from '../ui/quickFlow.js';
import { toSpec, withPassword } from '../ui/servers.js';
import { buildVerifySpec, countsMarkdown, reportLine, VERIFY_MODES } from '../ui/verifyPlan.js';
import { pickSource, pickTargetProfile, type SourcePick } from './migrate.js';

export type VerifyKind = 'compareTable' | 'compareDatabase' | 'verifyTable';

export const VERIFY_FLOW: Record<VerifyKind, string> = { compareTable: 'Compare Row Counts', compareDatabase: 'Compare Databases', verifyTable: 'Verify Table' };

/** Runs a VerifySpec in the worker as a cancellable notification; Cancel stops it in the worker too. */
async function runVerification(client: VerifyClient, flow: string, spec: VerifySpec): Promise<VerifyReport> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: flow, cancellable: true }, (progress, token) =>
    client.verify(
      spec,
      (event) => {
        const message = describeVerifyEvent(event);
        if (message) progress.report({ message });
      },
      token,
    ),
  );
}

/** Verify Again and Repair for the diff panel: repair writes only the differing rows, then re-verifies. */
function diffCallbacks(client: VerifyClient, flow: string, spec: VerifySpec): DiffCallbacks {
  return {
    verifyAgain: () => runVerification(client, flow, spec),
    repair: async (tables) => {
      const report = await runVerification(client, flow, { ...spec, mode: 'rows' });
      const diffs = report.tables.filter((t) => tables.includes(t.table) && t.diff).map((t) => ({ table: t.table, diff: t.diff! }));
      if (diffs.length > 0) {
        if (report.repairRefusal) throw new Error(report.repairRefusal);
        // The engine checks the target's replication and read_only again before its first write.
        const result = await client.repair({
          source: spec.source,
          target: spec.target,
          database: spec.database,
          targetDatabase: spec.targetDatabase,
          tables: diffs,
          confirm: true,
          ...(spec.targetIsReplica ? { targetIsReplica: true } : {}),
        });
        const failed = result.tables.filter((t) => t.error);
        if (failed.length > 0) throw new Error(failed.map((t) => `${t.table}: ${t.error}`).join('; '));
      }
      return runVerification(client, flow, { ...spec, mode: 'rows' });
    },
  };
}

export async function verifyFlow(ctx: Ctx, store: ProfileStore, client: VerifyClient, kind: VerifyKind, arg: unknown): Promise<void> {
  const flow = VERIFY_FLOW[kind];
  const total = kind === 'verifyTable' ? 5 : 4;
  const src = await pickSource(ctx, store, flow, arg, total);
  const tables = kind === 'compareDatabase' ? undefined : src.tables;
  if (kind !== 'compareDatabase' && !tables) {
    // From the palette: the table step is skipped; the whole database is compared, which the user chose knowingly.
    const whole = await pickOne(
      { flow, title: 'Tables', step: [3, total] },
      [{ label: `Every table of ${src.database}`, value: true }],
      'Right-click a table in the Topology view to check one table',
    );
    if (!whole) throw new FlowStop(`${flow} cancelled.`);
  }
  const targets = await pickVerifyTargets(ctx, store, flow, src, [4, total]);
  const mode =
    kind === 'verifyTable'
      ? await pickOne({ flow, title: 'Mode', step: [5, total] }, VERIFY_MODES.map((m) => ({ label: m.label, detail: m.detail, value: m.mode })), 'How thoroughly?')
      : 'count';
  const source = await toSpec(await withPassword(store, flow, src.profile.name, src.server));
  const maxLagSeconds = readOptions(ctx.extension.workspaceState.get('rwMigrate.migrate.options')).maxLagSeconds;
  for (const t of targets) {
    const spec: VerifySpec = {
      ...buildVerifySpec({
        source,
        target: await toSpec(await withPassword(store, flow, t.profile, t.server)),
        database: src.database,
        targetDatabase: t.database,
        tables,
        mode,
        maxLagSeconds,
      }),
      // A replica may lag: a differing range is checked again once it has caught up with the primary.
      ...(t.isReplica ? { targetIsReplica: true } : {}),
    };
    ctx.log.info(`${flow}: ${spec.mode} of ${src.database} on ${serverLabel(src.server)} vs ${t.database} on ${serverLabel(t.server)}`);
    const report = await runVerification(client, flow, spec);
    if (mode === 'count' || mode === 'estimate') {
      // Not a preview: with "each replica" every verdict keeps its own tab.
      await ctx.docs.show(`Row counts ${report.source} ${report.database} vs ${report.target} ${report.targetDatabase}`, countsMarkdown(report), { preview: false });
    } else {
      DiffPanel.show(ctx, report, diffCallbacks(client, flow, spec));
    }
    const line = `${flow}${targets.length > 1 ? ` (${serverLabel(t.server)})` : ''}: ${reportLine(report)}.`;
    if (report.clean) void vscode.window.showInformationMessage(line);
    else void vscode.window.showWarningMessage(line);
  }
}

interface VerifyTarget {
  profile: string;
  server: ServerSetting;
  database: string;
  isReplica: boolean;
}

/** Another profile's primary (a migration target), or, from a primary, each of its own replicas. */
async function pickVerifyTargets(ctx: Ctx, store: ProfileStore, flow: string, src: SourcePick, step: [number, number]): Promise<VerifyTarget[]> {
  const replicas = src.profile.replicas ?? [];
  if (sameServer(src.server, src.profile.primary) && replicas.length > 0) {
    const own = await pickOne(
      { flow, title: 'Compare with', step },
      [
        { label: `Each replica of ${src.profile.name}`, description: replicas.map(serverLabel).join(', '), detail: 'The primary against each replica; a lagging replica gets time to catch up before a range counts as different.', value: true },
        { label: 'A server of another profile…', detail: "Its primary, e.g. a migration target", value: false },
      ],
      'Compare the primary with…',
    );
    if (own) return replicas.map((server) => ({ profile: src.profile.name, server, database: src.database, isReplica: true }));
  }
  const target = await pickTargetProfile(ctx, store, flow, step);
  const database = await input(
    { flow, title: 'Target database', step },
    { prompt: `Database on ${serverLabel(target.primary)} to compare with`, value: src.database, validate: (t) => (t.trim() ? undefined : 'Enter a database name.') },
  );
  return [{ profile: target.name, server: target.primary, database: database.trim(), isReplica: false }];
}
