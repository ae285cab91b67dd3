/**
 * What the chosen block needs from the source account, checked from SHOW GRANTS before anything is
 * blocked, so a missing privilege is a refusal with the GRANT that fixes it rather than a half-made block.
 */
import { hasPrivilege, parseGrants, type Grant } from '../topology/privileges.js';
import type { ServerFacts } from '../topology/types.js';
import type { CutoverBlock } from '../jobs/types.js';
import { setReadOnlyPrivileges } from './block.js';

export interface PrivilegeVerdict {
  /** Human readable, e.g. "TRIGGER ON `shop`.*". */
  missing: string[];
  /** The statements that fix it, for the account as SHOW GRANTS names it. */
  fix: string[];
  /** Roles granted to the account: their privileges are not visible in SHOW GRANTS lines. */
  roles: string[];
}

function tableGrantCovers(grants: Grant[], privilege: string, database: string, table: string): boolean {
  return grants.some((g) => !g.columns && g.database === database && g.table === table && (g.privileges.includes(privilege) || g.privileges.includes('ALL PRIVILEGES')));
}

/**
 * @param trustFunctionCreators @@log_bin_trust_function_creators: measured on MariaDB 10.11.19, with
 * the binlog on and this OFF (the default), CREATE TRIGGER needs SUPER (BINLOG ADMIN is not enough:
 * error 1419). The source of a cut-over always has its binlog on.
 */
export function cutoverPrivileges(
  grantLines: string[],
  account: string,
  facts: ServerFacts,
  block: CutoverBlock,
  database: string,
  tables: string[],
  trustFunctionCreators: boolean,
): PrivilegeVerdict {
  const parsed = parseGrants(grantLines);
  const missing: string[] = [];
  const fix: string[] = [];
  const dbScope = `\`${database.replace(/`/g, '``')}\`.*`;
  if (block === 'read-only') {
    const anyOf = setReadOnlyPrivileges(facts);
    if (!hasPrivilege(parsed, { anyOf, global: true })) {
      missing.push(`${anyOf.join(' or ')} ON *.* (to SET GLOBAL read_only)`);
      fix.push(`GRANT ${anyOf[0]} ON *.* TO ${account}`);
    }
  } else {
    for (const privilege of ['SELECT', 'LOCK TABLES', 'TRIGGER']) {
      const onDb = hasPrivilege(parsed, { anyOf: [privilege], global: false }, database);
      // LOCK TABLES is a database-level privilege; SELECT and TRIGGER may be granted per table.
      const onTables = privilege !== 'LOCK TABLES' && tables.every((t) => tableGrantCovers(parsed.grants, privilege, database, t));
      if (!onDb && !onTables) {
        missing.push(`${privilege} ON ${dbScope}`);
        fix.push(`GRANT ${privilege} ON ${dbScope} TO ${account}`);
      }
    }
    if (facts.logBin && !trustFunctionCreators && !hasPrivilege(parsed, { anyOf: ['SUPER'], global: true })) {
      missing.push('SUPER ON *.* (CREATE TRIGGER with the binary log on, unless log_bin_trust_function_creators = ON)');
      fix.push(`GRANT SUPER ON *.* TO ${account} (or SET GLOBAL log_bin_trust_function_creators = ON)`);
    }
  }
  return { missing, fix, roles: parsed.roles };
}
