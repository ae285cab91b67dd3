/**
 * A write that calls a function MariaDB lists as returning something else on a replica: under
 * statement-based binlog the replica computes its own value. The list is MariaDB's ("Unsafe
 * Statements for Statement-based Replication": FOUND_ROWS, GET_LOCK, IS_FREE_LOCK, IS_USED_LOCK,
 * LOAD_FILE, MASTER_POS_WAIT, RAND, RELEASE_LOCK, ROW_COUNT, SESSION_USER, SLEEP, SYSDATE,
 * SYSTEM_USER, USER, UUID, UUID_SHORT). NOW() and CURRENT_TIMESTAMP are safe (the binlog carries the
 * statement's timestamp), as is LAST_INSERT_ID() (logged as an Intvar event).
 */
import { UNSAFE_STATEMENTS_DOCS, WRITE_VERBS } from '../binlogDocs.js';
import { span } from '../clauses.js';
import { verb } from '../../sqltext/statements.js';
import type { Finding, Rule } from '../types.js';

export const UNSAFE_FUNCTIONS = new Set([
  'FOUND_ROWS', 'GET_LOCK', 'IS_FREE_LOCK', 'IS_USED_LOCK', 'LOAD_FILE', 'MASTER_POS_WAIT', 'RAND', 'RELEASE_LOCK',
  'ROW_COUNT', 'SESSION_USER', 'SLEEP', 'SYSDATE', 'SYSTEM_USER', 'USER', 'UUID', 'UUID_SHORT',
]);

const TABLE_INTRODUCERS = new Set(['INTO', 'UPDATE', 'JOIN', 'FROM', 'TABLE', 'INSERT', 'REPLACE', 'IGNORE', 'DELAYED', 'LOW_PRIORITY', 'HIGH_PRIORITY']);

export const nondeterministicFunction: Rule = {
  id: 'binlog-nondeterministic-function',
  description: 'A write that calls UUID(), RAND(), SYSDATE(), USER() or another function unsafe under statement-based binlog.',
  check(stmt) {
    const v = verb(stmt);
    if (!WRITE_VERBS.has(v)) return [];
    const out: Finding[] = [];
    const t = stmt.tokens;
    for (let k = 0; k < t.length - 1; k++) {
      const tok = t[k];
      // A call: the name followed by `(`, and neither a qualified name (`t.user`) nor a table named
      // like a function (`INSERT INTO user (a) ...`).
      if (tok.kind !== 'word' || !UNSAFE_FUNCTIONS.has(tok.upper) || t[k + 1].text !== '(') continue;
      const prev = t[k - 1];
      if (prev && (prev.text === '.' || (prev.kind === 'word' && TABLE_INTRODUCERS.has(prev.upper)))) continue;
      out.push({
        rule: this.id,
        severity: 'warning',
        message: `${tok.upper}() in ${v}: under statement-based binlog each replica computes its own value, so the rows differ. Compute the value first (SET @v = ${tok.upper}()) and write @v, or use row-based binlog.`,
        docs: UNSAFE_STATEMENTS_DOCS,
        ...span(tok),
      });
    }
    return out;
  },
};
