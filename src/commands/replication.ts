/**
 * Show Replication Status: one short, cancellable read (ServerSummaryRequest) of a server's facts
 * and replication channels, shown as a readable document. Read-only.
 */
import type { ProfileStore } from '../connections/profiles.js';
import { serverLabel } from '../engine/topology/profileModel.js';
import type { Ctx } from '../ctx.js';
import type { ServerSummary } from '../engine/topology/types.js';
import { ServerSummaryRequest } from '../protocol/index.js';
import { locate, nodeFacts } from '../ui/nodeFacts.js';
import { FlowStop, pickOne, shortTask, type Item } from '../ui/quickFlow.js';
import { profilesOrStop, unwrap, withPassword } from '../ui/servers.js';

/** Markdown for one server's summary (pure; exported for tests). */
export function replicationMarkdown(label: string, s: ServerSummary): string {
  const f = s.facts;
  const lines = [
    `# Replication status of ${label}`,
    '',
    `- Version: ${f.version} (${f.flavor}), server_id ${f.serverId}${f.readOnly ? ', read_only' : ''}`,
    `- Binary log: ${f.logBin ? `on, format ${f.binlogFormat ?? '?'}` : 'off'}; GTID: ${f.gtidMode}`,
    `- GTID position: \`${f.gtidPosition || '(empty)'}\``,
    '',
  ];
  if (s.replication.length === 0) {
    lines.push('This server replicates from no source (no replication channel).');
    return lines.join('\n') + '\n';
  }
  lines.push('| Channel | Source | IO thread | SQL thread | Seconds behind | GTID | Last error |', '|---|---|---|---|---|---|---|');
  for (const r of s.replication) {
    const error = (r.lastIoError || r.lastSqlError).replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(
      `| ${r.channel || '(default)'} | ${r.sourceHost}:${r.sourcePort} | ${r.ioRunning} | ${r.sqlRunning ? 'running' : 'stopped'} | ${r.secondsBehind ?? 'unknown'} | ${r.usingGtid ? 'yes' : 'no'} | ${error || '—'} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export async function showReplicationStatus(ctx: Ctx, store: ProfileStore, arg: unknown): Promise<void> {
  const flow = 'Show Replication Status';
  const profiles = profilesOrStop(store, flow);
  const facts = nodeFacts(arg);
  let located = locate(facts, profiles);
  if (facts.profile && !located) throw new FlowStop(`${flow}: profile "${facts.profile}" or its server is no longer in rwMigrate.profiles. Refresh the Topology view.`, 'warning');
  if (!located) {
    const choices = profiles.flatMap((profile): Item<NonNullable<typeof located>>[] => [
      { label: serverLabel(profile.primary), description: `${profile.name} · primary`, value: { profile, server: profile.primary, role: 'primary' as const } },
      ...(profile.replicas ?? []).map((server) => ({ label: serverLabel(server), description: `${profile.name} · replica`, value: { profile, server, role: 'replica' as const } })),
    ]);
    located = await pickOne({ flow, title: 'Server' }, choices, 'Which server?');
  }
  const { profile, server } = located;
  const ref = await withPassword(store, flow, profile.name, server);
  const client = await ctx.worker.ready();
  const summary = unwrap(
    await shortTask(flow, `Reading replication status of ${serverLabel(server)}…`, () => client.sendRequest(ServerSummaryRequest, { server: ref })),
    flow,
    'read the replication status',
    serverLabel(server),
  );
  const title = `${serverLabel(server)} (${profile.name})`;
  await ctx.docs.show(`Replication ${title}`, replicationMarkdown(title, summary));
}
