/**
 * Identifier quoting, column codecs and typed value literals.
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

/**
 * Where a column's index order differs from comparing its text against a literal (measured on
 * MariaDB 10.11, see shared/notes/mariadb-facts.md):
 * - enum/set: ORDER BY and the index sort by the declaration index (a SET by its bit value), while
 *   `e > 'alpha'` compares strings; bounds are bound as that number instead.
 * - bit: `b > _binary X'FF'` gives different rows with and without the index; an unsigned integer
 *   literal compares by value on both paths.
 */
export type KeyOrder = 'enum' | 'set' | 'bit';

export interface ColumnCodec {
  kind: ValueKind;
  charset: string | null;
  collation: string | null;
  order?: KeyOrder;
  /** ENUM/SET members in declaration order, as the bytes the server returns for them (the column's charset). */
  members?: Buffer[];
  /** The column can hold NULL (keyset bounds then say where NULLs sort: first, as in the index). */
  nullable?: boolean;
  /**
   * double: FLOAT prints with 6 significant digits in the text protocol (123456792 reads as
   * 123457000); `CAST(col AS DOUBLE)` is the stored single-precision value exactly, printed to
   * round-trip. binary: INET6 and UUID are read in their 16-byte binary form, because a text form
   * that is 16 characters long ('1:2:3:4:5:6:7:88') would be taken as binary when written back
   * through a binary string, and a binary string of their text does not compare as their value.
   */
  readAs?: 'double' | 'binary';
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const CHARSET = /^[A-Za-z0-9_]+$/;

export function hexLiteral(bytes: Buffer): string {
  return bytes.length === 0 ? "''" : `X'${bytes.toString('hex')}'`;
}

/** What to SELECT to read a column's stored value exactly (the column itself for all but FLOAT). */
export function readSql(name: string, codec: ColumnCodec): string {
  if (codec.readAs === 'double') return `CAST(${quoteIdent(name)} AS DOUBLE)`;
  if (codec.readAs === 'binary') return `CAST(${quoteIdent(name)} AS BINARY)`;
  return quoteIdent(name);
}

/**
 * ENUM/SET: the number the index sorts by, from the bytes the server returned for the value.
 * ENUM: the 1-based declaration index ('' that is not a member is the error value 0). SET: the
 * bit value; the server always lists members in declaration order, comma-separated.
 */
export function memberOrdinal(codec: ColumnCodec, bytes: Buffer): bigint {
  const members = codec.members;
  if (!members) throw new Error('ENUM/SET column without its member list');
  if (codec.order === 'enum') {
    const i = members.findIndex((m) => m.equals(bytes));
    if (i >= 0) return BigInt(i + 1);
    if (bytes.length === 0) return 0n;
    throw new Error(`value 0x${bytes.toString('hex')} is not a member of the ENUM`);
  }
  if (bytes.length === 0) return 0n;
  // SET: members in declaration order joined by ',' (never part of a member); match greedily in order.
  let value = 0n;
  let p = 0;
  let next = 0;
  while (p < bytes.length) {
    let found = -1;
    for (let j = next; j < members.length; j++) {
      const m = members[j];
      const end = p + m.length;
      if (end <= bytes.length && bytes.subarray(p, end).equals(m) && (end === bytes.length || bytes[end] === 0x2c)) {
        found = j;
        break;
      }
    }
    if (found < 0) throw new Error(`value 0x${bytes.toString('hex')} is not a SET of the column's members`);
    value |= 1n << BigInt(found);
    p += members[found].length + 1;
    next = found + 1;
  }
  return value;
}

/** The largest ordinal an ENUM/SET column can hold. */
export function maxOrdinal(codec: ColumnCodec): bigint {
  const n = codec.members?.length ?? 0;
  return codec.order === 'enum' ? BigInt(n) : (1n << BigInt(n)) - 1n;
}

function bitValue(bytes: Buffer): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * A literal for comparisons (keyset WHERE) that orders exactly like the column's index: strings keep
 * their column's charset and collation, ENUM/SET bind their ordinal, BIT its unsigned value.
 */
export function keyLiteral(codec: ColumnCodec, bytes: Buffer | null): SqlLiteral {
  if (bytes === null) return new SqlLiteral('NULL');
  if (codec.order === 'enum' || codec.order === 'set') return new SqlLiteral(memberOrdinal(codec, bytes).toString());
  if (codec.order === 'bit') return new SqlLiteral(bitValue(bytes).toString());
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

/**
 * The members of an information_schema COLUMN_TYPE `enum('a','b''c')` / `set(...)`, unquoted
 * (the server doubles quotes and backslashes there; trailing spaces of members are already gone).
 */
export function parseMembers(columnType: string): string[] {
  const open = columnType.indexOf('(');
  if (open < 0) return [];
  const members: string[] = [];
  let i = open + 1;
  while (i < columnType.length && columnType[i] === "'") {
    let s = '';
    i++;
    for (;;) {
      if (i >= columnType.length) throw new Error(`unterminated member in ${columnType}`);
      const ch = columnType[i];
      if (ch === "'" && columnType[i + 1] === "'") {
        s += "'";
        i += 2;
      } else if (ch === '\\' && i + 1 < columnType.length) {
        const n = columnType[i + 1];
        s += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : n === 'Z' ? '\x1a' : n === 'b' ? '\b' : n;
        i += 2;
      } else if (ch === "'") {
        i++;
        break;
      } else {
        s += ch;
        i++;
      }
    }
    members.push(s);
    if (columnType[i] === ',') i++;
  }
  return members;
}

export interface CodecExtras {
  nullable?: boolean;
  members?: Buffer[];
}

export function codecFor(dataType: string, charset: string | null, collation: string | null, extras: CodecExtras = {}): ColumnCodec {
  const t = dataType.toLowerCase();
  const nullable = extras.nullable ?? false;
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real)$/.test(t)) {
    return { kind: 'number', charset: null, collation: null, nullable, ...(t === 'float' ? { readAs: 'double' as const } : {}) };
  }
  if (/^(date|datetime|timestamp|time|year)$/.test(t)) return { kind: 'temporal', charset: null, collation: null, nullable };
  if (t === 'bit') return { kind: 'binary', charset: null, collation: null, nullable, order: 'bit' };
  if (t === 'inet6' || t === 'uuid') return { kind: 'binary', charset: null, collation: null, nullable, readAs: 'binary' };
  const order = t === 'enum' ? ('enum' as const) : t === 'set' ? ('set' as const) : undefined;
  const members = order ? { order, members: extras.members ?? [] } : {};
  if (charset && charset !== 'binary' && /char|text|enum|set|json/.test(t)) {
    return { kind: 'string', charset, collation, nullable, ...members };
  }
  return { kind: 'binary', charset: null, collation: null, nullable, ...members };
}
