/**
 * Which stored job a new `copy --mode incremental` continues: one with the same source server and
 * database, target database, tables and watermark column. Pure.
 */
import type { JobSpec } from '../jobs/types.js';

function tablesKey(t: JobSpec['tables']): string {
  return t === 'all' ? '*all*' : JSON.stringify([...new Set(t)].sort());
}

export function sameIncrementalJob(stored: JobSpec, wanted: JobSpec): boolean {
  return (
    stored.mode === 'incremental' &&
    wanted.mode === 'incremental' &&
    stored.source.host === wanted.source.host &&
    stored.source.port === wanted.source.port &&
    stored.sourceDatabase === wanted.sourceDatabase &&
    stored.targetDatabase === wanted.targetDatabase &&
    tablesKey(stored.tables) === tablesKey(wanted.tables) &&
    stored.watermark?.column === wanted.watermark?.column
  );
}
