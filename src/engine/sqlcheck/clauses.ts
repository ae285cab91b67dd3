/** Clause lookups shared by the rules: where a top-level clause starts and ends in a statement. */
import type { Token } from '../sqltext/lexer.js';
import { findPair, findWord } from '../sqltext/statements.js';

/** Words that end a WHERE condition at the top level of UPDATE/DELETE/SELECT. */
const AFTER_WHERE = new Set(['ORDER', 'LIMIT', 'RETURNING', 'GROUP', 'HAVING', 'WINDOW', 'FOR', 'LOCK', 'INTO', 'UNION', 'EXCEPT', 'INTERSECT']);

/** The condition tokens of the top-level WHERE at `depth`, or null when there is none. */
export function whereCondition(tokens: Token[], depth = 0, from = 0): { at: number; condition: Token[] } | null {
  const at = findWord(tokens, 'WHERE', from, depth);
  if (at < 0) return null;
  let end = at + 1;
  while (end < tokens.length && !(tokens[end].depth === depth && tokens[end].kind === 'word' && AFTER_WHERE.has(tokens[end].upper))) end++;
  return { at, condition: tokens.slice(at + 1, end) };
}

/** The top-level LIMIT, unless it is `LIMIT 0` (MDEV-6170: safe, it touches nothing). */
export function limitAt(tokens: Token[], depth = 0, from = 0): number {
  const at = findWord(tokens, 'LIMIT', from, depth);
  if (at < 0) return -1;
  const next = tokens[at + 1];
  if (next?.kind === 'number' && Number(next.text) === 0 && tokens[at + 2]?.text !== ',') return -1;
  return at;
}

export const hasOrderBy = (tokens: Token[], depth = 0, from = 0) => findPair(tokens, 'ORDER', 'BY', from, depth) >= 0;

/** Span of a token run, for a finding's range. */
export const span = (a: Token, b: Token = a) => ({ start: a.start, end: b.end });
