/**
 * Query events in a ROW-format binlog are statements the row images do not describe: DDL, TRUNCATE
 * (which writes no row events at all), RENAME, or DML from a session that set binlog_format=STATEMENT.
 * Passing over one that touches a captured table would silently corrupt the target, so the stream
 * stops there instead. The product's comment/string-aware lexer is enough: we only need the first keyword and
 * the table names a statement mentions; when unsure we stop (a false stop is safe, a missed one is not).
 */

import { tokenize } from '../sqltext/lexer.js';

export type StatementVerdict = { kind: 'begin' } | { kind: 'commit' } | { kind: 'ignore' } | { kind: 'stop'; reason: string };

interface Token {
  text: string;
  quoted: boolean;
}

/**
 * Words, quoted names and punctuation of the statement, through the product's one SQL lexer
 * (engine/sqltext: comments skipped, executable comments read as code). String literals are
 * dropped: a table name inside a string is not a reference.
 */
function tokensOf(sql: string): Token[] {
  return tokenize(sql)
    .tokens.filter((t) => t.kind !== 'string')
    .map((t) => ({ text: t.value, quoted: t.kind === 'quoted' }));
}

const DDL = new Set(['ALTER', 'DROP', 'RENAME', 'TRUNCATE']);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'LOAD']);

/**
 * @param currentDb the statement's default database (the query event's schema)
 * @param database the captured database; @param tables the captured tables in it
 */
export function classifyStatement(statement: string, currentDb: string | null, database: string, tables: ReadonlySet<string>): StatementVerdict {
  const tokens = tokensOf(statement);
  const words = tokens.filter((t) => !t.quoted).map((t) => t.text.toUpperCase());
  const first = words[0] ?? '';
  if (first === 'BEGIN' || (first === 'XA' && words[1] === 'START') || (first === 'START' && words[1] === 'TRANSACTION')) return { kind: 'begin' };
  if (first === 'COMMIT' || first === 'ROLLBACK' || (first === 'XA' && (words[1] === 'COMMIT' || words[1] === 'ROLLBACK'))) return { kind: 'commit' };
  const isDdl = DDL.has(first) || (first === 'CREATE' && words[1] === 'OR' && words[2] === 'REPLACE');
  const isDml = DML.has(first) || (first === 'WITH' && words.some((w) => DML.has(w)));
  if (!isDdl && !isDml) return { kind: 'ignore' };
  // DROP/ALTER DATABASE of the captured database
  if ((first === 'DROP' || first === 'ALTER') && (words[1] === 'DATABASE' || words[1] === 'SCHEMA')) {
    const name = tokens.find((t, i) => i > 1 && t.text.toUpperCase() !== 'IF' && t.text.toUpperCase() !== 'EXISTS');
    if (name && name.text === database) return { kind: 'stop', reason: `${first} DATABASE ${database}` };
    return { kind: 'ignore' };
  }
  const hits = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const dot = tokens[i + 1]?.text === '.' && tokens[i + 2] !== undefined;
    if (dot) {
      if (t.text === database && tables.has(tokens[i + 2].text)) hits.add(tokens[i + 2].text);
      i += 2;
      continue;
    }
    if (tokens[i - 1]?.text === '.') continue;
    if (currentDb === database && tables.has(t.text)) hits.add(t.text);
  }
  if (hits.size === 0) return { kind: 'ignore' };
  const names = [...hits].map((n) => `${database}.${n}`).join(', ');
  const shown = statement.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (isDml) {
    return {
      kind: 'stop',
      reason:
        `a statement-format change to ${names} ("${shown}"): its rows are not in the binlog, so it cannot be applied exactly. ` +
        'A session on the source wrote it with binlog_format other than ROW; keep binlog_format=ROW for every session ' +
        '(and revoke the privilege to change it), then make a new full copy.',
    };
  }
  const what = first === 'TRUNCATE' ? 'TRUNCATE (it writes no row events)' : first === 'CREATE' ? 'CREATE OR REPLACE' : first;
  return {
    kind: 'stop',
    reason:
      `${what} on captured table ${names} ("${shown}"): the change stream stops rather than apply rows to a table whose ` +
      'definition or contents changed outside the row events. Make a new full copy of the job\'s tables (rw-migrate copy), ' +
      'then sync that job.',
  };
}
