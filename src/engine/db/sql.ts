/**
 * Identifier quoting and typed value literals.
 *
 * Values read from the source arrive as raw bytes (character_set_results=binary), so binding them
 * as JS strings would re-encode them. SqlLiteral objects are passed through `?` placeholders:
 * mysql2 calls toSqlString(), and each literal is built only from validated digits or hex.
 */

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function qualified(db: string, table: string): string {
  return `${quoteIdent(db)}.${quoteIdent(table)}`;
}

export function quoteList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}

/** A ready SQL fragment that mysql2 inserts verbatim for a `?` placeholder. */
export class SqlLiteral {
  constructor(private readonly text: string) {}
  toSqlString(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

/** How a column's text-protocol bytes must be written back so the server reads them exactly. */
export type ValueKind = 'number' | 'temporal' | 'string' | 'binary';

export interface ColumnCodec {
  kind: ValueKind;
  charset: string | null;
  collation: string | null;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const CHARSET = /^[A-Za-z0-9_]+$/;

export function hexLiteral(bytes: Buffer): string {
  return bytes.length === 0 ? "''" : `X'${bytes.toString('hex')}'`;
}

/**
 * A literal for comparisons (keyset WHERE): strings keep their column's charset and collation so
 * the comparison orders exactly like ORDER BY on the index.
 */
export function keyLiteral(codec: ColumnCodec, bytes: Buffer | null): SqlLiteral {
  if (bytes === null) return new SqlLiteral('NULL');
  switch (codec.kind) {
    case 'number': {
      const s = bytes.toString('latin1');
      if (!NUMERIC.test(s)) throw new Error(`not a number from the server: ${JSON.stringify(s)}`);
      return new SqlLiteral(s);
    }
    case 'string': {
      const cs = codec.charset ?? 'binary';
      const coll = codec.collation;
      if (!CHARSET.test(cs) || (coll !== null && !CHARSET.test(coll))) throw new Error(`odd charset ${cs}/${coll}`);
      const hex = bytes.length === 0 ? "X''" : `X'${bytes.toString('hex')}'`;
      return new SqlLiteral(`_${cs} ${hex}${coll ? ` COLLATE ${coll}` : ''}`);
    }
    case 'temporal':
    case 'binary':
      return new SqlLiteral(`_binary ${bytes.length === 0 ? "X''" : `X'${bytes.toString('hex')}'`}`);
  }
}

/** A literal for INSERT values: a binary string is stored byte for byte in any column type. */
export function valueLiteral(codec: ColumnCodec, bytes: Buffer | null): string {
  if (bytes === null) return 'NULL';
  if (codec.kind === 'number') {
    const s = bytes.toString('latin1');
    if (NUMERIC.test(s)) return s;
  }
  return bytes.length === 0 ? "''" : `_binary X'${bytes.toString('hex')}'`;
}

export function codecFor(dataType: string, charset: string | null, collation: string | null): ColumnCodec {
  const t = dataType.toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real)$/.test(t)) {
    return { kind: 'number', charset: null, collation: null };
  }
  if (/^(date|datetime|timestamp|time|year)$/.test(t)) return { kind: 'temporal', charset: null, collation: null };
  if (charset && charset !== 'binary' && /char|text|enum|set|json/.test(t)) {
    return { kind: 'string', charset, collation };
  }
  return { kind: 'binary', charset: null, collation: null };
}
