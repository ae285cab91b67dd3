/**
 * Plans a range split: which keys go where, chosen so the ranges hold equal numbers of rows. The
 * boundaries are the key's exact quantiles, read from the key index by a keyset walk (`WHERE key >=
 * previous boundary ORDER BY key LIMIT 1 OFFSET step`: each step reads `step` index entries, so the
 * whole plan reads the index once). Bytes per range are its rows x the average logical row size of
 * up to 1,000 rows sampled at the range's start (the bytes the copy moves, not InnoDB's pages;
 * information_schema's AVG_ROW_LENGTH is 0 until statistics are recalculated, measured here on a
 * fresh table). Read-only: nothing is written anywhere.
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect, queryRows } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import { qualified, quoteIdent } from '../db/sql.js';
import type { ServerSpec } from '../db/server.js';
import { inspectTable, type TableDefinition } from '../schema/inspector.js';
import { hashShape } from '../verify/checksum.js';
import { targetLabel, type PartitionMap, type PartitionTarget } from './types.js';

const INTEGER_TYPES = /^(tinyint|smallint|mediumint|int|integer|bigint)$/i;

/** The one integer key column range partitioning needs, or a refusal that says why and what would do. */
export function partitionKey(info: TableDefinition): { column: string; ordinal: number; type: string } {
  const key = info.key;
  const where = `${info.database}.${info.name}`;
  if (!key) throw new RefusedError(`${where} has no primary key or unique NOT NULL key: range partitioning needs one integer key column`);
  if (key.columns.length !== 1) throw new RefusedError(`${where}: its key (${key.columns.join(', ')}) has ${key.columns.length} columns; range partitioning needs a single integer key column`);
  const col = info.columns.find((c) => c.name === key.columns[0]);
  if (!col || !INTEGER_TYPES.test(col.dataType)) {
    throw new RefusedError(`${where}: key column ${key.columns[0]} is ${col?.columnType ?? 'unknown'}; range partitioning supports integer keys only`);
  }
  return { column: col.name, ordinal: info.columns.indexOf(col), type: col.columnType };
}

/** Exact row count and the key at each of `n - 1` equal-count boundaries. */
async function quantiles(conn: Connection, info: TableDefinition, key: string, n: number): Promise<{ total: number; bounds: string[] }> {
  const table = qualified(info.database, info.name);
  const k = quoteIdent(key);
  const [{ c }] = await queryRows(conn, `SELECT COUNT(*) AS c FROM ${table}`);
  const total = Number(c);
  const bounds: string[] = [];
  let prev: string | null = null;
  let prevOffset = 0;
  for (let i = 1; i < n; i++) {
    const offset = Math.round((i * total) / n);
    const step = offset - prevOffset;
    const rows: { k: string }[] = (await queryRows(
      conn,
      prev === null ? `SELECT ${k} AS k FROM ${table} ORDER BY ${k} LIMIT 1 OFFSET ${step}` : `SELECT ${k} AS k FROM ${table} WHERE ${k} >= ? ORDER BY ${k} LIMIT 1 OFFSET ${step}`,
      prev === null ? [] : [prev],
    )) as unknown as { k: string }[];
    if (!rows[0]) break;
    prev = String(rows[0].k);
    prevOffset = offset;
    bounds.push(prev);
  }
  return { total, bounds };
}

export interface PlanOptions {
  source: ServerSpec;
  database: string;
  table: string;
  targets: PartitionTarget[];
}

export async function planSplit(o: PlanOptions): Promise<PartitionMap> {
  if (o.targets.length < 2) throw new RefusedError('a split needs at least 2 targets');
  const labels = o.targets.map(targetLabel);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup) throw new RefusedError(`target ${dup} is given twice: each range needs its own database`);
  const conn = await connect(o.source);
  try {
    const info = await inspectTable(conn, o.database, o.table);
    const key = partitionKey(info);
    const { total, bounds } = await quantiles(conn, info, key.column, o.targets.length);
    if (bounds.length < o.targets.length - 1 || total < o.targets.length) {
      throw new RefusedError(`${o.database}.${o.table} has ${total} rows: too few for ${o.targets.length} ranges`);
    }
    const now = new Date().toISOString();
    const edges = [null, ...bounds, null];
    const widths: number[] = [];
    const rowBytes = hashShape(info).rowBytes;
    const k = quoteIdent(key.column);
    for (let i = 0; i < o.targets.length; i++) {
      const from = edges[i];
      const [r] = await queryRows(
        conn,
        `SELECT AVG(LENGTH(b)) AS w FROM (SELECT ${rowBytes} AS b FROM ${qualified(info.database, info.name)}${from === null ? '' : ` WHERE ${k} >= ?`} ORDER BY ${k} LIMIT 1000) s`,
        from === null ? [] : [from],
      );
      widths.push(Number(r.w ?? 0) || info.avgRowLength);
    }
    return {
      version: 1,
      source: { name: o.source.name, host: o.source.host, port: o.source.port, user: o.source.user, database: o.database },
      table: o.table,
      keyColumn: key.column,
      keyOrdinal: key.ordinal,
      keyType: key.type,
      ranges: o.targets.map((target, i) => {
        const rows = Math.round(((i + 1) * total) / o.targets.length) - Math.round((i * total) / o.targets.length);
        return { from: edges[i], to: edges[i + 1], target, rows, bytes: Math.round(rows * widths[i]) };
      }),
      state: 'planned',
      createdAt: now,
      updatedAt: now,
    };
  } finally {
    await closeQuietly(conn);
  }
}
