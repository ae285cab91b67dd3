/**
 * What a tree node passed to a command says about where the user clicked: profile, server,
 * database, table. Tolerant of shape (the Topology tree's node types evolve): it reads the common
 * fields and ignores the rest. Anything else, such as a palette call with no argument, gives {}.
 */
import type { ProfileSetting, ServerSetting } from './migratePlan.js';

export interface NodeFacts {
  profile?: string;
  server?: ServerSetting;
  role?: 'primary' | 'replica';
  database?: string;
  table?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function name(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  const r = record(value);
  return typeof r?.name === 'string' && r.name ? r.name : undefined;
}

function server(value: unknown): ServerSetting | undefined {
  const r = record(value);
  if (!r || typeof r.host !== 'string') return undefined;
  return {
    host: r.host,
    ...(typeof r.port === 'number' ? { port: r.port } : {}),
    ...(typeof r.user === 'string' ? { user: r.user } : {}),
    ...(typeof r.name === 'string' ? { name: r.name } : {}),
  };
}

export function nodeFacts(arg: unknown): NodeFacts {
  const r = record(arg);
  if (!r) return {};
  const facts: NodeFacts = {};
  const profile = name(r.profile) ?? name(r.profileName);
  if (profile) facts.profile = profile;
  const s = server(r.server) ?? server(r.ref);
  if (s) facts.server = s;
  if (r.role === 'primary' || r.role === 'replica') facts.role = r.role;
  const database = name(r.database) ?? (typeof r.databaseName === 'string' ? r.databaseName : undefined);
  if (database) facts.database = database;
  const table = name(r.table) ?? (typeof r.tableName === 'string' ? r.tableName : undefined);
  if (table) facts.table = table;
  // A database or table node may carry only its own name plus a `kind`.
  if (!facts.database && r.kind === 'database' && typeof r.name === 'string') facts.database = r.name;
  if (!facts.table && r.kind === 'table' && typeof r.name === 'string') facts.table = r.name;
  return facts;
}

/** The profile a node names, and which of its servers (the primary when the node has none). */
export function locate(facts: NodeFacts, profiles: ProfileSetting[]): { profile: ProfileSetting; server: ServerSetting; role: 'primary' | 'replica' } | undefined {
  const profile = profiles.find((p) => p.name === facts.profile);
  if (!profile) return undefined;
  if (!facts.server) return { profile, server: profile.primary, role: 'primary' };
  const key = (s: ServerSetting) => `${s.host}:${s.port ?? 3306}`;
  const wanted = key(facts.server);
  if (key(profile.primary) === wanted) return { profile, server: profile.primary, role: 'primary' };
  const replica = (profile.replicas ?? []).find((s) => key(s) === wanted);
  return replica ? { profile, server: replica, role: 'replica' } : undefined;
}
