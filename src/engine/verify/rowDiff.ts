/**
 * Row diff: narrows a mismatched key range down to the rows that differ and classifies them as
 * missing on the target, extra on the target, or different (with the columns that differ).
 *
 * Large ranges are bisected first (sub-range checksums on both sides, recursing only into the ones
 * that differ), so a single changed row in a million costs a few aggregate queries, not a full
 * fetch. In a small range both sides list (key, row hash); rows are paired by the server's own key
 * identity (WEIGHT_STRING for string keys: under a _ci key 'a' and 'A' are the same row), and only
 * rows whose hashes differ are fetched whole and compared column by column, byte for byte.
 */
import type { Connection } from '../db/connection.js';
import { rawRows, type RawRow } from '../db/rawRows.js';
import type { KeyValue, RangeBounds } from '../db/keyset.js';
import type { ColumnCodec } from '../db/sql.js';
import { boundaryQuery, rangeChecksumSql, rowHashesSql, rowsByKeySql, type HashShape } from './checksum.js';
import type { CellValue, ChangedRow, KeyTuple, RowDiff } from './types.js';

export function text(b: Buffer | null): string {
  return b === null ? '' : b.toString('latin1');
}

/** Bytes as a JSON-safe cell: text in its column's charset when that decodes cleanly, else hex. */
export function toCell(codec: ColumnCodec, b: Buffer | null): CellValue {
  if (b === null) return null;
  if (codec.kind === 'binary') return { hex: b.toString('hex') };
  if (codec.kind === 'string' && codec.charset === 'latin1') return b.toString('latin1');
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : { hex: b.toString('hex') };
}

export interface HashedRow {
  /** The server's identity of the key (collation weights), used to pair rows. */
  ident: string;
  key: KeyValue;
  hash: string;
}

export interface Classified {
  missing: HashedRow[];
  extra: HashedRow[];
  different: { source: HashedRow; target: HashedRow }[];
}

/** Pairs both sides' rows by key identity; order-free, so no client-side collation is needed. */
export function classifyRows(source: readonly HashedRow[], target: readonly HashedRow[]): Classified {
  const byIdent = new Map<string, HashedRow>();
  for (const t of target) byIdent.set(t.ident, t);
  const out: Classified = { missing: [], extra: [], different: [] };
  for (const s of source) {
    const t = byIdent.get(s.ident);
    if (!t) out.missing.push(s);
    else {
      byIdent.delete(s.ident);
      if (t.hash !== s.hash) out.different.push({ source: s, target: t });
    }
  }
  out.extra.push(...byIdent.values());
  return out;
}

/** Names of the columns whose bytes differ between two rows given in the same column order. */
export function differingColumns(names: readonly string[], a: RawRow, b: RawRow): string[] {
  const out: string[] = [];
  names.forEach((n, i) => {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null ? x !== y : !x.equals(y)) out.push(n);
  });
  return out;
}

export interface DiffContext {
  source: Connection;
  target: Connection;
  sourceDb: string;
  targetDb: string;
  table: string;
  shape: HashShape;
  /** Codec per hashed column name (for display). */
  codecs: Map<string, ColumnCodec>;
  /** Ranges with at most this many source rows are listed row by row (default 5000). */
  leafRows?: number;
  /** Stop collecting after this many differing rows (the diff is then marked truncated). */
  limit: number;
}

export class DiffCollector {
  readonly diff: RowDiff;
  private count = 0;

  constructor(private readonly ctx: DiffContext) {
    this.diff = { keyColumns: ctx.shape.keyColumns.map((k) => k.name), missing: [], extra: [], different: [], truncated: false };
  }

  get full(): boolean {
    return this.count >= this.ctx.limit;
  }

  private keyTuple(k: KeyValue): KeyTuple {
    return this.ctx.shape.keyColumns.map((c, i) => toCell(c.codec, k[i]));
  }

  /** Narrows one mismatched range; `sourceCount` is its row count on the source. */
  async narrow(bounds: RangeBounds, sourceCount: number): Promise<void> {
    if (this.full) {
      this.diff.truncated = true;
      return;
    }
    const leaf = this.ctx.leafRows ?? 5000;
    if (sourceCount <= leaf) return this.leaf(bounds);
    for (const sub of await this.split(bounds, Math.ceil(sourceCount / 4))) {
      const [s, t] = await Promise.all([this.checksum(this.ctx.source, this.ctx.sourceDb, sub), this.checksum(this.ctx.target, this.ctx.targetDb, sub)]);
      if (s.cnt !== t.cnt || s.h !== t.h) await this.narrow(sub, s.cnt);
    }
  }

  private async checksum(conn: Connection, db: string, b: RangeBounds): Promise<{ cnt: number; h: string }> {
    const [row] = await rawRows(conn, rangeChecksumSql(db, this.ctx.table, this.ctx.shape, b));
    return { cnt: Number(text(row[0])), h: text(row[1]) };
  }

  /** Sub-ranges of about `size` source rows covering exactly `b`. */
  private async split(b: RangeBounds, size: number): Promise<RangeBounds[]> {
    const out: RangeBounds[] = [];
    let lower = b.after;
    for (;;) {
      const [row] = await rawRows(this.ctx.source, boundaryQuery(this.ctx.sourceDb, this.ctx.table, this.ctx.shape.keyColumns, lower, size, b.upTo, this.ctx.shape.keySelect));
      if (!row) break;
      out.push({ after: lower, upTo: row });
      lower = row;
    }
    out.push({ after: lower, upTo: b.upTo });
    return out;
  }

  private async hashed(conn: Connection, db: string, b: RangeBounds): Promise<HashedRow[]> {
    const n = this.ctx.shape.keyColumns.length;
    const rows = await rawRows(conn, rowHashesSql(db, this.ctx.table, this.ctx.shape, b));
    return rows.map((r) => ({ key: r.slice(0, n), ident: text(r[n]), hash: text(r[n + 1]) }));
  }

  private async leaf(b: RangeBounds): Promise<void> {
    const [s, t] = await Promise.all([this.hashed(this.ctx.source, this.ctx.sourceDb, b), this.hashed(this.ctx.target, this.ctx.targetDb, b)]);
    const c = classifyRows(s, t);
    for (const r of c.missing) if (this.take()) this.diff.missing.push(this.keyTuple(r.key));
    for (const r of c.extra) if (this.take()) this.diff.extra.push(this.keyTuple(r.key));
    const pairs = c.different.filter(() => this.take());
    for (let i = 0; i < pairs.length; i += 200) await this.compareRows(pairs.slice(i, i + 200));
  }

  private take(): boolean {
    if (this.count >= this.ctx.limit) {
      this.diff.truncated = true;
      return false;
    }
    this.count++;
    return true;
  }

  /** Fetches both versions of each pair and names the columns whose bytes differ. */
  private async compareRows(pairs: { source: HashedRow; target: HashedRow }[]): Promise<void> {
    const { shape, table } = this.ctx;
    const n = shape.keyColumns.length;
    const fetch = async (conn: Connection, db: string, keys: KeyValue[]): Promise<RawRow[]> => rawRows(conn, rowsByKeySql(db, table, shape, keys));
    const [sRows, tRows] = await Promise.all([
      fetch(this.ctx.source, this.ctx.sourceDb, pairs.map((p) => p.source.key)),
      fetch(this.ctx.target, this.ctx.targetDb, pairs.map((p) => p.target.key)),
    ]);
    const keyHex = (k: RawRow): string => k.map((v) => (v === null ? 'N' : v.toString('hex'))).join(':');
    const sBy = new Map(sRows.map((r) => [keyHex(r.slice(0, n)), r.slice(n)]));
    const tBy = new Map(tRows.map((r) => [keyHex(r.slice(0, n)), r.slice(n)]));
    for (const p of pairs) {
      const a = sBy.get(keyHex(p.source.key));
      const b = tBy.get(keyHex(p.target.key));
      // Changed between the hash listing and this fetch (a live source): report what is known.
      if (!a || !b) {
        this.diff.different.push({ key: this.keyTuple(p.source.key), columns: [], source: {}, target: {} });
        continue;
      }
      const columns = differingColumns(shape.columns, a, b);
      const row: ChangedRow = { key: this.keyTuple(p.source.key), columns, source: {}, target: {} };
      for (const col of columns) {
        const i = shape.columns.indexOf(col);
        const codec = this.ctx.codecs.get(col) ?? { kind: 'binary', charset: null, collation: null };
        row.source[col] = toCell(codec, a[i]);
        row.target[col] = toCell(codec, b[i]);
      }
      this.diff.different.push(row);
    }
  }
}
