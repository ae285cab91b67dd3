/**
 * INSERT ... SELECT or REPLACE ... SELECT reading a table without ORDER BY: the rows arrive in an
 * order the replica may not reproduce, so auto-increment values, INSERT IGNORE's survivors, ON
 * DUPLICATE KEY UPDATE's winners and REPLACE's deletions can differ under statement-based binlog
 * (MariaDB's unsafe list: "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE", "INSERT IGNORE ... SELECT",
 * "REPLACE ... SELECT"; MySQL's manual says the same of auto-increment columns). A SELECT without FROM
 * (constants) is deterministic and passes.
 */
import { UNSAFE_STATEMENTS_DOCS } from '../binlogDocs.js';
import { hasOrderBy, span } from '../clauses.js';
import { findWord, verb } from '../../sqltext/statements.js';
import type { Rule } from '../types.js';

export const insertSelectOrder: Rule = {
  id: 'binlog-insert-select-order',
  description: 'INSERT/REPLACE ... SELECT from a table without ORDER BY (row order, and so auto-increment ids, may differ on a replica).',
  check(stmt) {
    const v = verb(stmt);
    if (v !== 'INSERT' && v !== 'REPLACE') return [];
    const t = stmt.tokens;
    // The source SELECT sits at the top level, or in one pair of parentheses: INSERT INTO t (SELECT ...).
    let depth = 0;
    let sel = findWord(t, 'SELECT', 0, 0);
    if (sel < 0) {
      const k = t.findIndex((x) => x.kind === 'word' && x.upper === 'SELECT' && x.depth === 1 && t[t.indexOf(x) - 1]?.text === '(');
      if (k < 0 || findWord(t, 'VALUES') >= 0 || findWord(t, 'VALUE') >= 0 || findWord(t, 'SET') >= 0) return [];
      sel = k;
      depth = 1;
    }
    if (findWord(t, 'FROM', sel, depth) < 0 || hasOrderBy(t, depth, sel)) return [];
    return [{
      rule: this.id,
      severity: 'warning',
      message: `${v} ... SELECT without ORDER BY: the order rows are read in decides auto-increment ids and which duplicates win, and a replica may read them in another order under statement-based binlog. Add ORDER BY a unique key.`,
      docs: UNSAFE_STATEMENTS_DOCS,
      ...span(t[0], t[sel]),
    }];
  },
};
