/**
 * Planner: decides what a job copies and refuses early, before anything is written to the target:
 * keyless tables, schema differences, non-empty targets.
 */
import type { Connection } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import { databaseExists, inspectTable, listBaseTables, noKeyMessage, tableExists, type TableDefinition } from '../schema/inspector.js';
import { serverLabel } from '../db/connection.js';
import { parseMembers } from '../db/sql.js';
import { compareTables, isEmpty } from '../schema/schema.js';
import type { JobSpec } from '../jobs/types.js';

export interface TablePlan {
  source: TableDefinition;
  /** Target table exists already (and matches). */
  exists: boolean;
  /** Target table has rows and ifExists = truncate: empty it before copying (new jobs only). */
  truncate: boolean;
}

export async function resolveTables(source: Connection, spec: JobSpec): Promise<string[]> {
  const db = spec.sourceDatabase;
  if (!(await databaseExists(source, db))) {
    const reason = `source database ${db} does not exist on ${serverLabel(spec.source)} (check the name in --from / the source database; names are case-sensitive on most servers)`;
    throw new RefusedError(`refused: ${reason}`, [reason]);
  }
  const all = await listBaseTables(source, db);
  if (spec.tables === 'all' && all.length === 0) {
    const reason = `source database ${db} on ${serverLabel(spec.source)} has no tables: nothing to copy`;
    throw new RefusedError(`refused: ${reason}`, [reason]);
  }
  if (spec.tables !== 'all') {
    const missing = spec.tables.filter((t) => !all.includes(t));
    if (missing.length) {
      throw new RefusedError(`tables not found in ${spec.sourceDatabase}: ${missing.join(', ')}`, missing.map((t) => `${t}: not found`));
    }
  }
  return firstTablesFirst(spec.tables === 'all' ? all : [...new Set(spec.tables)], spec.first);
}

/** The job's tables with `first` (a hybrid job's tables to copy before the others) in front, in its order. */
export function firstTablesFirst(tables: string[], first: string[] | undefined): string[] {
  if (!first || first.length === 0) return tables;
  const unknown = first.filter((t) => !tables.includes(t));
  if (unknown.length) {
    const reason = `first table(s) ${unknown.join(', ')} are not among the job's tables (${tables.join(', ')}). Fix: name only tables the job copies in --first.`;
    throw new RefusedError(`refused: ${reason}`, [reason]);
  }
  const head = [...new Set(first)];
  return [...head, ...tables.filter((t) => !head.includes(t))];
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
    if (!exists) refusals.push(...unrecreatable(info));
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

/**
 * MariaDB 10.11 prints table metadata in utf8mb3: an ENUM/SET member with a 4-byte character (an
 * emoji) reads as '?' in SHOW CREATE TABLE and information_schema alike, so a table created from that
 * text would reject those values. A '?' in a utf8mb4 member is taken as such a loss.
 */
export function unrecreatable(info: TableDefinition): string[] {
  return info.columns
    .filter((c) => /^(enum|set)$/i.test(c.dataType) && /^utf8mb4$/i.test(c.charset ?? '') && parseMembers(c.columnType).some((m) => m.includes('?')))
    .map(
      (c) =>
        `${info.database}.${info.name}.${c.name}: ${c.dataType.toUpperCase()} member with '?' (a 4-byte character such as an emoji prints as '?' in MariaDB's metadata, ` +
        'so the table cannot be created from its definition); create the target table yourself with the exact definition, then copy into it',
    );
}
