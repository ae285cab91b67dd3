/**
 * Statements of a script, split at top-level delimiters (never inside strings, identifiers or
 * comments; `DELIMITER` honoured), and the small structural questions the routing and the checks ask
 * of a statement's tokens: a keyword at a depth, a keyword pair, the leading verb, a table name.
 */
import { tokenize, type Comment, type Token } from './lexer.js';

/** One statement of a multi-statement input, with its tokens and where it sits in the text. */
export interface StatementSlice {
  /** The statement's text, trimmed, without the terminating delimiter. */
  text: string;
  /** Where `text` sits in the input (leading comments included). */
  start: number;
  end: number;
  /** Where its code sits: the first token's start and the last token's end (comments around it excluded). */
  codeStart: number;
  codeEnd: number;
  tokens: Token[];
  comments: Comment[];
}

/**
 * Splits input at top-level delimiters. Statements that hold only comments or whitespace are
 * dropped: there is nothing to run.
 */
export function splitStatements(sql: string): { statements: StatementSlice[]; unterminated: string | null } {
  const { tokens, comments, unterminated } = tokenize(sql);
  const statements: StatementSlice[] = [];
  let current: Token[] = [];
  let from = 0;
  /** The region runs from after the previous delimiter to this one: it keeps leading comments and the `*\/` of executable ones. */
  const flush = (to: number) => {
    if (current.length > 0) {
      const region = sql.slice(from, to);
      const lead = region.length - region.trimStart().length;
      const text = region.trim();
      const start = from + lead;
      const own = comments.filter((c) => c.start >= from && c.end <= to);
      statements.push({ text, start, end: start + text.length, codeStart: current[0].start, codeEnd: current[current.length - 1].end, tokens: current, comments: own });
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

/** An unquoted word (keyword) among `words`. */
export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.includes(t.upper);
}

/** Index of the first word `upper` at or after `from` at `depth`, or -1. */
export function findWord(tokens: Token[], upper: string, from = 0, depth = 0): number {
  for (let k = from; k < tokens.length; k++) if (tokens[k].depth === depth && tokens[k].kind === 'word' && tokens[k].upper === upper) return k;
  return -1;
}

/** Where the words `a b` appear next to each other at `depth` (e.g. ORDER BY), or -1. */
export function findPair(tokens: Token[], a: string, b: string, from = 0, depth = 0): number {
  for (let k = findWord(tokens, a, from, depth); k >= 0; k = findWord(tokens, a, k + 1, depth)) {
    if (isWord(tokens[k + 1], b)) return k;
  }
  return -1;
}

/** The statement's leading keyword. */
export function verb(stmt: Pick<StatementSlice, 'tokens'>): string {
  const first = stmt.tokens.find((t) => t.kind === 'word');
  return first ? first.upper : '';
}

/** A name: an unquoted word or a `quoted` identifier. */
export function isName(t: Token | undefined): t is Token {
  return !!t && (t.kind === 'quoted' || t.kind === 'word');
}

/**
 * A table name at `k`: `name`, `` `name` ``, `db.name` or `` `db`.`name` ``. Returns the names (quotes
 * removed) and the index after it, or null when the token there is not a name.
 */
export function tableNameAt(tokens: Token[], k: number): { database: string | null; table: string; next: number; start: number; end: number } | null {
  const a = tokens[k];
  if (!isName(a)) return null;
  const dot = tokens[k + 1];
  const b = tokens[k + 2];
  if (dot?.kind === 'punct' && dot.text === '.' && isName(b)) {
    return { database: a.value, table: b.value, next: k + 3, start: a.start, end: b.end };
  }
  return { database: null, table: a.value, next: k + 1, start: a.start, end: a.end };
}
