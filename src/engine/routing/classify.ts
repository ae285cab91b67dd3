/**
 * Classifies SQL statements for read/write splitting: `primary` or `replica` (may be served by a
 * replica), with the reason. The specification is MaxScale readwritesplit's routing rules
 * (https://mariadb.com/docs/maxscale/reference/maxscale-routers/maxscale-readwritesplit/): writes,
 * DDL, anything in an open read-write transaction, locking reads, GET_LOCK & co, LAST_INSERT_ID(),
 * user variables, sequences, stored procedure and function calls, temporary tables and SHOW MASTER
 * STATUS go to the primary; other reads may go to a replica; whatever cannot be classified goes to
 * the primary. Decisions come from tokens (engine/sqltext), never from matching the raw text.
 *
 * Pure: no I/O. The session state (transaction, autocommit, temporary tables) is plain data that a
 * caller keeps between calls, so multi-statement input and an editor session route alike.
 */
import { NOT_CALLS, PRIMARY_FUNCTIONS, READ_ONLY_FUNCTIONS } from './functions.js';
import type { Token } from '../sqltext/lexer.js';
import { splitStatements, type StatementSlice } from '../sqltext/statements.js';

export type Route = 'primary' | 'replica';

/**
 * What a statement does, for the router: `write` and `ddl` produce a GTID to wait for
 * (read-your-writes); `session` settings are replayed on every connection of the session.
 */
export type StatementKind = 'read' | 'write' | 'ddl' | 'transaction' | 'session' | 'locking-read' | 'side-effect' | 'admin' | 'unknown';

export interface Classification {
  route: Route;
  reason: string;
  kind: StatementKind;
}

export interface ClassifiedStatement extends Classification {
  /** 0-based position in the input. */
  index: number;
  text: string;
  /** Offsets in the input, for "the statement under the cursor". */
  start: number;
  end: number;
}

/** What the classifier remembers between statements of one session. */
export interface SessionState {
  /** The open transaction, if any: read-only ones may run on a replica. */
  transaction: { readOnly: boolean; startedBy: string } | null;
  autocommit: boolean;
  /** `SET TRANSACTION READ ONLY`: the next transaction's access mode. */
  nextTransactionReadOnly: boolean;
  /** SERIALIZABLE pins reads to the primary (as in MaxScale). */
  serializable: boolean;
  /** Upper-cased names of temporary tables created in this session (they exist only on the primary). */
  temporaryTables: string[];
}

export function newSessionState(): SessionState {
  return { transaction: null, autocommit: true, nextTransactionReadOnly: false, serializable: false, temporaryTables: [] };
}

const primary = (kind: StatementKind, reason: string): Classification => ({ route: 'primary', reason, kind });
const replica = (reason: string): Classification => ({ route: 'replica', reason, kind: 'read' });

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'LOAD', 'MERGE', 'TRUNCATE', 'HANDLER', 'IMPORT']);
const DDL = new Set(['CREATE', 'ALTER', 'DROP', 'RENAME']);
const ADMIN = new Set([
  'GRANT', 'REVOKE', 'FLUSH', 'LOCK', 'UNLOCK', 'KILL', 'OPTIMIZE', 'REPAIR', 'CHECK', 'CHECKSUM', 'ANALYZE', 'INSTALL',
  'UNINSTALL', 'CHANGE', 'RESET', 'PURGE', 'BINLOG', 'SHUTDOWN', 'CACHE', 'BACKUP', 'STOP', 'SIGNAL', 'RESIGNAL', 'XA',
]);
/** SHOW statements about the primary's binary log: only the primary can answer them. */
const SHOW_PRIMARY = new Set(['MASTER', 'BINLOG', 'BINARY', 'SLAVE HOSTS', 'REPLICA HOSTS', 'WARNINGS', 'ERRORS', 'COUNT']);

const isWord = (t: Token | undefined, ...words: string[]) => t !== undefined && t.kind === 'word' && words.includes(t.upper);

function hasSequence(tokens: Token[], words: string[]): boolean {
  outer: for (let i = 0; i + words.length <= tokens.length; i++) {
    for (let j = 0; j < words.length; j++) if (!isWord(tokens[i + j], words[j])) continue outer;
    return true;
  }
  return false;
}

/** MaxScale's routing hint in a comment: `-- maxscale route to master` (or primary). */
function hintsPrimary(stmt: StatementSlice): boolean {
  return stmt.comments.some((c) => /\bmaxscale\s+route\s+to\s+(master|primary)\b/i.test(c.text));
}

/** Index of the `)` matching the `(` at `open` (or the last token). */
function closingParen(tokens: Token[], open: number): number {
  const depth = tokens[open].depth;
  for (let j = open + 1; j < tokens.length; j++) if (tokens[j].text === ')' && tokens[j].depth === depth) return j;
  return tokens.length - 1;
}

/** The first function-like call that keeps a read off the replicas, with the reason. */
function sideEffectCall(tokens: Token[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isWord(t, 'NEXT', 'PREVIOUS') && isWord(tokens[i + 1], 'VALUE') && isWord(tokens[i + 2], 'FOR')) {
      return t.upper === 'NEXT' ? 'advances a sequence (NEXT VALUE FOR)' : "reads this session's last sequence value (PREVIOUS VALUE FOR)";
    }
    if (t.kind === 'sysvar' && /^@@(SESSION\.|LOCAL\.)?(LAST_INSERT_ID|IDENTITY|LAST_GTID|INSERT_ID)$/.test(t.upper)) {
      return `reads session state ${t.text} of the previous write`;
    }
    if (t.kind === 'uservar') return `uses the user variable ${t.text}, which lives in the primary's session`;
    const open = tokens[i + 1];
    if (!open || open.kind !== 'punct' || open.text !== '(') continue;
    if (t.kind !== 'word' && t.kind !== 'quoted') continue;
    // db.func( is always a stored function.
    const prev = tokens[i - 1];
    if (prev && prev.kind === 'punct' && prev.text === '.') return `calls the stored function ${tokens[i - 2]?.text ?? ''}.${t.text}(), which may write`;
    if (t.kind === 'quoted') return `calls the stored function ${t.text}(), which may write`;
    // `WITH name(a, b) AS (...)` and `AS alias(a, b)` are column lists, not calls.
    const close = closingParen(tokens, i + 1);
    if (isWord(prev, 'AS') || (isWord(tokens[close + 1], 'AS') && tokens[close + 2]?.text === '(')) continue;
    const reason = PRIMARY_FUNCTIONS[t.upper];
    if (reason) return reason;
    if (READ_ONLY_FUNCTIONS.has(t.upper) || NOT_CALLS.has(t.upper)) continue;
    return `calls ${t.text}(), not a known read-only built-in (a stored function may write)`;
  }
  return null;
}

/** A table name the session created as TEMPORARY, referenced anywhere in the statement. */
function temporaryTableUse(tokens: Token[], state: SessionState): string | null {
  if (state.temporaryTables.length === 0) return null;
  for (const t of tokens) {
    if ((t.kind === 'word' || t.kind === 'quoted') && state.temporaryTables.includes(t.upper)) {
      return `reads the temporary table ${t.text}, which exists only in the primary's session`;
    }
  }
  return null;
}

/** The reasons a SELECT (or WITH/VALUES/TABLE/parenthesised query) must run on the primary. */
function classifyQuery(tokens: Token[], state: SessionState): Classification {
  if (hasSequence(tokens, ['FOR', 'UPDATE'])) return primary('locking-read', 'locking read (FOR UPDATE)');
  if (hasSequence(tokens, ['LOCK', 'IN', 'SHARE', 'MODE'])) return primary('locking-read', 'locking read (LOCK IN SHARE MODE)');
  if (hasSequence(tokens, ['FOR', 'SHARE'])) return primary('locking-read', 'locking read (FOR SHARE)');
  const into = tokens.findIndex((t) => isWord(t, 'INTO'));
  if (into >= 0) {
    const target = tokens[into + 1];
    if (isWord(target, 'OUTFILE', 'DUMPFILE')) return primary('side-effect', `writes a file on the server (INTO ${target?.upper})`);
    return primary('side-effect', `assigns user variables (SELECT ... INTO ${target?.text ?? ''})`);
  }
  if (tokens.some((t) => isWord(t, 'SQL_CALC_FOUND_ROWS'))) return primary('side-effect', 'SQL_CALC_FOUND_ROWS: the FOUND_ROWS() that follows must ask the same server');
  const assign = tokens.findIndex((t, i) => t.kind === 'uservar' && tokens[i + 1]?.text === ':=');
  if (assign >= 0) return primary('side-effect', `assigns the user variable ${tokens[assign].text}`);
  const call = sideEffectCall(tokens);
  if (call) return primary('side-effect', call);
  const temp = temporaryTableUse(tokens, state);
  if (temp) return primary('read', temp);
  if (state.serializable) return primary('read', 'isolation level SERIALIZABLE pins reads to the primary');
  return replica('read-only query');
}

/** The first keyword after a WITH clause's CTE list (at depth 0): SELECT, UPDATE, DELETE... */
function mainAfterWith(tokens: Token[]): Token | undefined {
  return tokens.find((t, i) => i > 0 && t.depth === 0 && isWord(t, 'SELECT', 'UPDATE', 'DELETE', 'INSERT', 'REPLACE', 'VALUES', 'TABLE'));
}

function classifySet(tokens: Token[]): Classification {
  const rest = tokens.slice(1);
  const assigned = rest.find((t, i) => t.kind === 'uservar' && (rest[i + 1]?.text === '=' || rest[i + 1]?.text === ':='));
  if (assigned) {
    const sub = rest.some((t) => isWord(t, 'SELECT')) ? ' from a query' : '';
    return primary('side-effect', `assigns the user variable ${assigned.text}${sub}`);
  }
  if (isWord(rest[0], 'TRANSACTION') || (isWord(rest[0], 'SESSION', 'LOCAL') && isWord(rest[1], 'TRANSACTION'))) {
    return primary('session', 'sets the next transaction: session setting, replayed on every connection');
  }
  if (isWord(rest[0], 'GLOBAL') || rest[0]?.upper?.startsWith('@@GLOBAL.')) return primary('admin', 'sets a global variable (the primary only)');
  if (isWord(rest[0], 'PASSWORD', 'ROLE', 'DEFAULT')) return primary('admin', `SET ${rest[0]?.upper}: account change`);
  if (isWord(rest[0], 'STATEMENT')) return primary('unknown', 'SET STATEMENT ... FOR: the inner statement is routed to the primary');
  const call = sideEffectCall(rest);
  if (call) return primary('side-effect', call);
  return primary('session', 'session setting: runs on the primary and is replayed on every replica connection of the session');
}

/** Classifies one statement alone (no transaction state applied yet). */
function classifyAlone(stmt: StatementSlice, state: SessionState): Classification {
  const tokens = stmt.tokens;
  let first = tokens[0];
  // `(SELECT ...) UNION (SELECT ...)`: the first word decides.
  if (first.kind === 'punct' && first.text === '(') first = tokens.find((t) => t.kind === 'word') ?? first;
  if (first.kind !== 'word') return primary('unknown', `not classified (starts with ${first.text}): sent to the primary`);
  const w = first.upper;
  const second = tokens[tokens.indexOf(first) + 1];
  if (w === 'SELECT' || w === 'VALUES' || w === 'TABLE') return classifyQuery(tokens, state);
  if (w === 'WITH') {
    const main = mainAfterWith(tokens);
    if (!main) return primary('unknown', 'not classified (WITH without a main statement): sent to the primary');
    if (isWord(main, 'SELECT', 'VALUES', 'TABLE')) return classifyQuery(tokens, state);
    return primary('write', `write (WITH ... ${main.upper})`);
  }
  if (WRITES.has(w)) {
    const returning = tokens.some((t) => isWord(t, 'RETURNING')) ? ' ... RETURNING' : '';
    return primary('write', `write (${w}${returning})`);
  }
  if (DDL.has(w)) {
    if (isWord(second, 'TEMPORARY')) return primary('ddl', `temporary table (${w} TEMPORARY TABLE): exists only in the primary's session`);
    const what = tokens.slice(1, 4).find((t) => isWord(t, 'TABLE', 'DATABASE', 'SCHEMA', 'INDEX', 'VIEW', 'SEQUENCE', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'USER', 'ROLE', 'SERVER', 'TABLESPACE'));
    return primary('ddl', `DDL (${w}${what ? ' ' + what.upper : ''})`);
  }
  if (w === 'CALL') return primary('write', `stored procedure call (${tokens[1]?.text ?? ''}), which may write`);
  if (w === 'EXECUTE' || w === 'PREPARE' || w === 'DEALLOCATE') return primary('unknown', `prepared statement (${w}): its text is not known here`);
  if (w === 'DO') {
    const call = sideEffectCall(tokens.slice(1));
    return primary('side-effect', call ? `DO: ${call}` : 'DO evaluates expressions for their side effects');
  }
  if (w === 'START' && isWord(second, 'TRANSACTION')) {
    const ro = hasSequence(tokens, ['READ', 'ONLY']);
    return ro ? { route: 'replica', reason: 'starts a READ ONLY transaction', kind: 'transaction' } : primary('transaction', 'starts a read-write transaction');
  }
  if (w === 'BEGIN') {
    if (isWord(second, 'NOT')) return primary('write', 'compound statement (BEGIN NOT ATOMIC), which may write');
    return primary('transaction', 'starts a read-write transaction (BEGIN)');
  }
  if (w === 'COMMIT' || w === 'ROLLBACK' || w === 'SAVEPOINT' || w === 'RELEASE') return primary('transaction', w === 'COMMIT' || w === 'ROLLBACK' ? `ends the transaction (${w})` : `transaction statement (${w})`);
  if (w === 'SET') return classifySet(tokens);
  if (w === 'USE') return primary('session', 'USE: session setting, replayed on every connection');
  if (w === 'SHOW') {
    const two = `${second?.upper ?? ''} ${tokens[2]?.upper ?? ''}`;
    if (SHOW_PRIMARY.has(second?.upper ?? '') || SHOW_PRIMARY.has(two)) {
      return primary('admin', `SHOW ${second?.upper === 'WARNINGS' || second?.upper === 'ERRORS' || second?.upper === 'COUNT' ? 'WARNINGS/ERRORS reads the previous statement of this session' : two.trim() + ' describes the primary'}`);
    }
    return replica(`SHOW ${second?.upper ?? ''}`.trim());
  }
  if (w === 'DESCRIBE' || w === 'DESC' || w === 'HELP') return replica(w);
  if (w === 'EXPLAIN') {
    // MariaDB's EXPLAIN never runs the statement (ANALYZE does): a replica can explain a write too.
    return replica('EXPLAIN does not run the statement');
  }
  if (w === 'ANALYZE' && !isWord(second, 'TABLE', 'LOCAL', 'NO_WRITE_TO_BINLOG')) {
    return primary('unknown', 'ANALYZE runs the statement it analyses');
  }
  if (ADMIN.has(w)) return primary('admin', `administrative statement (${w})`);
  return primary('unknown', `not classified (${w}): sent to the primary`);
}

/** Implicit commits (https://mariadb.com/kb/en/sql-statements-that-cause-an-implicit-commit/). */
function commitsImplicitly(kind: StatementKind, tokens: Token[]): boolean {
  if (kind === 'ddl') return !isWord(tokens[1], 'TEMPORARY');
  return isWord(tokens[0], 'LOCK', 'UNLOCK', 'GRANT', 'REVOKE', 'FLUSH', 'ANALYZE', 'OPTIMIZE', 'REPAIR', 'CHANGE', 'RESET', 'START', 'BEGIN', 'LOAD');
}

/** Applies the session's transaction state to one statement, and updates the state. */
export function classifyInSession(stmt: StatementSlice, state: SessionState): Classification {
  if (stmt.tokens.length === 0) return primary('unknown', 'empty statement');
  const alone = classifyAlone(stmt, state);
  const tokens = stmt.tokens;
  const w = tokens[0].upper;
  let result = alone;
  const txn = state.transaction;
  if (txn && !txn.readOnly && alone.route === 'replica') {
    result = primary(alone.kind, `inside a read-write transaction (${txn.startedBy}): ${alone.reason}`);
  } else if (txn?.readOnly) {
    // MaxScale sends everything in START TRANSACTION READ ONLY to the replica holding it.
    if (alone.route === 'replica' || w === 'COMMIT' || w === 'ROLLBACK') result = { ...alone, route: 'replica', reason: `inside a READ ONLY transaction: ${alone.reason}` };
  } else if (!state.autocommit && alone.route === 'replica' && alone.kind === 'read') {
    result = primary('read', `autocommit is off (every statement is in a read-write transaction): ${alone.reason}`);
  }
  if (alone.route === 'replica' && hintsPrimary(stmt)) result = primary(alone.kind, 'routing hint: route to master');
  update(stmt, alone, state);
  return result;
}

function update(stmt: StatementSlice, c: Classification, state: SessionState): void {
  const t = stmt.tokens;
  const w = t[0].upper;
  if (w === 'START' && isWord(t[1], 'TRANSACTION')) {
    const ro = hasSequence(t, ['READ', 'ONLY']) || (state.nextTransactionReadOnly && !hasSequence(t, ['READ', 'WRITE']));
    state.transaction = { readOnly: ro, startedBy: ro ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION' };
    state.nextTransactionReadOnly = false;
    return;
  }
  if (w === 'BEGIN' && !isWord(t[1], 'NOT')) {
    state.transaction = { readOnly: state.nextTransactionReadOnly, startedBy: 'BEGIN' };
    state.nextTransactionReadOnly = false;
    return;
  }
  if (w === 'COMMIT' || w === 'ROLLBACK') {
    if (!isWord(t[1], 'TO')) state.transaction = null;
    return;
  }
  if (w === 'SET') {
    const text = t.map((x) => x.upper).join(' ');
    const ac = /AUTOCOMMIT = (\S+)/.exec(text);
    if (ac) {
      state.autocommit = !['0', 'OFF', 'FALSE'].includes(ac[1]);
      if (state.autocommit) state.transaction = null;
    }
    if (/TRANSACTION .*READ ONLY/.test(text) && !/SESSION|GLOBAL/.test(text)) state.nextTransactionReadOnly = true;
    if (/^SET (SESSION |LOCAL )?TRANSACTION ISOLATION LEVEL SERIALIZABLE/.test(text) && /SESSION|LOCAL/.test(text)) state.serializable = true;
    else if (/^SET (SESSION |LOCAL )?TRANSACTION ISOLATION LEVEL/.test(text) && /SESSION|LOCAL/.test(text)) state.serializable = false;
    if (/^SET (SESSION |LOCAL )?(@@(SESSION\.)?)?(TX_ISOLATION|TRANSACTION_ISOLATION) = /.test(text)) state.serializable = /SERIALIZABLE/.test(text);
    return;
  }
  if (c.kind === 'ddl') {
    const temp = isWord(t[1], 'TEMPORARY');
    const tableAt = t.findIndex((x) => isWord(x, 'TABLE'));
    if (temp && tableAt >= 0) {
      // Skip IF [NOT] EXISTS and a db. qualifier; the last name before `(`, LIKE, AS, SELECT or the end.
      const names = t.slice(tableAt + 1).filter((x) => x.kind === 'word' || x.kind === 'quoted');
      const name = names.find((x) => !isWord(x, 'IF', 'NOT', 'EXISTS'));
      if (name) {
        if (w === 'CREATE' && !state.temporaryTables.includes(name.upper)) state.temporaryTables.push(name.upper);
        if (w === 'DROP') state.temporaryTables = state.temporaryTables.filter((n) => n !== name.upper);
      }
    }
  }
  if (state.transaction && commitsImplicitly(c.kind, t)) state.transaction = null;
  // With autocommit off, any statement opens a transaction that lasts until COMMIT or ROLLBACK.
  if (!state.autocommit && !state.transaction) state.transaction = { readOnly: false, startedBy: 'autocommit off' };
}

export interface ClassifyResult {
  statements: ClassifiedStatement[];
  /** Set when the input ends inside a string or comment; the last statement is then routed to the primary. */
  unterminated: string | null;
}

/**
 * Splits and classifies input statement by statement. `state` is updated in place, so an editor
 * session keeps its transaction across runs; pass a fresh one (the default) to classify alone.
 */
export function classifySql(sql: string, state: SessionState = newSessionState()): ClassifyResult {
  const { statements, unterminated } = splitStatements(sql);
  const out = statements.map((s, index): ClassifiedStatement => ({ index, text: s.text, start: s.start, end: s.end, ...classifyInSession(s, state) }));
  if (unterminated) {
    const why = primary('unknown', `not classified: the input ends inside a ${unterminated}`);
    if (out.length > 0) Object.assign(out[out.length - 1], why);
    else out.push({ index: 0, text: sql.trim(), start: sql.length - sql.trimStart().length, end: sql.trimEnd().length, ...why });
  }
  return { statements: out, unterminated };
}
