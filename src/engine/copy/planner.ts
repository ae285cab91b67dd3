/**
 * Planner: decides what a job copies and refuses early, before anything is written to the target:
 * keyless tables, schema differences, non-empty targets.
 */
import type { Connection } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import { inspectTable, listTables, noKeyMessage, tableExists, type TableInfo } from '../schema/inspector.js';
import { compareTables, isEmpty } from '../schema/schema.js';
import type { JobSpec } from '../jobs/types.js';

export interface TablePlan {
  source: TableInfo;
  /** Target table exists already (and matches). */
  exists: boolean;
  /** Target table has rows and ifExists = truncate: empty it before copying (new jobs only). */
  truncate: boolean;
}

export async function resolveTables(source: Connection, spec: JobSpec): Promise<string[]> {
  const all = await listTables(source, spec.sourceDatabase);
  if (spec.tables === 'all') return all;
  const missing = spec.tables.filter((t) => !all.includes(t));
  if (missing.length) {
    throw new RefusedError(`tables not found in ${spec.sourceDatabase}: ${missing.join(', ')}`, missing.map((t) => `${t}: not found`));
  }
  return [...new Set(spec.tables)];
}

export async function planTables(
  source: Connection,
  target: Connection,
  spec: JobSpec,
  tables: string[],
  isNewJob: boolean,
): Promise<TablePlan[]> {
  const plans: TablePlan[] = [];
  const refusals: string[] = [];
  for (const name of tables) {
    const info = await inspectTable(source, spec.sourceDatabase, name);
    if (!info.key && !spec.allowNoKey) refusals.push(noKeyMessage(spec.sourceDatabase, name));
    if (!info.key && spec.ranges?.[name]) refusals.push(`${spec.sourceDatabase}.${name}: a key range needs a key to filter on`);
    let exists = false;
    let truncate = false;
    if (await tableExists(target, spec.targetDatabase, name)) {
      exists = true;
      const diffs = compareTables(info, await inspectTable(target, spec.targetDatabase, name));
      refusals.push(...diffs);
      if (diffs.length === 0 && isNewJob && !(await isEmpty(target, spec.targetDatabase, name))) {
        const mode = spec.ifExists ?? 'abort';
        if (mode === 'abort') {
          refusals.push(`${spec.targetDatabase}.${name} on the target is not empty (choose truncate or upsert to copy into it)`);
        } else if (mode === 'truncate' && !spec.confirmTruncate) {
          refusals.push(`${spec.targetDatabase}.${name} would be truncated: confirm truncation (CLI: --yes)`);
        } else if (mode === 'truncate') truncate = true;
      }
    }
    plans.push({ source: info, exists, truncate });
  }
  for (const name of Object.keys(spec.ranges ?? {})) {
    if (!tables.includes(name)) refusals.push(`key range given for ${name}, which this job does not copy`);
  }
  if (refusals.length) {
    throw new RefusedError(`refused: ${refusals.length} problem${refusals.length > 1 ? 's' : ''}\n  ${refusals.join('\n  ')}`, refusals);
  }
  return plans;
}
