/**
 * A comment- and string-aware SQL tokenizer for MySQL/MariaDB, enough to classify and split
 * statements: it never decides anything by matching text that sits inside a string, a quoted
 * identifier or a comment. Executable comments (`/*! ... *\/`, `/*!50001 ... *\/`, MariaDB's
 * `/*M! ... *\/`) are SQL the server runs, so their content is tokenized like any other text.
 *
 * Why not node-sql-parser (measured 2026-11-29, see docs/benchmarks.md): its MariaDB grammar
 * rejects `NEXT VALUE FOR s`, `SHOW MASTER STATUS` and `CREATE SEQUENCE`, drops `/*!40101 ... *\/`
 * as a comment, and parses about 300 statements/s; a failed parse would send everything to the
 * primary. Routing needs the first keyword, a few clauses and function names, not an AST.
 *
 * Pure: no I/O, safe to import from the extension host and webviews.
 */

export type TokenKind =
  /** Unquoted word: keyword or identifier; `upper` holds its upper-case form. */
  | 'word'
  /** `identifier` in backticks (or "double quotes" nowhere: see `string`). */
  | 'quoted'
  /** '...' or "..." (MariaDB's default sql_mode reads double quotes as strings). */
  | 'string'
  | 'number'
  /** @name, @'quoted name', @`name` (user variables). */
  | 'uservar'
  /** @@name, @@session.name, @@global.name (system variables). */
  | 'sysvar'
  /** Operators and punctuation; `:=` is one token. */
  | 'punct'
  | 'semicolon';

export interface Token {
  kind: TokenKind;
  /** The token's text as written (for words: as written, see `upper`). */
  text: string;
  /** Upper-case text for words; the same as text otherwise. */
  upper: string;
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

// Character classes by code (no regex per character: the tokenizer runs on every statement routed).
const isWordStart = (c: string) => {
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 36 || k >= 0x80;
};
const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordChar = (c: string) => isWordStart(c) || isDigit(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const NUMBER = /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$|^0x[0-9a-f]+$|^0b[01]+$|^[0-9]+\.$/i;

/** Scans a quoted run from `i` (at the opening quote); doubled quotes and backslash escapes stay inside. */
function scanQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === '\\') {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return -1;
}

const TWO_CHAR_OPS = new Set([':=', '<=', '>=', '<>', '!=', '||', '&&', '<<', '>>', '->']);

export function tokenize(sql: string): Tokenized {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let depth = 0;
  /** Inside `/*! ... *\/`: the next `*\/` closes the executable comment, not a token. */
  let inExecutable = false;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, upper?: string) => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, upper: upper ?? (kind === 'word' ? text.toUpperCase() : text), start, end, depth });
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
      const end = scanQuoted(sql, i, c, true);
      if (end < 0) return { tokens, comments, unterminated: 'string' };
      push('string', i, end);
      i = end;
      continue;
    }
    if (c === '`') {
      const end = scanQuoted(sql, i, '`', false);
      if (end < 0) return { tokens, comments, unterminated: 'quoted identifier' };
      push('quoted', i, end, sql.slice(i + 1, end - 1).replace(/``/g, '`').toUpperCase());
      i = end;
      continue;
    }
    if (c === '@') {
      const sys = next === '@';
      let j = i + (sys ? 2 : 1);
      const q = sql[j];
      if (!sys && (q === "'" || q === '"' || q === '`')) {
        const end = scanQuoted(sql, j, q, q !== '`');
        if (end < 0) return { tokens, comments, unterminated: 'string' };
        j = end;
      } else {
        while (j < sql.length && (isWordChar(sql[j]) || sql[j] === '.')) j++;
      }
      push(sys ? 'sysvar' : 'uservar', i, j, sql.slice(i, j).toUpperCase());
      i = j;
      continue;
    }
    // Hex and bit literals (X'..', B'..', N'..' national strings, _charset'..' introducers fall to words then strings).
    if ((c === 'x' || c === 'X' || c === 'b' || c === 'B' || c === 'n' || c === 'N') && next === "'") {
      const end = scanQuoted(sql, i + 1, "'", c === 'n' || c === 'N');
      if (end < 0) return { tokens, comments, unterminated: 'string' };
      push('string', i, end);
      i = end;
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
      while (j < sql.length && isWordChar(sql[j])) j++;
      push('word', i, j);
      i = j;
      continue;
    }
    if (c === ';') {
      push('semicolon', i, i + 1);
      depth = 0;
      i++;
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

/** One statement of a multi-statement input, with its tokens and where it sits in the text. */
export interface StatementSlice {
  /** The statement's text, trimmed, without the terminating semicolon. */
  text: string;
  start: number;
  end: number;
  tokens: Token[];
  comments: Comment[];
}

/**
 * Splits input at top-level semicolons (never inside strings, identifiers or comments). Statements
 * that hold only comments or whitespace are dropped: there is nothing to run.
 */
export function splitStatements(sql: string): { statements: StatementSlice[]; unterminated: string | null } {
  const { tokens, comments, unterminated } = tokenize(sql);
  const statements: StatementSlice[] = [];
  let current: Token[] = [];
  let from = 0;
  /** The region runs from after the previous semicolon to this one: it keeps leading comments and the `*\/` of executable ones. */
  const flush = (to: number) => {
    if (current.length > 0) {
      const region = sql.slice(from, to);
      const lead = region.length - region.trimStart().length;
      const text = region.trim();
      const start = from + lead;
      const own = comments.filter((c) => c.start >= from && c.end <= to);
      statements.push({ text, start, end: start + text.length, tokens: current, comments: own });
    }
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'semicolon') {
      flush(t.start);
      from = t.end;
    } else current.push(t);
  }
  flush(sql.length);
  return { statements, unterminated };
}
