/**
 * Reads SHOW GRANTS and says which features the account can use, and what is missing for the rest.
 * Parsing is ours (no server-side check exists for "could I run SHOW SLAVE STATUS"); which privilege
 * each feature needs per server flavor lives in dialect.ts.
 */
import { canonicalPrivilege, featureRequirements, type Requirement } from './dialect.js';
import type { Flavor, PrivilegeCheck } from './types.js';

export interface Grant {
  privileges: string[];
  /** '*' for global (*.*); otherwise a database name or LIKE pattern (MySQL's `shop\_copy`, `stage%`). */
  database: string;
  /** '*' for a whole database; a table name for table- or column-level grants. */
  table: string;
  /** True when the grant names columns: it never covers a whole table. */
  columns: boolean;
}

export interface ParsedGrants {
  grants: Grant[];
  /** Role names granted to the account: their privileges are not in these lines. */
  roles: string[];
}

function unquote(ident: string): string {
  const t = ident.trim();
  if (t.startsWith('`') && t.endsWith('`')) return t.slice(1, -1).replace(/``/g, '`');
  return t;
}

/** Splits on commas outside parentheses: "SELECT (a, b), INSERT" -> ["SELECT (a, b)", "INSERT"]. */
function splitPrivileges(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `*.*`, `` `db`.* ``, `` `db`.`t` `` -> [database, table]. */
function splitScope(scope: string): [string, string] {
  const m = /^(`(?:[^`]|``)*`|[^.]+)\.(`(?:[^`]|``)*`|\*|[^.]+)$/.exec(scope.trim());
  if (!m) return ['*', '*'];
  return [unquote(m[1]), unquote(m[2])];
}

const GRANT_ON = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?:\s+BODY)?)\s+)?((?:`(?:[^`]|``)*`|[^\s.`]+|\*)\.(?:`(?:[^`]|``)*`|[^\s`]+|\*))\s+TO\s/i;
const GRANT_ROLE = /^GRANT\s+(`(?:[^`]|``)*`(?:@`[^`]*`)?(?:\s*,\s*`(?:[^`]|``)*`(?:@`[^`]*`)?)*)\s+TO\s/i;

export function parseGrants(lines: string[]): ParsedGrants {
  const grants: Grant[] = [];
  const roles: string[] = [];
  for (const line of lines) {
    const m = GRANT_ON.exec(line);
    if (m) {
      const [database, table] = splitScope(m[2]);
      const parts = splitPrivileges(m[1]);
      const columns = parts.some((p) => p.includes('('));
      const privileges = parts.map((p) => canonicalPrivilege(p.replace(/\s*\(.*\)\s*$/, '')));
      if (line.match(/\bWITH\s+GRANT\s+OPTION\b/i)) privileges.push('GRANT OPTION');
      grants.push({ privileges, database, table, columns });
      continue;
    }
    const r = GRANT_ROLE.exec(line);
    if (r) roles.push(...r[1].split(',').map((s) => unquote(s.trim().replace(/@`[^`]*`$/, ''))));
  }
  return { grants, roles };
}

/** MySQL database names in grants are LIKE patterns: `_` and `%` are wildcards unless escaped. */
export function databasePatternMatches(pattern: string, database: string): boolean {
  if (pattern === '*') return true;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 'i').test(database);
}

function grantCovers(g: Grant, privilege: string, requirement: Requirement, database: string | undefined): boolean {
  if (g.columns || g.table !== '*') return false;
  if (g.database !== '*') {
    if (requirement.global || database === undefined) return false;
    if (!databasePatternMatches(g.database, database)) return false;
  }
  if (g.privileges.includes('ALL PRIVILEGES')) return privilege !== 'GRANT OPTION';
  return g.privileges.includes(privilege);
}

export function hasPrivilege(parsed: ParsedGrants, requirement: Requirement, database?: string): boolean {
  return requirement.anyOf.some((p) => parsed.grants.some((g) => grantCovers(g, canonicalPrivilege(p), requirement, database)));
}

const LABELS: Record<PrivilegeCheck['feature'], string> = {
  read: 'Read tables',
  lag: 'Watch replication lag',
  binlog: 'Stream the binlog',
  target: 'Write to a target',
  heartbeat: 'Write a heartbeat table',
};

export interface PrivilegeContext {
  flavor: Flavor;
  version: [number, number, number];
  /** The database the read/target/heartbeat checks are about; global grants only when absent. */
  database?: string;
}

/** One line per feature: ok, or the privileges missing (the first alternative of each unmet requirement). */
export function checkPrivileges(lines: string[], ctx: PrivilegeContext): { checks: PrivilegeCheck[]; notes: string[] } {
  const parsed = parseGrants(lines);
  const requirements = featureRequirements(ctx.flavor, ctx.version);
  const checks = (Object.keys(LABELS) as PrivilegeCheck['feature'][]).map((feature) => {
    const missing = requirements[feature]
      .filter((req) => !hasPrivilege(parsed, req, ctx.database))
      .map((req) => (req.global || !ctx.database ? `${req.anyOf[0]} ON *.*` : `${req.anyOf[0]} ON ${ctx.database}.*`));
    return { feature, label: LABELS[feature], ok: missing.length === 0, missing };
  });
  const notes: string[] = [];
  if (parsed.roles.length > 0) {
    notes.push(`Granted role(s) ${parsed.roles.join(', ')} may add privileges not shown here (SET ROLE / default roles are not expanded).`);
  }
  return { checks, notes };
}
