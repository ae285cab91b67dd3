/**
 * UPDATE or DELETE with LIMIT but no ORDER BY: which rows the LIMIT picks depends on the access path,
 * which may differ on a replica, so under statement-based binlog the replica changes other rows.
 * MariaDB's unsafe-statement list names "UPDATE/DELETE ... LIMIT" (LIMIT 0 excepted, MDEV-6170).
 * An ORDER BY over a unique key makes the choice deterministic; this rule accepts any ORDER BY and
 * says so in its message.
 */
import { UNSAFE_STATEMENTS_DOCS } from '../binlogDocs.js';
import { hasOrderBy, limitAt, span } from '../clauses.js';
import { verb } from '../../sqltext/statements.js';
import type { Rule } from '../types.js';

export const limitWithoutOrder: Rule = {
  id: 'binlog-limit-without-order',
  description: 'UPDATE or DELETE with LIMIT but no ORDER BY (unsafe under statement-based binlog).',
  check(stmt) {
    const v = verb(stmt);
    if ((v !== 'UPDATE' && v !== 'DELETE') || stmt.tokens[0].depth !== 0) return [];
    const at = limitAt(stmt.tokens);
    if (at < 0 || hasOrderBy(stmt.tokens)) return [];
    const last = stmt.tokens[at + 1] ?? stmt.tokens[at];
    return [{
      rule: this.id,
      severity: 'warning',
      message: `${v} with LIMIT but no ORDER BY: the rows it picks can differ on a replica under statement-based binlog. Add ORDER BY a unique key.`,
      docs: UNSAFE_STATEMENTS_DOCS,
      ...span(stmt.tokens[at], last),
    }];
  },
};
