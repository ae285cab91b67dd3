/**
 * The Topology view: profile -> servers -> databases -> tables. Children come from the worker when a
 * node expands and are cached until Refresh, so a live lag update can repaint a server node without
 * re-listing its databases. Failures become error nodes with a fix action, never an empty tree.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { serversOf, sameServer, portOf, type ProfileSetting } from '../engine/topology/profileModel.js';
import type { Ctx } from '../ctx.js';
import type { LagUpdate, ServerRef } from '../engine/topology/types.js';
import { ListDatabasesRequest, ListTablesRequest, ServerSummaryRequest } from '../protocol/index.js';
import { fixFor, nodeView, type TopologyNode } from './nodes.js';

type ServerNode = Extract<TopologyNode, { kind: 'server' }>;

/** The part of a cache key that names a profile's server. */
const where = (n: { profile: ProfileSetting; server: ServerNode['server'] }) => `${n.profile.name}/${n.server.host}:${portOf(n.server)}`;

export class TopologyTree implements vscode.TreeDataProvider<TopologyNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TopologyNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly children = new Map<string, Promise<TopologyNode[]>>();
  private lastLag: LagUpdate | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly store: ProfileStore,
    private readonly activeProfile: () => string | undefined,
  ) {}

  refresh(): void {
    this.children.clear();
    this.changed.fire(undefined);
  }

  /** A lag update repaints the profile's replica nodes (cached children only; nothing is re-fetched). */
  async applyLag(update: LagUpdate | null): Promise<void> {
    this.lastLag = update;
    for (const [key, pending] of this.children) {
      if (!key.startsWith('profile/')) continue;
      const nodes = await pending.catch(() => []);
      for (const n of nodes) {
        if (n.kind !== 'server') continue;
        const lag = this.lagFor(n) ?? null;
        if (n.error && n.role === 'primary' && update?.profile === n.profile.name) {
          // The poller watches replicas only: retry a primary that was down, at most every 10 s.
          const last = this.primaryRetries.get(n) ?? 0;
          if (Date.now() - last >= 10_000) {
            this.primaryRetries.set(n, Date.now());
            void this.reload(n, null);
          }
          continue;
        }
        if (n.error && lag?.reachable) {
          // It was down when the tree loaded and answers again: load it afresh rather than keep the error.
          void this.reload(n, lag);
          continue;
        }
        if (lag !== n.lag) {
          n.lag = lag;
          this.changed.fire(n);
        }
      }
    }
  }

  private lagFor(n: ServerNode) {
    if (n.role !== 'replica' || !this.lastLag || this.lastLag.profile !== n.profile.name) return null;
    return this.lastLag.replicas.find((r) => r.host === n.server.host && r.port === portOf(n.server)) ?? null;
  }

  getTreeItem(node: TopologyNode): vscode.TreeItem {
    const v = nodeView(node);
    const state = { none: vscode.TreeItemCollapsibleState.None, collapsed: vscode.TreeItemCollapsibleState.Collapsed, expanded: vscode.TreeItemCollapsibleState.Expanded }[v.collapsible];
    const item = new vscode.TreeItem(v.label, state);
    item.id = v.id;
    item.description = v.description;
    item.tooltip = v.tooltip;
    item.contextValue = v.contextValue;
    item.iconPath = new vscode.ThemeIcon(v.icon, v.iconColor ? new vscode.ThemeColor(v.iconColor) : undefined);
    if (v.command) item.command = { title: v.command.title, command: v.command.command, arguments: [node] };
    return item;
  }

  getChildren(node?: TopologyNode): Promise<TopologyNode[]> | TopologyNode[] {
    if (!node) {
      const active = this.activeProfile();
      return this.store.all().map((profile) => ({ kind: 'profile', profile, active: profile.name === active }));
    }
    const key = this.key(node);
    if (!key) return [];
    let pending = this.children.get(key);
    if (!pending) {
      pending = this.load(node).catch((err: unknown) => [{ kind: 'message', text: `Could not load: ${err instanceof Error ? err.message : String(err)}` } as TopologyNode]);
      this.children.set(key, pending);
    }
    return pending;
  }

  private key(node: TopologyNode): string | null {
    switch (node.kind) {
      case 'profile':
        return `profile/${node.profile.name}`;
      case 'server':
        return `server/${where(node)}`;
      case 'database':
        return `db/${where(node)}/${node.database}`;
      default:
        return null;
    }
  }

  private async ref(profile: ProfileSetting, server: ServerNode['server']): Promise<ServerRef> {
    return this.store.ref(profile.name, server);
  }

  private async load(node: TopologyNode): Promise<TopologyNode[]> {
    if (node.kind === 'profile') return this.loadServers(node.profile);
    if (node.kind === 'server') {
      if (node.error) return [{ kind: 'error', profile: node.profile, server: node.server, error: node.error, action: fixFor(node.error) }];
      const client = await this.ctx.worker.ready();
      const res = await client.sendRequest(ListDatabasesRequest, { server: await this.ref(node.profile, node.server), only: node.profile.databases });
      if (!res.ok) return [{ kind: 'error', profile: node.profile, server: node.server, error: res.error, action: fixFor(res.error) }];
      if (res.value.length === 0) return [{ kind: 'message', text: node.profile.databases?.length ? 'None of the filtered databases exist here' : 'No databases' }];
      return res.value.map((d) => ({ kind: 'database', profile: node.profile, server: node.server, role: node.role, database: d.name }));
    }
    if (node.kind === 'database') {
      const client = await this.ctx.worker.ready();
      const res = await client.sendRequest(ListTablesRequest, { server: await this.ref(node.profile, node.server), database: node.database });
      if (!res.ok) return [{ kind: 'error', profile: node.profile, server: node.server, error: res.error, action: fixFor(res.error) }];
      if (res.value.length === 0) return [{ kind: 'message', text: 'No tables' }];
      return res.value.map((table) => ({ kind: 'table', profile: node.profile, server: node.server, role: node.role, database: node.database, table }));
    }
    return [];
  }

  /** Every server's summary in parallel: one unreachable host costs its own timeout, not the sum. */
  private async loadServers(profile: ProfileSetting): Promise<TopologyNode[]> {
    const client = await this.ctx.worker.ready();
    return Promise.all(
      serversOf(profile).map(async ({ server, role }): Promise<TopologyNode> => {
        const res = await client.sendRequest(ServerSummaryRequest, { server: await this.ref(profile, server) });
        const node: ServerNode = { kind: 'server', profile, server, role, summary: res.ok ? res.value : null, error: res.ok ? null : res.error, lag: null };
        node.lag = this.lagFor(node);
        return node;
      }),
    );
  }

  private readonly reloading = new Set<ServerNode>();
  private readonly primaryRetries = new WeakMap<ServerNode, number>();

  /** Fetches a server node's summary again and forgets its cached children (the error node). */
  private async reload(n: ServerNode, lag: ServerNode['lag']): Promise<void> {
    if (this.reloading.has(n)) return;
    this.reloading.add(n);
    try {
      const client = await this.ctx.worker.ready();
      const res = await client.sendRequest(ServerSummaryRequest, { server: await this.ref(n.profile, n.server) });
      if (!res.ok) return;
      n.summary = res.value;
      n.error = null;
      n.lag = lag;
      // The server's children and its databases' children were listed while it was down.
      for (const k of [...this.children.keys()]) if (k === `server/${where(n)}` || k.startsWith(`db/${where(n)}/`)) this.children.delete(k);
      this.changed.fire(n);
    } catch {
      // The next lag update tries again.
    } finally {
      this.reloading.delete(n);
    }
  }

  /** The cached server node for a profile's server, if the tree has loaded it. */
  async findServer(profileName: string, server: ServerNode['server']): Promise<ServerNode | undefined> {
    const nodes = await (this.children.get(`profile/${profileName}`) ?? Promise.resolve([]));
    return nodes.find((n): n is ServerNode => n.kind === 'server' && sameServer(n.server, server));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
