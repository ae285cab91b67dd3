/**
 * LOCK TABLES on the primary: a WRITE lock stops every other session's reads and writes of those
 * tables, a READ lock every write, until UNLOCK TABLES or the session ends; the application stalls
 * while it is held. (MariaDB docs, "LOCK TABLES".)
 */
import { span } from '../clauses.js';
import { verb, isWord } from '../../sqltext/statements.js';
import type { Rule } from '../types.js';

export const lockTables: Rule = {
  id: 'lock-tables',
  description: 'LOCK TABLES (blocks the application on the primary until UNLOCK TABLES).',
  check(stmt) {
    const t = stmt.tokens;
    if (verb(stmt) !== 'LOCK' || !(isWord(t[1], 'TABLES') || isWord(t[1], 'TABLE'))) return [];
    return [{
      rule: this.id,
      severity: 'warning',
      message: 'LOCK TABLES on the primary blocks other sessions (WRITE: all access, READ: all writes) to these tables until UNLOCK TABLES. Prefer a transaction with SELECT ... FOR UPDATE on the rows you need.',
      docs: 'https://mariadb.com/kb/en/lock-tables/',
      ...span(t[0], t[1]),
    }];
  },
};
