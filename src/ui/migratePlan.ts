/**
 * The pure half of the Migrate/Verify flows: choices in, a JobSpec and the exact confirmation text
 * out; validation of typed numbers; remembered options read back safely. No vscode here, so every
 * rule a user sees in a dialog is unit-tested.
 */
import { portOf, serverLabel, userOf, type ServerSetting } from '../engine/topology/profileModel.js';
import type { IfExists, JobMode, JobSpec, ServerSpec, WatermarkSpec } from '../engine/jobs/types.js';
import type { ColumnSummary, ServerSummary } from '../engine/topology/types.js';

export type { ProfileSetting, ServerSetting } from '../engine/topology/profileModel.js';

/** The engine's checkpoint schema on the target (src/engine/jobs/checkpoint.ts CHECKPOINT_DB; not imported: it pulls in the driver). */
export const CHECKPOINT_SCHEMA = 'rw_migrate';

export type Strategy = JobMode;

export interface StrategyInfo {
  id: Strategy;
  label: string;
  detail: string;
}

/** The strategies the Migrate flows offer, each with the one line that tells them apart. */
export const STRATEGIES: readonly StrategyInfo[] = [
  { id: 'full', label: 'Full copy', detail: 'Consistent snapshot of the source, copied in key-ordered chunks; throttled by replica lag.' },
  {
    id: 'incremental',
    label: 'Incremental',
    detail: 'Copies the rows above a stored mark on a column you pick (an auto-increment id or updated_at), upserted; each sync copies the next increment.',
  },
  {
    id: 'hybrid',
    label: 'Hybrid: copy, then follow changes until cut-over',
    detail: 'A snapshot copy, then the source\'s binlog applied until the target is in sync; you cut over when ready (writes are blocked on the source then).',
  },
];

// same text as the engine's
const WATERMARK_LIMIT = 'sees neither deletes nor updates that leave COLUMN alone';

/** The incremental strategy's limit for one column: "sees neither deletes nor updates that leave updated_at alone". */
export function watermarkLimit(column: string): string {
  return WATERMARK_LIMIT.replace('COLUMN', column);
}

const TEMPORAL = new Set(['date', 'datetime', 'timestamp']);
const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric']);

/** A column whose values mark time (a safety window applies to it). */
export function isTemporal(dataType: string): boolean {
  return TEMPORAL.has(dataType.toLowerCase());
}

/** One choice of the watermark pick: a column every chosen table has, with a type that can rise. */
export interface WatermarkCandidate {
  column: string;
  label: string;
  description: string;
  detail: string;
  temporal: boolean;
}

/**
 * The columns an incremental copy can use as its watermark: present in every chosen table with a
 * numeric or temporal type there. Auto-increment and temporal columns first (the usual marks), then
 * indexed ones, then the rest in table order.
 */
export function watermarkCandidates(columns: readonly ColumnSummary[], tables: readonly string[]): WatermarkCandidate[] {
  const wanted = new Set(tables);
  const byName = new Map<string, ColumnSummary[]>();
  for (const c of columns) {
    if (!wanted.has(c.table) || (!NUMERIC.has(c.dataType) && !TEMPORAL.has(c.dataType))) continue;
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  }
  const out: (WatermarkCandidate & { rank: number; order: number })[] = [];
  let order = 0;
  for (const [name, found] of byName) {
    const seen = new Set(found.map((c) => c.table));
    if ([...wanted].some((t) => !seen.has(t))) continue;
    const types = [...new Set(found.map((c) => c.columnType))];
    const temporal = found.every((c) => TEMPORAL.has(c.dataType));
    const autoIncrement = found.every((c) => c.autoIncrement);
    const unindexed = found.filter((c) => !c.indexed).map((c) => c.table);
    const facts = [types.join(' / '), ...(autoIncrement ? ['auto-increment'] : []), ...(found.some((c) => c.nullable) ? ['nullable'] : [])];
    if (tables.length > 1) facts.push(`in all ${tables.length} tables`);
    const detail = [
      `Copies rows whose ${name} is above the stored mark; ${watermarkLimit(name)}.`,
      ...(unindexed.length ? [`Not indexed in ${unindexed.join(', ')}: each run reads the whole table.`] : []),
    ].join(' ');
    out.push({ column: name, label: name, description: facts.join(' · '), detail, temporal, rank: autoIncrement || temporal ? 0 : unindexed.length === 0 ? 1 : 2, order: order++ });
  }
  return out.sort((a, b) => a.rank - b.rank || a.order - b.order).map(({ rank: _rank, order: _order, ...c }) => c);
}

/** The safety window of a temporal watermark, seconds: 0 (none) up to a day. */
export const SAFETY_RULE: NumberRule = { min: 0, max: 86_400, integer: true };

export interface MigrateOptions {
  chunkTimeSeconds: number;
  writers: number;
  maxLagSeconds: number;
  ifExists: IfExists;
}

export const DEFAULT_OPTIONS: MigrateOptions = { chunkTimeSeconds: 0.5, writers: 4, maxLagSeconds: 1, ifExists: 'abort' };

export const IF_EXISTS_TEXT: Record<IfExists, string> = {
  abort: 'abort: stop before writing if a target table already has rows',
  truncate: 'truncate: DELETE ALL ROWS of each target table first',
  upsert: 'upsert: replace rows with the same key, keep the others',
};

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}

export const OPTION_RULES: Record<'chunkTimeSeconds' | 'writers' | 'maxLagSeconds', NumberRule> = {
  chunkTimeSeconds: { min: 0.05, max: 30 },
  writers: { min: 1, max: 32, integer: true },
  maxLagSeconds: { min: 0.1, max: 3600 },
};

/** For showInputBox's validateInput: an error message, or undefined when the text is fine. */
export function validateNumber(text: string, rule: NumberRule): string | undefined {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) return 'Enter a number.';
  if (rule.integer && !Number.isInteger(value)) return 'Enter a whole number.';
  if (value < rule.min || value > rule.max) return `Enter a number from ${rule.min} to ${rule.max}.`;
  return undefined;
}

function pickNumber(value: unknown, rule: NumberRule, fallback: number): number {
  return typeof value === 'number' && validateNumber(String(value), rule) === undefined ? value : fallback;
}

/** Reads options remembered in workspaceState; anything missing or malformed falls back to the defaults. */
export function readOptions(stored: unknown): MigrateOptions {
  const o = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const ifExists = o.ifExists === 'abort' || o.ifExists === 'truncate' || o.ifExists === 'upsert' ? o.ifExists : DEFAULT_OPTIONS.ifExists;
  return {
    chunkTimeSeconds: pickNumber(o.chunkTimeSeconds, OPTION_RULES.chunkTimeSeconds, DEFAULT_OPTIONS.chunkTimeSeconds),
    writers: pickNumber(o.writers, OPTION_RULES.writers, DEFAULT_OPTIONS.writers),
    maxLagSeconds: pickNumber(o.maxLagSeconds, OPTION_RULES.maxLagSeconds, DEFAULT_OPTIONS.maxLagSeconds),
    // A remembered truncate is never a default: destroying rows is chosen fresh each time.
    ifExists: ifExists === 'truncate' ? 'abort' : ifExists,
  };
}

export function describeOptions(o: MigrateOptions): string {
  return `chunks of ${o.chunkTimeSeconds} s · ${o.writers} writer${o.writers === 1 ? '' : 's'} · wait when lag > ${o.maxLagSeconds} s · non-empty tables: ${o.ifExists}`;
}

export function serverKey(s: { host: string; port?: number }): string {
  return `${s.host}:${s.port ?? 3306}`;
}

/** A ServerSpec (without password or TLS: the host side adds those) for one server of a profile. */
export function serverSpec(server: ServerSetting, label?: string): ServerSpec {
  return { host: server.host, port: portOf(server), user: userOf(server), name: label ?? serverLabel(server) };
}

export interface MigrateChoices {
  source: ServerSpec;
  sourceDatabase: string;
  tables: string[] | 'all';
  target: ServerSpec;
  targetDatabase: string;
  /** Replicas of the target profile, watched for lag. */
  targetReplicas: ServerSpec[];
  strategy: Strategy;
  options: MigrateOptions;
  /** Given only after the separate truncate confirmation. */
  confirmTruncate?: boolean;
  /** The target profile's heartbeat (Set Up Heartbeat): the copy throttles its replicas on it. */
  heartbeat?: { database: string };
  /** incremental: the column and its safety window. */
  watermark?: WatermarkSpec;
  /** hybrid: tables copied before the others. */
  first?: string[];
}

/** Why these choices must not run, or undefined. */
export function checkChoices(
  c: Pick<MigrateChoices, 'source' | 'sourceDatabase' | 'target' | 'targetDatabase' | 'tables'> & Partial<Pick<MigrateChoices, 'strategy' | 'watermark'>>,
): string | undefined {
  if (Array.isArray(c.tables) && c.tables.length === 0) return 'No table was chosen.';
  if (c.strategy === 'incremental' && !c.watermark?.column.trim()) return 'The incremental strategy needs a watermark column (an auto-increment id or a timestamp such as updated_at).';
  if (!c.targetDatabase.trim()) return 'The target database name is empty.';
  if (serverKey(c.source) === serverKey(c.target) && c.sourceDatabase === c.targetDatabase) {
    return `The source and the target are the same: ${serverKey(c.source)}, database ${c.sourceDatabase}. Pick another target profile or database name.`;
  }
  return undefined;
}

export function buildJobSpec(c: MigrateChoices): JobSpec {
  return {
    source: c.source,
    target: c.target,
    sourceDatabase: c.sourceDatabase,
    targetDatabase: c.targetDatabase.trim(),
    tables: c.tables,
    mode: c.strategy,
    writers: c.options.writers,
    chunkTimeSeconds: c.options.chunkTimeSeconds,
    maxLagSeconds: c.options.maxLagSeconds,
    ifExists: c.options.ifExists,
    ...(c.targetReplicas.length ? { replicas: c.targetReplicas } : {}),
    ...(c.targetReplicas.length && c.heartbeat ? { heartbeat: { database: c.heartbeat.database } } : {}),
    ...(c.options.ifExists === 'truncate' ? { confirmTruncate: c.confirmTruncate === true } : {}),
    ...(c.strategy === 'incremental' && c.watermark
      ? { watermark: { column: c.watermark.column, ...(c.watermark.safetySeconds ? { safetySeconds: c.watermark.safetySeconds } : {}) } }
      : {}),
    ...(c.strategy === 'hybrid' && c.first?.length ? { first: [...c.first] } : {}),
  };
}

/** The confirmation's line on the strategy: what this mode does beyond copying rows. */
export function strategyText(spec: JobSpec): string {
  switch (spec.mode) {
    case 'incremental': {
      const column = spec.watermark?.column ?? '?';
      const safety = spec.watermark?.safetySeconds ? ` Rows whose ${column} is within ${spec.watermark.safetySeconds} s of the source's clock are copied but not passed by the mark.` : '';
      return `Strategy: incremental on ${column}: copies the rows whose ${column} is above the stored mark (all rows the first time) and upserts them; it ${watermarkLimit(column)}.${safety}`;
    }
    case 'hybrid':
      return `Strategy: hybrid: a snapshot copy${spec.first?.length ? ` (${spec.first.join(', ')} first)` : ''}, then the source's binlog changes applied until you cut over. The cut-over, only when you ask for it, blocks writes on ${serverKey(spec.source)}.`;
    default:
      return 'Strategy: full copy from one consistent snapshot.';
  }
}

function tableList(tables: string[] | 'all', database: string): string {
  if (tables === 'all') return `every table of ${database}`;
  const shown = tables.slice(0, 12).join(', ');
  return tables.length > 12 ? `${tables.length} tables: ${shown}, …` : `${tables.length === 1 ? 'table' : `${tables.length} tables:`} ${shown}`;
}

/** The modal's message and detail: exactly what will be written where. */
export function confirmationText(spec: JobSpec): { message: string; detail: string } {
  const target = `${serverKey(spec.target)}`;
  const message = `Write to ${target}, database ${spec.targetDatabase}?`;
  const detail = [
    `Writes ${tableList(spec.tables, spec.sourceDatabase)} to server ${target}${spec.target.name && spec.target.name !== target ? ` (${spec.target.name})` : ''}, database ${spec.targetDatabase} (created if missing).`,
    `Also records progress in the ${CHECKPOINT_SCHEMA} schema on ${target}.`,
    `Reads from ${serverKey(spec.source)}, database ${spec.sourceDatabase}; nothing is written there${spec.mode === 'hybrid' ? ' until you ask for the cut-over' : ''}.`,
    `Non-empty target tables: ${IF_EXISTS_TEXT[spec.ifExists ?? 'abort']}.`,
    strategyText(spec),
    `Copy: ${spec.writers ?? DEFAULT_OPTIONS.writers} writers, chunks of ${spec.chunkTimeSeconds ?? DEFAULT_OPTIONS.chunkTimeSeconds} s, ${spec.replicas?.length ? `waits while replica lag > ${spec.maxLagSeconds ?? DEFAULT_OPTIONS.maxLagSeconds} s (watching ${spec.replicas.map((r) => r.name ?? serverKey(r)).join(', ')}${spec.heartbeat ? `, by the heartbeat in ${spec.heartbeat.database}.heartbeat, written on ${target}` : ''})` : 'no target replicas to watch for lag'}.`,
  ].join('\n');
  return { message, detail };
}

/** The second, separate confirmation truncate needs. */
export function truncateText(spec: JobSpec): { message: string; detail: string } {
  return {
    message: `Delete all rows of the target tables on ${serverKey(spec.target)}, database ${spec.targetDatabase}?`,
    detail: `Truncate empties ${tableList(spec.tables, spec.sourceDatabase)} on ${serverKey(spec.target)} in database ${spec.targetDatabase} before copying. The deleted rows cannot be recovered by RW Migrate.`,
  };
}

/**
 * The warning shown before writing to a target that replicates from another server or has read_only
 * set (the engine refuses such a target unless the spec says the user confirmed); null when the
 * target is neither. The wording matches the engine's refusal (src/engine/copy/targetGuard.ts).
 */
export function replicaTargetText(spec: JobSpec, summary: ServerSummary): { message: string; detail: string } | null {
  const target = serverKey(spec.target);
  const why = [
    ...summary.replication.map((c) => `It replicates from ${c.sourceHost}:${c.sourcePort}${c.channel ? ` (channel ${c.channel})` : ''}.`),
    ...(summary.facts.readOnly ? ['It has read_only set; an account with SUPER or READ_ONLY ADMIN writes to it anyway.'] : []),
  ];
  if (why.length === 0) return null;
  return {
    message: `${target} is a replica. Write to it anyway?`,
    detail: [
      ...why,
      'Changes reach replicas through their primary: rows written here become errant transactions that break replication later. Copy to the primary instead, unless this server is being promoted.',
    ].join('\n'),
  };
}
