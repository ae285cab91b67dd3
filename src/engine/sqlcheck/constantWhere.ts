/**
 * Decides whether a WHERE condition is always true by evaluating it over constants only: numbers,
 * strings, TRUE/FALSE/NULL, comparisons, AND/OR/XOR/NOT, arithmetic and parentheses. Anything else
 * (a column, a function, a variable, a subquery) is unknown, and unknown stays unknown except where
 * logic settles it (`1=1 OR id = 5` is true whatever id is). MariaDB's truthiness: a non-zero number
 * is true, a string counts as the number it starts with ('1abc' -> 1, 'abc' -> 0), NULL is not true.
 */
import type { Token } from '../sqltext/lexer.js';

/** A known value (number, string or null) or unknown. */
type Value = { known: true; v: number | string | null } | { known: false };

const UNKNOWN: Value = { known: false };
const known = (v: number | string | null): Value => ({ known: true, v });

function toNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(v);
  return m ? Number(m[0]) : 0;
}

/** true / false / null (SQL NULL) / undefined (unknown). */
function truth(x: Value): boolean | null | undefined {
  if (!x.known) return undefined;
  if (x.v === null) return null;
  return toNumber(x.v) !== 0;
}

const fromTruth = (b: boolean | null | undefined): Value => (b === undefined ? UNKNOWN : known(b === null ? null : b ? 1 : 0));

const BINARY: Record<string, number> = {
  OR: 1, '||': 1, XOR: 2, AND: 3, '&&': 3,
  '=': 5, '<=>': 5, '<>': 5, '!=': 5, '<': 5, '>': 5, '<=': 5, '>=': 5, IS: 5,
  '+': 7, '-': 7, '*': 8, '/': 8, '%': 8, DIV: 8, MOD: 8,
};

class ConstEval {
  private k = 0;
  constructor(private readonly t: Token[]) {}

  private peekOp(): string | null {
    const tok = this.t[this.k];
    if (!tok) return null;
    if (tok.kind === 'punct') return tok.text;
    if (tok.kind === 'word') return tok.upper;
    return null;
  }

  /** Parses the whole token list; false when something is left that this grammar does not know. */
  run(): Value | null {
    const v = this.expr(0);
    return this.k === this.t.length ? v : null;
  }

  private expr(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      const op = this.peekOp();
      const prec = op ? BINARY[op] : undefined;
      if (!op || prec === undefined || prec < minPrec) break;
      this.k++;
      if (op === 'IS') {
        left = this.isTest(left);
        continue;
      }
      const right = this.expr(prec + 1);
      left = apply(op, left, right);
    }
    return left;
  }

  private isTest(left: Value): Value {
    let negate = false;
    if (this.peekOp() === 'NOT') {
      negate = true;
      this.k++;
    }
    const what = this.peekOp();
    this.k++;
    const tr = truth(left);
    let r: boolean | undefined;
    if (what === 'NULL') r = left.known ? left.v === null : undefined;
    else if (what === 'TRUE') r = tr === undefined ? undefined : tr === true;
    else if (what === 'FALSE') r = tr === undefined ? undefined : tr === false;
    else return UNKNOWN;
    return fromTruth(r === undefined ? undefined : negate ? !r : r);
  }

  private unary(): Value {
    const tok = this.t[this.k];
    if (!tok) return UNKNOWN;
    const op = this.peekOp();
    if (op === 'NOT' || op === '!') {
      this.k++;
      const v = this.expr(op === 'NOT' ? 4 : 9);
      const tr = truth(v);
      return fromTruth(tr === undefined || tr === null ? tr : !tr);
    }
    if (op === '-' || op === '+') {
      this.k++;
      const v = this.unary();
      if (!v.known || v.v === null) return v;
      return known(op === '-' ? -toNumber(v.v) : toNumber(v.v));
    }
    this.k++;
    if (tok.kind === 'number') return known(Number(tok.text));
    if (tok.kind === 'string') return known(tok.value);
    if (tok.kind === 'word' && tok.upper === 'TRUE') return known(1);
    if (tok.kind === 'word' && tok.upper === 'FALSE') return known(0);
    if (tok.kind === 'word' && tok.upper === 'NULL') return known(null);
    if (tok.kind === 'punct' && tok.text === '(') {
      const v = this.expr(0);
      if (this.t[this.k]?.text === ')') this.k++;
      else this.skipToClose(tok.depth);
      return v;
    }
    // A column, function call or subquery: unknown; skip a call's argument list whole.
    if (this.t[this.k]?.kind === 'punct' && this.t[this.k].text === '(') {
      this.k++;
      this.skipToClose(tok.depth);
    } else if (this.t[this.k]?.text === '.') {
      this.k += 2;
    }
    return UNKNOWN;
  }

  private skipToClose(depth: number): void {
    while (this.k < this.t.length && !(this.t[this.k].text === ')' && this.t[this.k].depth === depth)) this.k++;
    this.k++;
  }
}

function apply(op: string, a: Value, b: Value): Value {
  if (op === 'OR' || op === '||' || op === 'AND' || op === '&&' || op === 'XOR') {
    const x = truth(a);
    const y = truth(b);
    if (op === 'OR' || op === '||') {
      if (x === true || y === true) return known(1);
      if (x === undefined || y === undefined) return UNKNOWN;
      return x === null || y === null ? known(null) : known(0);
    }
    if (op === 'AND' || op === '&&') {
      if (x === false || y === false) return known(0);
      if (x === undefined || y === undefined) return UNKNOWN;
      return x === null || y === null ? known(null) : known(1);
    }
    if (x === undefined || y === undefined) return UNKNOWN;
    return x === null || y === null ? known(null) : known(x !== y ? 1 : 0);
  }
  if (!a.known || !b.known) return UNKNOWN;
  if (op === '<=>') return known(a.v === null || b.v === null ? (a.v === b.v ? 1 : 0) : cmp(a.v, b.v) === 0 ? 1 : 0);
  if (a.v === null || b.v === null) return known(null);
  switch (op) {
    case '=': return known(cmp(a.v, b.v) === 0 ? 1 : 0);
    case '<>': case '!=': return known(cmp(a.v, b.v) !== 0 ? 1 : 0);
    case '<': return known(cmp(a.v, b.v) < 0 ? 1 : 0);
    case '>': return known(cmp(a.v, b.v) > 0 ? 1 : 0);
    case '<=': return known(cmp(a.v, b.v) <= 0 ? 1 : 0);
    case '>=': return known(cmp(a.v, b.v) >= 0 ? 1 : 0);
    case '+': return known(toNumber(a.v) + toNumber(b.v));
    case '-': return known(toNumber(a.v) - toNumber(b.v));
    case '*': return known(toNumber(a.v) * toNumber(b.v));
    default: return UNKNOWN; // division by zero is NULL in MariaDB; not worth modelling here
  }
}

/**
 * Two strings compare as strings (case-insensitively, like the default collations); otherwise as
 * numbers. Collation details beyond case do not matter for literals a person writes to mean "true".
 */
function cmp(a: number | string, b: number | string): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase().trimEnd();
    const y = b.toLowerCase().trimEnd();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const d = toNumber(a) - toNumber(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** Whether the condition's tokens (without WHERE) are true for every row. */
export function alwaysTrue(condition: Token[]): boolean {
  if (condition.length === 0) return false;
  const v = new ConstEval(condition).run();
  return v !== null && truth(v) === true;
}
