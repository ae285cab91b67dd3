/** Turns the copy command's options into a JobSpec, rejecting anything ambiguous. */
import type { IfExists, JobMode, JobSpec, WatermarkSpec, WriteMethod } from '../engine/jobs/index.js';
import { UsageError } from './exit-codes.js';
import { parseServerUrl } from './url.js';

export interface CopyOptions {
  from?: string;
  to?: string;
  tables?: string;
  all?: boolean;
  mode?: string;
  writers?: string;
  chunkTime?: string;
  maxLag?: string;
  maxLoad?: string;
  replica?: string[];
  sourceReplica?: string[];
  ifExists?: string;
  yes?: boolean;
  allowNoKey?: boolean;
  method?: string;
  maxChunkRows?: string;
  allowReplicaTarget?: boolean;
  retries?: string;
  heartbeat?: string;
  watermark?: string;
  watermarkSafety?: string;
  first?: string;
  syncThreshold?: string;
  apply?: string;
}

/** --watermark and --watermark-safety belong to --mode incremental, and it needs --watermark. */
function watermarkOf(mode: JobMode, o: CopyOptions): WatermarkSpec | undefined {
  const column = o.watermark?.trim();
  if (o.watermark !== undefined && !column) throw new UsageError('--watermark needs a column name');
  if (mode !== 'incremental') {
    if (column) throw new UsageError(`--watermark is for --mode incremental (this is --mode ${mode}): add --mode incremental, or drop --watermark`);
    if (o.watermarkSafety !== undefined) throw new UsageError('--watermark-safety is for --mode incremental --watermark COLUMN');
    return undefined;
  }
  if (!column) throw new UsageError('--mode incremental needs --watermark COLUMN (an auto-increment id, or a timestamp such as updated_at)');
  const safetySeconds = num(o.watermarkSafety, '--watermark-safety', 0, 31_536_000, false);
  return { column, ...(safetySeconds ? { safetySeconds } : {}) };
}

/** The copy command's --mode choices (a new mode adds itself here and in buildCopySpec's checks). */
export const COPY_MODES = ['full', 'incremental', 'hybrid'] as const satisfies readonly JobMode[];

function num(value: string | undefined, name: string, min: number, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got ${value}`);
  }
  return n;
}

export function parseTableList(text: string): string[] {
  const names = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  if (names.length === 0) throw new UsageError('--tables needs at least one table name');
  return names;
}

/** --first: tables of the job to copy before the others (checked against --tables; with --all the engine checks). */
export function parseFirst(text: string, tables: string[] | 'all'): string[] {
  const names = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  if (names.length === 0) throw new UsageError('--first needs at least one table name');
  if (tables !== 'all') {
    const unknown = names.filter((t) => !tables.includes(t));
    if (unknown.length) throw new UsageError(`--first names ${unknown.join(', ')}, not among the job's tables (${tables.join(', ')}): name only tables in --tables`);
  }
  return [...new Set(names)];
}

export function buildCopySpec(o: CopyOptions): JobSpec {
  if (!o.from) throw new UsageError('--from is required');
  if (!o.to) throw new UsageError('--to is required');
  if (o.all && o.tables) throw new UsageError('use either --tables or --all, not both');
  if (!o.all && !o.tables) throw new UsageError('choose what to copy: --tables a,b or --all');
  const mode = (o.mode ?? 'full') as JobMode;
  if (!(COPY_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode ${mode} is not supported (choose one of: ${COPY_MODES.join(', ')})`);
  if (mode !== 'hybrid' && o.first !== undefined) throw new UsageError('--first orders a hybrid job\'s snapshot: use it with --mode hybrid');
  if (mode !== 'hybrid' && o.syncThreshold !== undefined) throw new UsageError('--sync-threshold is for --mode hybrid');
  if (o.apply !== undefined && mode !== 'hybrid') throw new UsageError('--apply is for --mode hybrid (how its change stream reaches the target); for a finished copy, use it with rw-migrate sync');
  if (o.apply !== undefined && !['auto', 'binlog', 'sql'].includes(o.apply)) throw new UsageError('--apply must be auto, binlog or sql');
  const watermark = watermarkOf(mode, o);
  const tables = o.all ? 'all' : parseTableList(o.tables as string);
  const first = o.first !== undefined ? parseFirst(o.first, tables) : undefined;
  let ifExists = (o.ifExists ?? 'abort') as IfExists;
  if (mode === 'incremental') {
    if (ifExists === 'truncate') throw new UsageError('--mode incremental upserts into the target tables, it never empties them: drop --if-exists truncate');
    ifExists = 'upsert';
  }
  if (!['abort', 'truncate', 'upsert'].includes(ifExists)) throw new UsageError(`--if-exists must be abort, truncate or upsert`);
  if (ifExists === 'truncate' && !o.yes) {
    throw new UsageError('--if-exists truncate empties existing target tables: add --yes to confirm');
  }
  if (o.allowReplicaTarget && !o.yes) {
    throw new UsageError(
      '--allow-replica-target writes to a server that replicates from another (or has read_only set); changes reach replicas through their primary, ' +
        'and rows written there become errant transactions. Add --yes to confirm.',
    );
  }
  if (o.heartbeat !== undefined && !o.heartbeat.trim()) throw new UsageError('--heartbeat needs a database name (where the heartbeat table is, or is to be created on --to)');
  if (o.heartbeat && !(o.replica ?? []).length) throw new UsageError('--heartbeat is read on the --to server\'s replicas: add at least one --replica');
  const method = (o.method ?? 'load') as WriteMethod;
  if (method !== 'load' && method !== 'insert') throw new UsageError('--method must be load or insert');
  const from = parseServerUrl(o.from, '--from', true);
  const to = parseServerUrl(o.to, '--to', true);
  const replicas = (o.replica ?? []).map((r) => parseServerUrl(r, '--replica', false).server);
  const sourceReplicas = (o.sourceReplica ?? []).map((r) => parseServerUrl(r, '--source-replica', false).server);
  return {
    source: from.server,
    target: to.server,
    sourceDatabase: from.database as string,
    targetDatabase: to.database as string,
    tables,
    mode,
    ...(watermark ? { watermark } : {}),
    ...(first ? { first } : {}),
    ...(o.syncThreshold !== undefined ? { syncThresholdSeconds: num(o.syncThreshold, '--sync-threshold', 0.1, 3600, false) } : {}),
    ...(o.apply !== undefined ? { applyMethod: o.apply as 'auto' | 'binlog' | 'sql' } : {}),
    writers: num(o.writers, '--writers', 1, 16, true),
    chunkTimeSeconds: num(o.chunkTime, '--chunk-time', 0.01, 60, false),
    maxLagSeconds: num(o.maxLag, '--max-lag', 0, 3600, false),
    maxLoad: num(o.maxLoad, '--max-load', 1, 100000, true),
    maxChunkRows: num(o.maxChunkRows, '--max-chunk-rows', 1, 1_000_000, true),
    ...(o.retries !== undefined ? { retries: num(o.retries, '--retries', 0, 100, true) } : {}),
    replicas,
    sourceReplicas,
    ifExists,
    confirmTruncate: ifExists === 'truncate' ? true : undefined,
    allowNoKey: !!o.allowNoKey,
    ...(o.allowReplicaTarget ? { allowReplicaTarget: true } : {}),
    ...(o.heartbeat ? { heartbeat: { database: o.heartbeat.trim() } } : {}),
    method,
  };
}
