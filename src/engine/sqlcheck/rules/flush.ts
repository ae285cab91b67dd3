/**
 * FLUSH on the primary. `FLUSH TABLES WITH READ LOCK` blocks every write on the server (and waits for
 * running queries first, stalling new ones behind it); `FLUSH TABLES` waits for running queries on
 * those tables. Other FLUSH statements are written to the binary log and so run on every replica too,
 * unless NO_WRITE_TO_BINLOG (alias LOCAL) is given (MariaDB docs, "FLUSH": "By default, FLUSH
 * statements are written to the binary log and will be replicated").
 */
import { span } from '../clauses.js';
import { findPair, findWord, verb, isWord } from '../../sqltext/statements.js';
import type { Rule } from '../types.js';

export const flush: Rule = {
  id: 'flush-on-primary',
  description: 'FLUSH statements (a global read lock, or replicated to every replica through the binlog).',
  check(stmt) {
    const t = stmt.tokens;
    if (verb(stmt) !== 'FLUSH') return [];
    const local = isWord(t[1], 'NO_WRITE_TO_BINLOG') || isWord(t[1], 'LOCAL');
    const readLock = findPair(t, 'READ', 'LOCK') >= 0 && findWord(t, 'WITH') >= 0;
    const tables = findWord(t, 'TABLES') >= 0 || findWord(t, 'TABLE') >= 0;
    const parts: string[] = [];
    if (readLock) parts.push('FLUSH TABLES ... WITH READ LOCK blocks every write on the primary until UNLOCK TABLES, and first waits for running queries while new ones queue behind it');
    else if (tables) parts.push('FLUSH TABLES waits for running queries on the tables while new ones queue behind it');
    if (!local && !readLock) parts.push('it is written to the binary log and runs on every replica too (add NO_WRITE_TO_BINLOG to keep it local)');
    if (parts.length === 0) return [];
    return [{
      rule: this.id,
      severity: 'warning',
      message: `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()),
      docs: 'https://mariadb.com/kb/en/flush/',
      ...span(t[0], t[Math.min(t.length - 1, local ? 2 : 1)]),
    }];
  },
};
