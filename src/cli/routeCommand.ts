/**
 * `rw-migrate route --explain "SQL"`: where each statement would run and why, for tests and CI.
 * Without --profile it classifies only (no server is contacted); with --profile FILE it also reads
 * the replicas' health and lag and names the server, as the editor's Run SQL would choose it.
 * Nothing is executed either way.
 *
 * Output: one line per statement whose first word is `primary` or `replica` (may be served by a
 * replica), then the reason; --json prints one JSON object per statement.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeDecision, classifySql, RoutingSession, type RouteDecision } from '../engine/routing/index.js';
import type { ServerRef } from '../engine/topology/index.js';
import { sanitizeProfiles, toServerRef, type ProfileSetting } from '../engine/topology/index.js';
import { EXIT, UsageError } from './exit-codes.js';
import { passwordFor } from './password.js';

export interface RouteOptions {
  explain?: string;
  profile?: string;
  name?: string;
  json?: boolean;
  maxStaleness?: string;
}

/** The default of the rwMigrate.maxStalenessSeconds setting. */
export const DEFAULT_MAX_STALENESS_SECONDS = 5;

/**
 * A profile file: one profile object as in rwMigrate.profiles, or an array of them (then --name
 * picks one, unless there is only one).
 */
export function readProfile(file: string, name?: string): ProfileSetting {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the profile ${file}: ${(err as Error).message}. Give a JSON file with {"name", "primary": {"host", "port", "user"}, "replicas": [...]}`);
  }
  const list = sanitizeProfiles(Array.isArray(raw) ? raw : [raw]);
  if (list.length === 0) throw new UsageError(`${file} holds no usable profile: each needs "name" and "primary": {"host": ...}`);
  if (name) {
    const found = list.find((p) => p.name === name);
    if (!found) throw new UsageError(`no profile named "${name}" in ${file} (it has: ${list.map((p) => p.name).join(', ')})`);
    return found;
  }
  if (list.length > 1) throw new UsageError(`${file} holds ${list.length} profiles: pick one with --name (${list.map((p) => p.name).join(', ')})`);
  return list[0];
}

function parseStaleness(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_STALENESS_SECONDS;
  const n = Number(text);
  if (!(n >= 0) || text.trim() === '') throw new UsageError('--max-staleness must be a number of seconds, 0 or more');
  return n;
}

const oneLine = (sql: string) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? flat.slice(0, 77) + '...' : flat;
};

export async function routeCommand(o: RouteOptions, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const sql = o.explain;
  if (sql === undefined || sql.trim() === '') throw new UsageError('give the SQL to explain: rw-migrate route --explain "SELECT ..."');
  const maxStalenessSeconds = parseStaleness(o.maxStaleness);
  if (!o.profile) {
    if (o.name) throw new UsageError('--name picks a profile from --profile FILE');
    for (const s of classifySql(sql).statements) {
      if (o.json) out(JSON.stringify({ route: s.route, reason: s.reason, statement: s.text }) + '\n');
      else out(`${s.route} ${s.reason}  | ${oneLine(s.text)}\n`);
    }
    return EXIT.ok;
  }
  const profile = readProfile(o.profile, o.name);
  const primaryPassword = await passwordFor('primary', `the primary of ${profile.name}`);
  // Replicas share the primary's password unless RW_MIGRATE_REPLICA_PASSWORD says otherwise.
  const replicaPassword = process.env.RW_MIGRATE_REPLICA_PASSWORD ?? primaryPassword;
  const primary: ServerRef = toServerRef(profile.primary, primaryPassword);
  const replicas = (profile.replicas ?? []).map((r) => toServerRef(r, replicaPassword));
  const session = new RoutingSession({ primary, replicas }, { maxStalenessSeconds });
  try {
    for (const { statement, decision } of await session.explain(sql)) {
      if (o.json) out(JSON.stringify(jsonLine(decision, statement.text)) + '\n');
      else out(`${describeDecision(decision)}  | ${oneLine(statement.text)}\n`);
    }
  } finally {
    await session.close();
  }
  return EXIT.ok;
}

function jsonLine(d: RouteDecision, statement: string) {
  return { route: d.route, reason: d.reason, server: d.server, lagSeconds: d.lagSeconds, classified: d.classified, statement };
}

export function registerRouteCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('route')
    .description('explain where each SQL statement would run (primary or a replica) and why; runs nothing')
    .requiredOption('--explain <sql>', 'the SQL (one or more statements separated by ;)')
    .option('--profile <file>', 'a profile JSON (primary + replicas, as in rwMigrate.profiles): also check replica health and lag and name the server')
    .option('--name <profile>', 'which profile of the file, when it holds several')
    .option('--max-staleness <s>', `a replica serves reads only within this lag (default ${DEFAULT_MAX_STALENESS_SECONDS})`)
    .option('--json', 'one JSON object per statement: {"route","reason",...}')
    .addHelpText('after', '\nPasswords with --profile: RW_MIGRATE_PRIMARY_PASSWORD (or a prompt on a TTY); RW_MIGRATE_REPLICA_PASSWORD, else the primary\'s.\n')
    .action(async (o: RouteOptions) => setExit(await routeCommand(o)));
}
