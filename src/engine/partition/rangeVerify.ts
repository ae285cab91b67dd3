/**
 * Verifies one range: COUNT and the verify engine's order-independent row hash (SUM of CRC32 over
 * each row's stored bytes, src/engine/verify/checksum.ts) over the key range on both sides, plus the
 * whole target table's count, so rows outside the range on the target also show as a difference.
 */
import type { Connection } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { rangeCondition } from '../db/keyset.js';
import { qualified } from '../db/sql.js';
import type { TableDefinition } from '../schema/inspector.js';
import { hashShape } from '../verify/checksum.js';
import type { TableKeyRange } from '../jobs/types.js';
import type { PartitionRange, RangeVerdict } from './types.js';

/** A map range as the copy engine's key range: `from` inclusive, `to` exclusive. */
export function keyRangeOf(r: Pick<PartitionRange, 'from' | 'to'>): TableKeyRange {
  return {
    lower: r.from === null ? null : { key: [r.from], inclusive: true },
    upper: r.to === null ? null : { key: [r.to], inclusive: false },
  };
}

async function countAndHash(conn: Connection, info: TableDefinition, database: string, range: TableKeyRange | null): Promise<{ rows: number; hash: string }> {
  const shape = hashShape(info);
  const cond = range ? rangeCondition(shape.keyColumns, range) : null;
  const sql = `SELECT COUNT(*) AS cnt, COALESCE(SUM(CRC32(${shape.rowBytes})), 0) AS h FROM ${qualified(database, info.name)}${cond ? ` WHERE ${cond.sql}` : ''}`;
  const [row] = await queryRows(conn, sql, cond?.values ?? []);
  return { rows: Number(row.cnt), hash: String(row.h) };
}

/**
 * `info` is the source table's definition (the target's was created from it). `targetWhole`: the
 * target table should hold only this range (a split's shard), so its full count must match too.
 */
export async function verifyRange(
  index: number,
  range: PartitionRange,
  info: TableDefinition,
  source: { conn: Connection; database: string },
  target: { conn: Connection; database: string },
  targetWhole: boolean,
): Promise<RangeVerdict> {
  const kr = keyRangeOf(range);
  const [s, t] = await Promise.all([countAndHash(source.conn, info, source.database, kr), countAndHash(target.conn, info, target.database, kr)]);
  let match = s.rows === t.rows && s.hash === t.hash;
  let targetRows = t.rows;
  if (targetWhole) {
    const all = await countAndHash(target.conn, info, target.database, null);
    targetRows = all.rows;
    match = match && all.rows === t.rows;
  }
  return { range: index, sourceRows: s.rows, targetRows, sourceHash: s.hash, targetHash: t.hash, match };
}
