/**
 * Topology commands that ask the worker about live servers: Test Connection, Discover Replicas,
 * and Show Lag (the status bar item's click: each replica with its recent samples).
 */
import * as vscode from 'vscode';
import { serverLabel, sameServer, userOf, type ServerSetting } from '../engine/topology/profileModel.js';
import { formatLag } from '../engine/lag/lagState.js';
import { suggestReplicaName, type ConnectionReport, type ReplicaLag } from '../engine/topology/types.js';
import { DiscoverReplicasRequest, TestConnectionRequest } from '../protocol/index.js';
import { lagText } from '../engine/lag/lagState.js';
import { LagPanel } from '../panels/lagPanel.js';
import type { ProfileDeps } from './profiles.js';
import { errorText, inputPassword, pickProfile, pickServer } from './profilePicks.js';

/** The report as plain lines: shown in the modal's detail and written to the log. */
export function reportLines(r: ConnectionReport): string[] {
  const f = r.facts;
  const lines = [
    `Version: ${f.version} (${f.flavor})`,
    `server_id: ${f.serverId}   read_only: ${f.readOnly ? 'ON' : 'OFF'}`,
    `Binlog: ${f.logBin ? `ON, format ${f.binlogFormat}` : 'OFF'}   GTID: ${f.gtidMode}${f.gtidPosition ? ` at ${f.gtidPosition}` : ''}`,
  ];
  for (const ch of r.replication) {
    lines.push(
      `Replicating${ch.channel ? ` (${ch.channel})` : ''} from ${ch.sourceHost}:${ch.sourcePort}: IO ${ch.ioRunning}, SQL ${ch.sqlRunning ? 'yes' : 'no'}, ${ch.secondsBehind === null ? 'lag unknown' : `${ch.secondsBehind} s behind`}`,
    );
    if (ch.lastIoError) lines.push(`  Last_IO_Error: ${ch.lastIoError}`);
    if (ch.lastSqlError) lines.push(`  Last_SQL_Error: ${ch.lastSqlError}`);
  }
  lines.push('Privileges:');
  for (const p of r.privileges) lines.push(p.ok ? `  ✓ ${p.label}` : `  ✗ ${p.label}: missing ${p.missing.join(', ')}`);
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines;
}

export async function testConnection({ ctx, store }: ProfileDeps, arg: unknown): Promise<void> {
  const choice = await pickServer(store, arg);
  if (!choice) return;
  const label = `${userOf(choice.server)}@${serverLabel(choice.server)}`;
  try {
    const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing ${label}…` }, async () => {
      const client = await ctx.worker.ready();
      return client.sendRequest(TestConnectionRequest, { server: await store.ref(choice.profile.name, choice.server), database: choice.profile.databases?.[0] });
    });
    if (!res.ok) {
      const fix = res.error.kind === 'auth' || res.error.kind === 'no-password' ? 'Set Password' : undefined;
      const act = await vscode.window.showErrorMessage(`Test Connection ${label} failed: ${res.error.message}`, ...(fix ? [fix] : []));
      if (act) await vscode.commands.executeCommand('rwMigrate.setPassword', { kind: 'server', profile: choice.profile, server: choice.server, role: choice.role, summary: null, error: null, lag: null });
      return;
    }
    const lines = reportLines(res.value);
    ctx.log.info(`Test Connection ${label}:\n${lines.join('\n')}`);
    const missing = res.value.privileges.filter((p) => !p.ok).length;
    const summary = `${label}: connected, ${res.value.facts.version}${missing ? `; ${missing} feature(s) lack privileges` : '; all features available'}`;
    void vscode.window.showInformationMessage(summary, { modal: true, detail: lines.join('\n') });
  } catch (err) {
    void vscode.window.showErrorMessage(`Test Connection ${label} failed: ${errorText(err)}`);
  }
}

export async function discoverReplicas({ ctx, store, tree, lag }: ProfileDeps, arg: unknown): Promise<void> {
  const profile = await pickProfile(store, arg, 'Discover replicas of which profile’s primary?');
  if (!profile) return;
  try {
    const client = await ctx.worker.ready();
    const res = await client.sendRequest(DiscoverReplicasRequest, { server: await store.ref(profile.name, profile.primary) });
    if (!res.ok) {
      void vscode.window.showErrorMessage(`Discover Replicas on ${serverLabel(profile.primary)} failed: ${res.error.message}`);
      return;
    }
    const known = [profile.primary, ...(profile.replicas ?? [])];
    const fresh = res.value.filter((r) => r.port !== null && !known.some((k) => k.host === r.host && (k.port ?? 3306) === r.port));
    const portless = res.value.filter((r) => r.port === null);
    if (fresh.length === 0) {
      const extra = portless.length ? ` (${portless.map((p) => p.host).join(', ')} replicate without report_port: add them with Add Replica)` : '';
      void vscode.window.showInformationMessage(`No new replicas of ${profile.name} found: ${res.value.length} connected, all already in the profile${extra}.`);
      return;
    }
    // report_host is often just an IP shared by several replicas: suggest a name from the server id.
    const taken = known.map(serverLabel);
    const items = fresh.map((r) => {
      const name = suggestReplicaName(r, taken);
      taken.push(name);
      return { label: name, description: `${r.host}:${r.port} · seen in ${r.seenIn.join(' and ')}`, picked: true, r };
    });
    const picks = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: `Add which replicas to ${profile.name}? (you can rename each next)` });
    if (!picks || picks.length === 0) return;
    const names: string[] = [];
    for (const [i, p] of picks.entries()) {
      const others = [...known.map(serverLabel), ...names];
      const name = await vscode.window.showInputBox({
        title: `Name of ${p.r.host}:${p.r.port}${picks.length > 1 ? ` (${i + 1} of ${picks.length})` : ''}`,
        prompt: 'A short label for the status bar and the tree',
        value: p.label,
        validateInput: (v) => (!v.trim() ? 'Enter a name.' : others.includes(v.trim()) ? `"${v.trim()}" is already a server of ${profile.name}.` : undefined),
        ignoreFocusOut: true,
      });
      if (name === undefined) return;
      names.push(name.trim());
    }
    const user = userOf(profile.primary);
    const password = await inputPassword(`${user} on the new replicas (empty: the primary's password)`);
    if (password === undefined) return;
    const primaryPassword = await store.password(profile.name, profile.primary);
    const added: ServerSetting[] = picks.map((p, i) => ({ host: p.r.host, port: p.r.port as number, user, name: names[i] }));
    for (const s of added) await store.setPassword(profile.name, s, password || primaryPassword || '');
    const replicas = [...(profile.replicas ?? [])];
    for (const s of added) if (!replicas.some((r) => sameServer(r, s))) replicas.push(s);
    await store.put({ ...profile, replicas });
    tree.refresh();
    if (lag.activeProfile === profile.name) await lag.restart();
    void vscode.window.showInformationMessage(`Added ${added.length} replica(s) to ${profile.name}.`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Discover Replicas failed: ${errorText(err)}`);
  }
}

/** Eight-level bars for a row of samples: a sparkline that fits in a QuickPick description. */
export function sparkline(values: (number | null)[], max?: number): string {
  const bars = '▁▂▃▄▅▆▇█';
  const top = max ?? Math.max(0.001, ...values.filter((v): v is number => v !== null));
  return values.map((v) => (v === null ? '·' : bars[Math.min(7, Math.floor((v / top) * 7.999))])).join('');
}

function replicaItem(r: ReplicaLag) {
  const recent = r.history.slice(-30).map(([, v]) => v);
  const icon = r.state === 'ok' ? '$(check)' : r.state === 'warning' ? '$(warning)' : '$(error)';
  return { label: `${icon} ${r.name}`, description: `${lagText(r)}  ${sparkline(recent)}`, detail: r.state === 'ok' ? `${r.source} · ${r.host}:${r.port}` : r.reason, r };
}

export async function showLag(deps: ProfileDeps, arg: unknown): Promise<void> {
  const { lag } = deps;
  const update = lag.latest;
  if (!lag.activeProfile) {
    await vscode.commands.executeCommand('rwMigrate.setActiveProfile', arg);
    return;
  }
  if (!update) {
    void vscode.window.showInformationMessage(`RW Migrate: no lag sample for ${lag.activeProfile} yet.`);
    return;
  }
  const chart = { label: '$(graph-line) Open the lag chart', description: 'all replicas, live', r: null as ReplicaLag | null };
  const pick = await vscode.window.showQuickPick([chart, ...update.replicas.map(replicaItem)], { placeHolder: `Replication lag of ${update.profile}` });
  if (!pick) return;
  if (!pick.r) {
    LagPanel.show(deps.ctx, lag);
    return;
  }
  const r = pick.r;
  await vscode.window.showQuickPick(
    [...r.history].reverse().map(([at, v]) => ({ label: formatLag(v), description: new Date(at).toLocaleTimeString() })),
    { placeHolder: `${r.name}: recent samples, newest first (${r.source})` },
  );
}
