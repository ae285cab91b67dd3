/**
 * UPDATE or DELETE without WHERE, or with a WHERE that is true for every row (`WHERE 1`, `WHERE 1=1`,
 * `WHERE true`, `WHERE 1 OR id = 5`): every row of the table changes, on the primary and then on each
 * replica, and under row-based binlog every changed row is an event the replicas apply one by one.
 */
import { alwaysTrue } from '../constantWhere.js';
import { span, whereCondition } from '../clauses.js';
import { verb } from '../../sqltext/statements.js';
import type { Rule } from '../types.js';

export const writeWithoutWhere: Rule = {
  id: 'write-without-where',
  description: 'UPDATE or DELETE without a WHERE clause, or with one that is always true.',
  check(stmt) {
    const v = verb(stmt);
    if (v !== 'UPDATE' && v !== 'DELETE') return [];
    const head = stmt.tokens.find((t) => t.kind === 'word');
    if (!head || head.depth !== 0) return [];
    const where = whereCondition(stmt.tokens);
    if (!where) {
      return [{
        rule: this.id,
        severity: 'warning',
        message: `${v} without WHERE changes every row of the table, on the primary and then on every replica. Add a WHERE clause (or use TRUNCATE for a deliberate wipe).`,
        ...span(head),
      }];
    }
    if (alwaysTrue(where.condition)) {
      const last = where.condition[where.condition.length - 1];
      return [{
        rule: this.id,
        severity: 'warning',
        message: `${v} with a WHERE that is always true changes every row of the table, on the primary and then on every replica.`,
        ...span(stmt.tokens[where.at], last),
      }];
    }
    return [];
  },
};
