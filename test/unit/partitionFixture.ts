import type { PartitionMap, PartitionTarget } from '../../src/engine/partition/index.js';

/**
 * A split map of shop.orders by `id` into three ranges (shard0 < 1000 <= shard1 < 2000 <= shard2, the
 * last on another port): the shape the partition and the Run SQL routing tests both read.
 */
export function partitionTarget(name: string, database: string, port: number): PartitionTarget {
  return { name, host: '10.0.0.1', port, user: 'app', database };
}

export function ordersMap(targetName: (database: string, port: number) => string, bytes: (rows: number) => number): PartitionMap {
  const t = (database: string, port = 3307) => partitionTarget(targetName(database, port), database, port);
  return {
    version: 1,
    source: { host: '10.0.0.9', port: 3306, user: 'app', database: 'shop' },
    table: 'orders',
    keyColumn: 'id',
    keyOrdinal: 0,
    keyType: 'bigint(20) unsigned',
    ranges: [
      { from: null, to: '1000', target: t('shard0'), rows: 999, bytes: bytes(999) },
      { from: '1000', to: '2000', target: t('shard1'), rows: 1000, bytes: bytes(1000) },
      { from: '2000', to: null, target: t('shard2', 3308), rows: 1001, bytes: bytes(1001) },
    ],
    state: 'split',
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
  };
}
