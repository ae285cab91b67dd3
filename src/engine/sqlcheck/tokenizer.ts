/**
 * A comment- and string-aware MariaDB lexer that also splits a script into statements the way the
 * `mariadb` client does (`;` or a `DELIMITER` of the script's choosing).
 *
 * Why not node-sql-parser: its MariaDB grammar (5.4.0, measured here) rejects statements these checks
 * exist for — `DELETE ... ORDER BY id LIMIT 5`, `UPDATE ... WHERE true LIMIT 10`, every `FLUSH`,
 * `OPTIMIZE TABLE` — and a rule must see a statement the parser cannot read. The checks look at
 * keyword structure (which clauses a statement has at its top level), which a token stream with
 * parenthesis depth answers exactly, and in which a keyword inside a string, a quoted identifier or
 * a comment is never mistaken for SQL.
 *
 * Executable comments (`/*! ... *\/`, `/*M! ... *\/`, with an optional version number) are code to
 * MariaDB, so their content is lexed as code; every other comment is skipped.
 */

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'variable' | 'op' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The token's source text (for ident and string: without the quotes, escapes resolved roughly). */
  text: string;
  /** Upper-cased text for words (keywords and unquoted names); '' otherwise. */
  upper: string;
  start: number;
  end: number;
  /** Parenthesis depth the token sits at (0 = the statement's top level). */
  depth: number;
}

export interface Statement {
  tokens: Token[];
  /** Offsets of the statement's first and last token (comments before it excluded). */
  start: number;
  end: number;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const MULTI_OPS = ['<=>', '<=', '>=', '<>', '!=', ':=', '||', '&&', '<<', '>>', '->>', '->'];

/** Lexes `text` into statements. Empty statements (`;;`, comment-only tails) are dropped. */
export function splitStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let delimiter = ';';
  let tokens: Token[] = [];
  let depth = 0;
  let inExecComment = false;
  let i = 0;
  const n = text.length;
  const flush = () => {
    if (tokens.length) statements.push({ tokens, start: tokens[0].start, end: tokens[tokens.length - 1].end });
    tokens = [];
    depth = 0;
  };
  const push = (kind: TokenKind, value: string, start: number, end: number) => {
    if (kind === 'punct' && value === ')') depth = Math.max(0, depth - 1);
    tokens.push({ kind, text: value, upper: kind === 'word' ? value.toUpperCase() : '', start, end, depth });
    if (kind === 'punct' && value === '(') depth++;
  };
  while (i < n) {
    const c = text[i];
    // The client's DELIMITER command: only at the start of a statement, the rest of its line.
    if (tokens.length === 0 && !inExecComment && /^delimiter\s/i.test(text.slice(i, i + 10))) {
      const eol = text.indexOf('\n', i);
      const line = text.slice(i + 9, eol < 0 ? n : eol).trim();
      const next = line.split(/\s+/)[0];
      if (next) delimiter = next;
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (inExecComment && c === '*' && text[i + 1] === '/') {
      inExecComment = false;
      i += 2;
      continue;
    }
    // Like the client, a delimiter ends the statement whatever the parentheses say.
    if (text.startsWith(delimiter, i)) {
      flush();
      i += delimiter.length;
      continue;
    }
    if (c === '#' || (c === '-' && text[i + 1] === '-' && (i + 2 >= n || /\s/.test(text[i + 2])))) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const exec = /^\/\*M?!(\d{5,6})?/.exec(text.slice(i, i + 10));
      if (exec && !inExecComment) {
        inExecComment = true;
        i += exec[0].length;
        continue;
      }
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const { value, end } = quoted(text, i, c);
      push(c === '`' ? 'ident' : 'string', value, start, end);
      i = end;
      continue;
    }
    if (c === '@') {
      let j = i + 1;
      if (text[j] === '@') j++;
      if (text[j] === '`' || text[j] === "'" || text[j] === '"') j = quoted(text, j, text[j]).end;
      else while (j < n && (IDENT_CHAR.test(text[j]) || text[j] === '.')) j++;
      push('variable', text.slice(i, j), start, j);
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(0x[0-9a-f]+|0b[01]+|\d*\.?\d+(e[+-]?\d+)?|\d+\.)/i.exec(text.slice(i, i + 200));
      const len = m ? m[0].length : 1;
      // `1abc` is a valid unquoted identifier in MariaDB: a digit run glued to letters is a word.
      if (!IDENT_CHAR.test(text[i + len] ?? '')) {
        push('number', text.slice(i, i + len), start, i + len);
        i += len;
        continue;
      }
    }
    if (IDENT_CHAR.test(c)) {
      let j = i + 1;
      // `END$$`: a custom delimiter may be made of identifier characters and end a word.
      while (j < n && IDENT_CHAR.test(text[j]) && !text.startsWith(delimiter, j)) j++;
      push('word', text.slice(i, j), start, j);
      i = j;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.' || c === ';') {
      push('punct', c, start, i + 1);
      i++;
      continue;
    }
    const op = MULTI_OPS.find((o) => text.startsWith(o, i)) ?? c;
    push('op', op, start, i + op.length);
    i += op.length;
  }
  flush();
  return statements;
}

/** A quoted string or identifier starting at `i`: doubled quotes and (for strings) backslash escapes. */
function quoted(text: string, i: number, q: string): { value: string; end: number } {
  let j = i + 1;
  let value = '';
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\' && q !== '`' && j + 1 < text.length) {
      value += text[j + 1];
      j += 2;
      continue;
    }
    if (ch === q) {
      if (text[j + 1] === q) {
        value += q;
        j += 2;
        continue;
      }
      return { value, end: j + 1 };
    }
    value += ch;
    j++;
  }
  return { value, end: text.length };
}

/** Index of the first top-level word `upper` at or after `from` (depth as given), or -1. */
export function findWord(tokens: Token[], upper: string, from = 0, depth = 0): number {
  for (let k = from; k < tokens.length; k++) if (tokens[k].depth === depth && tokens[k].kind === 'word' && tokens[k].upper === upper) return k;
  return -1;
}

/** Whether the words `a b` appear next to each other at `depth` (e.g. ORDER BY). */
export function findPair(tokens: Token[], a: string, b: string, from = 0, depth = 0): number {
  for (let k = findWord(tokens, a, from, depth); k >= 0; k = findWord(tokens, a, k + 1, depth)) {
    if (tokens[k + 1]?.kind === 'word' && tokens[k + 1].upper === b) return k;
  }
  return -1;
}

/** The statement's leading keyword, skipping a label-free leading `(`. */
export function verb(stmt: Statement): string {
  const first = stmt.tokens.find((t) => t.kind === 'word');
  return first ? first.upper : '';
}

/**
 * A table name at `k`: `name`, `` `name` ``, `db.name` or `` `db`.`name` ``. Returns the name and the
 * index after it, or null when the token there is not a name.
 */
export function tableNameAt(tokens: Token[], k: number): { database: string | null; table: string; next: number; start: number; end: number } | null {
  const isName = (t: Token | undefined) => !!t && (t.kind === 'ident' || t.kind === 'word');
  const a = tokens[k];
  if (!isName(a)) return null;
  if (tokens[k + 1]?.kind === 'punct' && tokens[k + 1].text === '.' && isName(tokens[k + 2])) {
    return { database: a.text, table: tokens[k + 2].text, next: k + 3, start: a.start, end: tokens[k + 2].end };
  }
  return { database: null, table: a.text, next: k + 1, start: a.start, end: a.end };
}
