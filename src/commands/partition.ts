/**
 * Partition Table by Key Range…: source table (from the tree node, or picked), a target profile's
 * primary and one database per range, then the worker's plan in a modal (ranges, rows, bytes per
 * target) that must be confirmed before anything is written; then the split runs in the worker with
 * progress and Cancel, and the map is saved in the workspace (.rw-migrate/partitions/…, see
 * src/engine/partition/mapFile.ts for why a file).
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { serverLabel } from '../engine/topology/profileModel.js';
import type { Ctx } from '../ctx.js';
import { mapFileSegments } from '../engine/partition/map.js';
import { planLines } from '../engine/partition/planText.js';
import { rangeLabel, targetLabel, type PartitionTarget } from '../engine/partition/types.js';
import { ListTablesRequest, PartitionPlanRequest, PartitionProgressNotification, PartitionRunRequest } from '../protocol/index.js';
import { confirm, FlowStop, input, pickOne, shortTask } from '../ui/quickFlow.js';
import { toSpec, unwrap, withPassword } from '../ui/servers.js';
import { pickSource, pickTargetProfile } from './migrate.js';

const FLOW = 'Partition Table';
const TOTAL = 5;

function databaseList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

async function partitionFlow(ctx: Ctx, store: ProfileStore, arg: unknown): Promise<void> {
  const src = await pickSource(ctx, store, FLOW, arg, TOTAL);
  const sourceRef = await withPassword(store, FLOW, src.profile.name, src.server);
  let table = src.tables?.[0];
  if (!table) {
    const client = await ctx.worker.ready();
    const tables = unwrap(
      await shortTask(FLOW, `Listing tables of ${src.database}…`, () => client.sendRequest(ListTablesRequest, { server: sourceRef, database: src.database })),
      FLOW,
      `list the tables of ${src.database}`,
      serverLabel(src.server),
    ).filter((t) => !t.isView);
    table = await pickOne({ flow: FLOW, title: 'Table', step: [2, TOTAL] }, tables.map((t) => ({ label: t.name, description: `~${t.estimatedRows.toLocaleString('en-US')} rows`, value: t.name })), 'Which table to split?');
  }
  const targetProfile = await pickTargetProfile(ctx, store, FLOW, [3, TOTAL]);
  const names = databaseList(
    await input(
      { flow: FLOW, title: 'One database per range', step: [4, TOTAL] },
      {
        prompt: `Databases on ${serverLabel(targetProfile.primary)}, comma-separated: one range each (created if missing; the table must not have rows there)`,
        value: [0, 1, 2].map((i) => `${src.database}_p${i}`).join(', '),
        validate: (t) => (databaseList(t).length < 2 ? 'Give at least two database names.' : new Set(databaseList(t)).size !== databaseList(t).length ? 'Each database once.' : undefined),
      },
    ),
  );
  const targetRef = await withPassword(store, FLOW, targetProfile.name, targetProfile.primary);
  const targets: PartitionTarget[] = names.map((database) => ({ name: serverLabel(targetProfile.primary), host: targetRef.host, port: targetRef.port, user: targetRef.user, database }));
  const source = await toSpec(sourceRef);
  const client = await ctx.worker.ready();
  const planned = await shortTask(FLOW, `Planning ${names.length} ranges of ${src.database}.${table}…`, () =>
    client.sendRequest(PartitionPlanRequest, { source, database: src.database, table: table as string, targets }),
  );
  if (!planned.ok) throw new FlowStop(`${FLOW}: ${planned.message}`, planned.refused ? 'warning' : 'error');
  const map = planned.map;
  const lines = planLines(map);
  await confirm(
    FLOW,
    {
      message: `Split ${src.database}.${table} into ${map.ranges.length} ranges?`,
      detail: `${lines.join('\n')}\n\nEach range is copied as its own job (chunked, throttled, resumable) and verified by count and checksum. The source is only read. Writes to the source during the split are not carried over.`,
    },
    'Split Table',
  );
  const passwords: Record<string, string> = {};
  if (sourceRef.password !== undefined) passwords[`${sourceRef.host}:${sourceRef.port}`] = sourceRef.password;
  if (targetRef.password !== undefined) passwords[`${targetRef.host}:${targetRef.port}`] = targetRef.password;
  const runId = `p${Date.now().toString(36)}`;
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Splitting ${src.database}.${table}`, cancellable: true },
    async (progress, token) => {
      const sub = client.onNotification(PartitionProgressNotification, (p) => {
        if (p.runId !== runId) return;
        const r = map.ranges[p.range];
        const rows = p.rows !== undefined ? `: ${p.rows.toLocaleString('en-US')} rows` : '';
        progress.report({ message: `range ${p.range + 1}/${map.ranges.length} ${rangeLabel(r)} → ${targetLabel(r.target)} ${p.phase}${rows}` });
      });
      try {
        return await client.sendRequest(PartitionRunRequest, { runId, direction: 'split', map, passwords }, token);
      } finally {
        sub.dispose();
      }
    },
  );
  if (summary.state !== 'done') {
    const jobs = summary.jobs.map((j) => `range ${j.range}: job ${j.jobId} ${j.state}`).join('; ');
    throw new FlowStop(`${FLOW}: ${summary.state}: ${summary.message ?? ''}${jobs ? ` (${jobs})` : ''}`, summary.state === 'cancelled' ? 'info' : 'error');
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? ctx.extension.globalStorageUri;
  const file = vscode.Uri.joinPath(folder, ...mapFileSegments(src.profile.name, src.database, table));
  await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(summary.map, null, 2) + '\n'));
  ctx.log.info(`${FLOW}: ${src.database}.${table} split into ${map.ranges.length} verified ranges; map ${file.fsPath}`);
  const open = await vscode.window.showInformationMessage(`${src.database}.${table}: ${map.ranges.length} ranges copied and verified. Map saved to ${vscode.workspace.asRelativePath(file)}.`, 'Open Map');
  if (open) await vscode.window.showTextDocument(file);
}

/** The palette / table-menu command (one entry of the command table in commands/index.ts). */
export const PARTITION_FLOW = FLOW;
export { partitionFlow };
