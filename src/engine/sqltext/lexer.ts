/**
 * The one SQL lexer of the product (routing, the SQL checks, partition routing, Run SQL's splitter):
 * comment- and string-aware for MySQL/MariaDB, so nothing is ever decided by matching text that sits
 * inside a string, a quoted identifier or a comment. Executable comments (`/*! ... *\/`,
 * `/*!50001 ... *\/`, MariaDB's `/*M! ... *\/`) are SQL the server runs, so their content is lexed
 * like any other text. The `mariadb` client's `DELIMITER` command is honoured at the start of a
 * statement, so a script with stored routines splits the way the client splits it.
 *
 * Why not node-sql-parser (measured 2026-11-29, see docs/benchmarks.md): its MariaDB grammar rejects
 * `NEXT VALUE FOR s`, `SHOW MASTER STATUS`, `CREATE SEQUENCE`, `DELETE ... ORDER BY id LIMIT 5`, every
 * `FLUSH` and `OPTIMIZE TABLE`, drops `/*!40101 ... *\/` as a comment, and parses about 300
 * statements/s. Routing and the checks need keywords, clause structure at a parenthesis depth and
 * names, not an AST; a statement the parser cannot read must still be routed and checked.
 *
 * Pure: no I/O, safe to import from the extension host and webviews.
 */

export type TokenKind =
  /** Unquoted word: keyword or identifier; `upper` holds its upper-case form. */
  | 'word'
  /** `identifier` in backticks; `value` is the name, `upper` the name upper-cased. */
  | 'quoted'
  /** '...' or "..." (MariaDB's default sql_mode reads double quotes as strings), X'..', B'..', N'..'. */
  | 'string'
  | 'number'
  /** @name, @'quoted name', @`name` (user variables). */
  | 'uservar'
  /** @@name, @@session.name, @@global.name (system variables). */
  | 'sysvar'
  /** Operators and punctuation; `:=`, `<=>`, `->>` and the other multi-character operators are one token. */
  | 'punct'
  /** A statement boundary: the delimiter (`;`, or what a `DELIMITER` command set), or a `DELIMITER` command line itself. */
  | 'semicolon';

export interface Token {
  kind: TokenKind;
  /** The token's text as written (quotes included). */
  text: string;
  /** Upper-case text for words, the upper-cased name for quoted identifiers and variables; the text otherwise. */
  upper: string;
  /** Strings and quoted identifiers: the content without quotes, doubled quotes and backslash escapes resolved. Otherwise the text. */
  value: string;
  /** Offsets in the input: [start, end). */
  start: number;
  end: number;
  /** Parenthesis depth at the token (0 = top level of its statement). */
  depth: number;
}

/** A comment the server does not run, kept because MaxScale-style routing hints live in comments. */
export interface Comment {
  text: string;
  start: number;
  end: number;
}

export interface Tokenized {
  tokens: Token[];
  comments: Comment[];
  /** Set when the input ends inside a string, quoted identifier or comment (never routed to a replica). */
  unterminated: string | null;
}

// Character classes by code (no regex per character: the lexer runs on every statement routed).
const isWordStart = (c: string) => {
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 36 || k >= 0x80;
};
const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordChar = (c: string) => isWordStart(c) || isDigit(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const NUMBER = /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$|^0x[0-9a-f]+$|^0b[01]+$|^[0-9]+\.$/i;
const THREE_CHAR_OPS = new Set(['<=>', '->>']);
const TWO_CHAR_OPS = new Set([':=', '<=', '>=', '<>', '!=', '||', '&&', '<<', '>>', '->']);

/** Scans a quoted run from `i` (at the opening quote); doubled quotes and backslash escapes stay inside. */
function scanQuoted(sql: string, i: number, quote: string, backslash: boolean): { end: number; value: string } | null {
  let j = i + 1;
  let value = '';
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === '\\' && j + 1 < sql.length) {
      value += sql[j + 1];
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        value += quote;
        j += 2;
        continue;
      }
      return { end: j + 1, value };
    }
    value += c;
    j++;
  }
  return null;
}

/** `DELIMITER x` at `i` (the client command): the new delimiter and where its line ends, or null. */
function delimiterCommand(sql: string, i: number): { delimiter: string | null; next: number } | null {
  if (sql.length - i < 10 || !/^delimiter\s/i.test(sql.slice(i, i + 10))) return null;
  const eol = sql.indexOf('\n', i);
  const line = sql.slice(i + 9, eol < 0 ? sql.length : eol).trim();
  return { delimiter: line.split(/\s+/)[0] || null, next: eol < 0 ? sql.length : eol + 1 };
}

export function tokenize(sql: string): Tokenized {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let depth = 0;
  let delimiter = ';';
  /** Inside `/*! ... *\/`: the next `*\/` closes the executable comment, not a token. */
  let inExecutable = false;
  /** At the start of a statement (where the client reads DELIMITER). */
  let atStatementStart = true;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, upper?: string, value?: string) => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, upper: upper ?? (kind === 'word' ? text.toUpperCase() : text), value: value ?? text, start, end, depth });
    atStatementStart = kind === 'semicolon';
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (inExecutable && c === '*' && next === '/') {
      inExecutable = false;
      i += 2;
      continue;
    }
    if (atStatementStart && !inExecutable && (c === 'd' || c === 'D')) {
      const cmd = delimiterCommand(sql, i);
      if (cmd) {
        if (cmd.delimiter) delimiter = cmd.delimiter;
        // A boundary, as the client treats it: the command is never part of a statement's text.
        push('semicolon', i, cmd.next);
        i = cmd.next;
        continue;
      }
    }
    // Like the client, a delimiter ends the statement whatever the parentheses say.
    if (c === delimiter[0] && sql.startsWith(delimiter, i)) {
      push('semicolon', i, i + delimiter.length);
      depth = 0;
      i += delimiter.length;
      continue;
    }
    // `-- ` needs whitespace (or the end) after the dashes: `1--1` is arithmetic in MySQL.
    if (c === '#' || (c === '-' && next === '-' && (i + 2 >= sql.length || isSpace(sql[i + 2]) || sql[i + 2] < ' '))) {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      comments.push({ text: sql.slice(i, stop), start: i, end: stop });
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const executable = sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!');
      if (executable && !inExecutable) {
        let j = i + (sql[i + 2] === '!' ? 3 : 4);
        while (j < sql.length && isDigit(sql[j])) j++;
        inExecutable = true;
        i = j;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { tokens, comments, unterminated: 'comment' };
      comments.push({ text: sql.slice(i, end + 2), start: i, end: end + 2 });
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const q = scanQuoted(sql, i, c, true);
      if (!q) return { tokens, comments, unterminated: 'string' };
      push('string', i, q.end, undefined, q.value);
      i = q.end;
      continue;
    }
    if (c === '`') {
      const q = scanQuoted(sql, i, '`', false);
      if (!q) return { tokens, comments, unterminated: 'quoted identifier' };
      push('quoted', i, q.end, q.value.toUpperCase(), q.value);
      i = q.end;
      continue;
    }
    if (c === '@') {
      const sys = next === '@';
      let j = i + (sys ? 2 : 1);
      const q = sql[j];
      if (!sys && (q === "'" || q === '"' || q === '`')) {
        const quoted = scanQuoted(sql, j, q, q !== '`');
        if (!quoted) return { tokens, comments, unterminated: 'string' };
        j = quoted.end;
      } else {
        while (j < sql.length && (isWordChar(sql[j]) || sql[j] === '.')) j++;
      }
      push(sys ? 'sysvar' : 'uservar', i, j, sql.slice(i, j).toUpperCase());
      i = j;
      continue;
    }
    // Hex and bit literals, N'..' national strings (_charset'..' introducers fall to words then strings).
    if ((c === 'x' || c === 'X' || c === 'b' || c === 'B' || c === 'n' || c === 'N') && next === "'") {
      const q = scanQuoted(sql, i + 1, "'", c === 'n' || c === 'N');
      if (!q) return { tokens, comments, unterminated: 'string' };
      push('string', i, q.end, undefined, q.value);
      i = q.end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(next ?? ''))) {
      let j = i + 1;
      const hex = c === '0' && (next === 'x' || next === 'X');
      while (j < sql.length && (isWordChar(sql[j]) || sql[j] === '.' || ((sql[j] === '+' || sql[j] === '-') && (sql[j - 1] === 'e' || sql[j - 1] === 'E') && !hex))) j++;
      // A word that starts with digits (1abc is a valid identifier) is still a word.
      const text = sql.slice(i, j);
      push(NUMBER.test(text) ? 'number' : 'word', i, j);
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      // `END$$`: a custom delimiter may be made of word characters and end a word.
      const custom = delimiter !== ';';
      while (j < sql.length && isWordChar(sql[j]) && !(custom && sql.startsWith(delimiter, j))) j++;
      push('word', i, j);
      i = j;
      continue;
    }
    if (c === '(') {
      push('punct', i, i + 1);
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      push('punct', i, i + 1);
      i++;
      continue;
    }
    const three = sql.slice(i, i + 3);
    if (THREE_CHAR_OPS.has(three)) {
      push('punct', i, i + 3);
      i += 3;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      push('punct', i, i + 2);
      i += 2;
      continue;
    }
    push('punct', i, i + 1);
    i++;
  }
  return { tokens, comments, unterminated: inExecutable ? 'executable comment' : null };
}
