/**
 * The Topology view's nodes and how each one looks: pure data (no `vscode`), so labels,
 * descriptions and context values are unit-tested. Context values encode node facts as
 * `key=value` pairs (`type=table,pk=no,role=primary`) for regex `when` clauses in menus.
 */
import type { ProfileSetting, Role, ServerSetting } from '../engine/topology/profileModel.js';
import { serverLabel } from '../engine/topology/profileModel.js';
import { formatBytes } from '../engine/jobs/format.js';
import { formatLag, lagText } from '../engine/lag/lagState.js';
import type { ReplicaLag, ServerSummary, TableSummary, TopologyError } from '../engine/topology/types.js';

export type ServerState = 'ok' | 'warning' | 'error' | 'unknown';

export type TopologyNode =
  | { kind: 'profile'; profile: ProfileSetting; active: boolean }
  | {
      kind: 'server';
      profile: ProfileSetting;
      server: ServerSetting;
      role: Role;
      summary: ServerSummary | null;
      error: TopologyError | null;
      lag: ReplicaLag | null;
    }
  | { kind: 'database'; profile: ProfileSetting; server: ServerSetting; role: Role; database: string }
  | { kind: 'table'; profile: ProfileSetting; server: ServerSetting; role: Role; database: string; table: TableSummary }
  | { kind: 'error'; profile: ProfileSetting; server: ServerSetting | null; error: TopologyError; action: FixAction | null }
  | { kind: 'message'; text: string };

export interface FixAction {
  title: string;
  command: string;
}

export interface NodeView {
  id?: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue: string;
  icon: string;
  /** A theme colour id for the icon, e.g. problemsWarningIcon.foreground. */
  iconColor?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: FixAction;
}

export function formatRows(n: number): string {
  if (n < 1000) return `${n}`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** What the user can do about an error: the fix the error node offers when clicked. */
export function fixFor(error: TopologyError): FixAction | null {
  switch (error.kind) {
    case 'auth':
      return { title: 'Re-enter password', command: 'rwMigrate.setPassword' };
    case 'no-password':
      return { title: 'Set password', command: 'rwMigrate.setPassword' };
    case 'tls':
      return { title: 'Edit profile (TLS settings)', command: 'rwMigrate.editProfile' };
    case 'unreachable':
    case 'privilege':
    case 'other':
      return { title: 'Test connection', command: 'rwMigrate.testConnection' };
  }
}

/** A server's state: unreachable or stopped replication is an error; the live lag sample wins when present. */
export function serverState(node: Extract<TopologyNode, { kind: 'server' }>): { state: ServerState; reason: string } {
  if (node.error) return { state: 'error', reason: node.error.message };
  if (node.lag) return { state: node.lag.state, reason: node.lag.reason };
  if (!node.summary) return { state: 'unknown', reason: '' };
  if (node.role === 'replica') {
    const ch = node.summary.replication[0];
    if (!ch) return { state: 'error', reason: 'not replicating' };
    if (ch.ioRunning !== 'yes') return { state: 'error', reason: ch.lastIoError ? `IO thread ${ch.ioRunning === 'connecting' ? 'connecting' : 'stopped'}: ${ch.lastIoError}` : 'IO thread stopped' };
    if (!ch.sqlRunning) return { state: 'error', reason: ch.lastSqlError ? `SQL thread stopped: ${ch.lastSqlError}` : 'SQL thread stopped' };
  }
  return { state: 'ok', reason: '' };
}

function replicaLagText(node: Extract<TopologyNode, { kind: 'server' }>): string | null {
  if (node.role !== 'replica') return null;
  if (node.lag) return lagText(node.lag);
  const s = node.summary?.replication[0]?.secondsBehind;
  return s === undefined || s === null ? null : `lag ${formatLag(s)}`;
}

function shortVersion(v: string): string {
  const m = /^(\d+\.\d+\.\d+)(-MariaDB)?/i.exec(v);
  return m ? `${m[2] ? 'MariaDB' : 'MySQL'} ${m[1]}` : v;
}

const STATE_ICON: Record<ServerState, string | null> = { ok: null, warning: 'warning', error: 'error', unknown: null };
const STATE_COLOR: Record<ServerState, string | undefined> = {
  ok: undefined,
  warning: 'problemsWarningIcon.foreground',
  error: 'problemsErrorIcon.foreground',
  unknown: undefined,
};

export function nodeView(node: TopologyNode): NodeView {
  switch (node.kind) {
    case 'profile':
      return {
        id: `profile/${node.profile.name}`,
        label: node.profile.name,
        description: [node.active ? 'active' : '', node.profile.heartbeat ? 'heartbeat' : ''].filter(Boolean).join(' · ') || undefined,
        tooltip: `${node.profile.name}: primary ${serverLabel(node.profile.primary)}, ${node.profile.replicas?.length ?? 0} replica(s)`,
        contextValue: `type=profile,active=${node.active ? 'yes' : 'no'}${node.profile.target ? ',target=yes' : ''}`,
        icon: node.profile.target ? 'target' : 'server-environment',
        collapsible: 'expanded',
      };
    case 'server': {
      // No password yet is the normal first state (SecretStorage starts empty), not a fault: a key, not a red cross.
      if (node.error?.kind === 'no-password') {
        return {
          id: `server/${node.profile.name}/${node.server.host}:${node.server.port ?? 3306}/${node.role}`,
          label: serverLabel(node.server),
          description: `${node.role} · password needed: click to enter it`,
          tooltip: `${serverLabel(node.server)} (${node.role})\n${node.error.message}. Click to enter it; it is kept in VS Code's secret storage.`,
          contextValue: `type=server,role=${node.role},state=locked`,
          icon: 'key',
          collapsible: 'collapsed',
          command: { title: 'Set password', command: 'rwMigrate.setPassword' },
        };
      }
      const { state, reason } = serverState(node);
      const parts: string[] = [node.role];
      const lag = replicaLagText(node);
      if (lag) parts.push(lag);
      if (node.summary) parts.push(shortVersion(node.summary.facts.version));
      if (state === 'error' || state === 'warning') parts.push(reason);
      const facts = node.summary?.facts;
      const tooltip = [
        `${serverLabel(node.server)} (${node.role})`,
        facts ? `${facts.version}, server_id ${facts.serverId}${facts.readOnly ? ', read_only' : ''}` : '',
        reason,
      ].filter(Boolean).join('\n');
      return {
        id: `server/${node.profile.name}/${node.server.host}:${node.server.port ?? 3306}/${node.role}`,
        label: serverLabel(node.server),
        description: parts.join(' · '),
        tooltip,
        contextValue: `type=server,role=${node.role},state=${state}`,
        icon: STATE_ICON[state] ?? (node.role === 'primary' ? 'database' : 'mirror'),
        iconColor: STATE_COLOR[state],
        collapsible: 'collapsed',
      };
    }
    case 'database':
      return {
        label: node.database,
        contextValue: `type=database,role=${node.role}`,
        icon: 'database',
        collapsible: 'collapsed',
      };
    case 'table': {
      const t = node.table;
      const size = formatBytes(t.dataBytes + t.indexBytes);
      const pk = t.hasPrimaryKey ? 'yes' : 'no';
      return {
        label: t.name,
        description: t.isView ? 'view' : `~${formatRows(t.estimatedRows)} rows · ${size}${t.hasPrimaryKey ? '' : ' · no primary key'}`,
        tooltip: t.isView ? `${node.database}.${t.name} (view)` : `${node.database}.${t.name}: about ${t.estimatedRows} rows, ${size} (${t.engine ?? 'no engine'})${t.hasPrimaryKey ? '' : '\nNo primary key: copies and verification need a unique key.'}`,
        contextValue: `type=table,pk=${pk},role=${node.role}${t.isView ? ',view=yes' : ''}`,
        icon: t.isView ? 'eye' : t.hasPrimaryKey ? 'table' : 'warning',
        iconColor: t.hasPrimaryKey || t.isView ? undefined : 'problemsWarningIcon.foreground',
        collapsible: 'none',
      };
    }
    case 'error':
      return {
        label: node.action ? `${node.error.message} — ${node.action.title}` : node.error.message,
        tooltip: node.error.message,
        contextValue: `type=error,kind=${node.error.kind}`,
        icon: 'error',
        iconColor: 'problemsErrorIcon.foreground',
        collapsible: 'none',
        command: node.action ?? undefined,
      };
    case 'message':
      return { label: node.text, contextValue: 'type=message', icon: 'info', collapsible: 'none' };
  }
}
