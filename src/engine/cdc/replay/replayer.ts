/**
 * Replays a batch's Rows events on the target as `BINLOG '<base64>'` statements: the server's own
 * row applier (the code a replica's SQL thread runs, reached from a client as `mariadb-binlog |
 * mariadb` reaches it) instead of SQL text the target must parse. In a benchmark it cost the target
 * 20-25% less CPU than our SQL for the same rows (docs/benchmarks.md), and our side builds no text.
 *
 * Which runs replay (`chooseApply`): MariaDB to MariaDB only (the BINLOG statement's privilege and
 * behaviour were measured on MariaDB 10.11 here; MySQL's were not, so a MySQL side applies by SQL),
 * every job table with the same columns on both sides (a Rows event maps columns by position and
 * type; generated ones with the same expression), and an account that may run BINLOG (BINLOG REPLAY or SUPER).
 *
 * A batch is replayed whole or not at all, in binlog order (each BINLOG statement with the
 * Table_maps its Rows events need), only where every event's rows were counted and the batch ends
 * at a statement's end. Anything else, or a batch the
 * server refuses because the target's rows differ from what the events expect (a duplicate key, a
 * row not found: rows copied after the snapshot, as on a resumed copy), is applied by the SQL path
 * instead, which converges there (applier.ts).
 */
import { RefusedError } from '../../db/errors.js';
import type { TableDefinition } from '../../schema/inspector.js';
import type { RawRowsEvent } from '../types.js';
import { endsStatement } from './rawEvents.js';

export type ApplyMethod = 'auto' | 'binlog' | 'sql';

/** Errors of a replayed batch the SQL path is applied for instead (the batch was rolled back). */
const REFUSED_ROWS = new Set([
  1062, // duplicate key: the row is already there (or another row holds a unique value: SQL names it)
  1032, // ER_KEY_NOT_FOUND: an update's or delete's row is not there
  1020, // ER_CHECKREAD: the row changed since it was read
  1451, // a foreign key the source's order satisfied and the target's rows do not
  1452,
  1677, // ER_SLAVE_CONVERSION_FAILED: a column's type differs
  1535, // ER_BINLOG_ROW_WRONG_TABLE_DEF
]);
/** Not allowed to run BINLOG: the rest of the run applies by SQL. */
export const NO_BINLOG_PRIVILEGE = 1227;

export function refusedRows(err: unknown): boolean {
  return REFUSED_ROWS.has((err as { errno?: number }).errno ?? 0);
}

/** Why the job's tables cannot be replayed (null: they can), naming the first table that differs. */
export function definitionsDiffer(source: TableDefinition[], target: TableDefinition[]): string | null {
  const byName = new Map(target.map((t) => [t.name, t]));
  for (const s of source) {
    const t = byName.get(s.name);
    if (!t) return `table ${s.name} is missing on the target`;
    if (s.columns.length !== t.columns.length) return `table ${s.name} has ${s.columns.length} columns on the source and ${t.columns.length} on the target`;
    for (let i = 0; i < s.columns.length; i++) {
      const a = s.columns[i];
      const b = t.columns[i];
      // A generated column is replayed as a replica does it (the same expression on both sides).
      const sa = `${a.name} ${a.columnType} ${a.charset ?? ''} ${a.collation ?? ''} ${a.generated ? `AS ${a.generationExpression}` : ''}`;
      const sb = `${b.name} ${b.columnType} ${b.charset ?? ''} ${b.collation ?? ''} ${b.generated ? `AS ${b.generationExpression}` : ''}`;
      if (sa.toLowerCase() !== sb.toLowerCase()) return `table ${s.name}'s column ${i + 1} is \`${a.name}\` ${a.columnType} on the source and \`${b.name}\` ${b.columnType} on the target`;
    }
  }
  return null;
}

export interface ApplyChoice {
  replay: boolean;
  /** Why the SQL path applies (when `replay` is false and binlog was possible to ask for). */
  reason?: string;
}

export interface ApplyFacts {
  sourceFlavor: 'mariadb' | 'mysql' | string;
  targetIsMariaDb: boolean;
  /** null when the account may run BINLOG; else what the server said. */
  privilegeProblem: string | null;
  /** A target setting under which replayed rows would not be what the SQL path writes, or null. */
  settingProblem: string | null;
  definitions: string | null;
}

/** Whether a run replays, from what was found; `binlog` asked and impossible throws, naming why and the fix. */
export function chooseApply(method: ApplyMethod, facts: ApplyFacts): ApplyChoice {
  if (method === 'sql') return { replay: false };
  let reason: string | null = null;
  if (facts.sourceFlavor !== 'mariadb' || !facts.targetIsMariaDb) reason = 'BINLOG replay is used between MariaDB servers only (MySQL was not measured)';
  else if (facts.definitions) reason = `${facts.definitions}; a replayed row maps columns by position and type`;
  else if (facts.settingProblem) reason = facts.settingProblem;
  else if (facts.privilegeProblem) reason = `the target account may not run BINLOG statements (${facts.privilegeProblem}); GRANT BINLOG REPLAY ON *.* to it`;
  if (!reason) return { replay: true };
  if (method === 'binlog') throw new RefusedError(`--apply binlog: ${reason}. Nothing was applied. Use --apply sql (or auto) to apply by SQL statements.`);
  return { replay: false, reason };
}

/**
 * The BINLOG statements for a batch, each about `groupBytes` of text at most, in binlog order; null
 * when the batch cannot be replayed (rows that could not be counted, a batch not ending at a
 * statement's end, or one event larger than `maxBytes`).
 *
 * Every statement carries the Table_map of each table its Rows events touch: the server keeps no
 * table map from one BINLOG statement to the next, and silently applies nothing for a Rows event
 * whose table is not mapped in its own statement (measured on MariaDB 10.11: 2,160 of 3,000 rows
 * missing, no error). A source statement larger than the group is cut between Rows events, each
 * part with its Table_maps again; the server ends the statement at the flagged last event as ever.
 */
export function binlogStatements(raw: RawRowsEvent[], groupBytes: number, maxBytes: number): string[] | null {
  if (raw.length === 0 || !endsStatement(raw[raw.length - 1].rows)) return null;
  for (const e of raw) if (e.rowCount === null) return null;
  // base64 text is 4/3 of the bytes; the statement's own words are a few more.
  const maxEventBytes = Math.floor((maxBytes - 16) * 0.75);
  const groupEventBytes = Math.floor((groupBytes - 16) * 0.75);
  const out: string[] = [];
  let fde = raw[0].fde;
  out.push(binlog([fde]));
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  /** Tables mapped in this chunk since the last statement end (the server forgets them at a statement's end). */
  let mapped = new Set<number>();
  const cut = () => {
    if (chunk.length > 0) out.push(binlog(chunk));
    chunk = [];
    chunkBytes = 0;
    mapped = new Set();
  };
  for (const e of raw) {
    if (e.fde !== fde && !e.fde.equals(fde)) {
      // A new binlog file's format (a rotate within the batch): read the rest under it.
      cut();
      fde = e.fde;
      out.push(binlog([fde]));
    }
    if (e.tableMap.length + e.rows.length > maxEventBytes) return null;
    const mapBytes = mapped.has(e.tableId) ? 0 : e.tableMap.length;
    if (chunk.length > 0 && chunkBytes + mapBytes + e.rows.length > groupEventBytes) cut();
    if (!mapped.has(e.tableId)) {
      mapped.add(e.tableId);
      chunk.push(e.tableMap);
      chunkBytes += e.tableMap.length;
    }
    chunk.push(e.rows);
    chunkBytes += e.rows.length;
    if (endsStatement(e.rows)) mapped = new Set();
  }
  cut();
  return out;
}

function binlog(events: Buffer[]): string {
  return `BINLOG '${Buffer.concat(events).toString('base64')}'`;
}

/** The job log's line on how this run applies. */
export function applyLine(applier: { replays: boolean; applyNote: string | null }): string {
  if (applier.replays) return "applying the source's row events as BINLOG statements (the target's own row applier); a batch the target refuses is applied by SQL";
  return applier.applyNote ? `applying by SQL statements: ${applier.applyNote}` : 'applying by SQL statements (--apply sql)';
}
