/**
 * Applies row changes to the target in batches, each batch one transaction that also stores the
 * stream position (positionStore.ts): exactly once across kills and restarts.
 *
 * A batch is reduced to its net effect per key: for every key a change touched (the before key of
 * an update or delete, the after key of an insert or update), the row's last image in the batch, or
 * nothing if it was deleted last. The batch deletes every touched key, then inserts the last images.
 * That is what applying the changes one by one gives, and it is idempotent, so replaying from the
 * first snapshot's position converges even where rows were copied later (an insert of a row already
 * there, an update of an already-updated row, a delete of a deleted row change nothing).
 *
 * A plain INSERT (not REPLACE, not IGNORE) writes the images: after the deletes, a duplicate-key
 * error can only come from another unique key, i.e. a different row on the target holds that
 * value. REPLACE would silently delete that row and IGNORE would silently drop this one (gh-ost
 * #1633), so the batch rolls back and the sync stops naming the table and the key.
 *
 * Where the run replays (replay/replayer.ts), a batch goes as the source's own Rows events in
 * BINLOG statements (`replay`), in the same transaction shape; a batch the server refuses there is
 * rolled back, read again decoded and applied by SQL as above (follower.ts).
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect, queryRows } from '../db/connection.js';
import { qualified, quoteIdent, quoteList } from '../db/sql.js';
import type { ServerSpec } from '../db/server.js';
import type { TableDefinition } from '../schema/inspector.js';
import { UniqueConflictError } from './errors.js';
import { savePositionSql } from './positionStore.js';
import { literalWriter, type ColumnShape } from './values.js';
import { reduceChanges, type NetRow } from './netEffect.js';
import { binlogStatements, chooseApply, definitionsDiffer, NO_BINLOG_PRIVILEGE, refusedRows, type ApplyMethod } from './replay/replayer.js';
import { binlogPrivilegeProblem, replaySettingProblem, rowAnnotations, SESSION } from './applierSession.js';
import type { BinlogPosition, CellValue, RawRowsEvent, RowChange, RowImage } from './types.js';

/**
 * Size bounds of one statement and of one query (several statements), in UTF-16 units: a quarter of
 * the server's max_allowed_packet at most, so even text at 3 UTF-8 bytes per unit fits.
 */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const QUERY_BYTES = 1024 * 1024;
const MAX_KEYS_PER_DELETE = 1_000;
/** Rows per INSERT (5,000 and 1 MB queries were a little faster than 1,000 and 256 KB in A/B runs). */
const MAX_ROWS_PER_INSERT = 5_000;

interface TableTarget {
  name: string;
  /** Target columns written (generated columns excluded), each with its literal writer. */
  columns: ColumnShape[];
  literals: ((v: CellValue) => string)[];
  key: ColumnShape[];
  keyLiterals: ((v: CellValue) => string)[];
  keyName: string;
  /**
   * The key is the table's only unique index: a duplicate can then only be the row itself, so the
   * last images are written with INSERT ... ON DUPLICATE KEY UPDATE (an update in place, no delete),
   * and only keys whose last change was a delete are deleted. About half the server work.
   */
  upsert: boolean;
  /** `INSERT INTO t (cols) VALUES ` (or INSERT IGNORE for a key-only upsert table) and its ODKU tail. */
  insertHead: string;
  insertTail: string;
}

export interface ApplyStats {
  events: number;
  deletes: number;
  inserts: number;
}

export interface ApplyOptions {
  /** auto (default): replay where chooseApply allows; binlog: replay or refuse; sql: never replay. */
  method?: ApplyMethod;
  /** The job tables' definitions on the source (replay needs them equal to the target's). */
  sourceTables?: TableDefinition[];
  sourceFlavor?: string;
}

/** One statement of a batch and how its failure reads. */
interface Statement {
  sql: string;
  table?: TableTarget;
}

/**
 * RW_MIGRATE_CDCTRACE=1: where an apply's time goes, as one JSON line on stderr at close (for the
 * benchmark and tuning; off by default). serverMs: a query was in flight on the target;
 * applyMs: inside apply (serverMs plus reducing and building text while nothing was in flight);
 * outsideApplyMs: between batches (waiting for the stream, reading its items).
 */
interface ApplyTrace {
  batches: number;
  queries: number;
  /** Batches applied by BINLOG statements, and batches the server refused there (then applied by SQL). */
  replayed: number;
  fallbacks: number;
  serverMs: number;
  applyMs: number;
  openedAt: number;
}

export class ChangeApplier {
  private readonly tables = new Map<string, TableTarget>();
  private readonly statementBytes: number;
  private readonly queryBytes: number;
  /** Batches go as BINLOG statements first (replay/replayer.ts). */
  replays = false;
  /** Why a run that could have replayed applies by SQL (for the job's log), else null. */
  applyNote: string | null = null;
  private readonly trace: ApplyTrace | null = process.env.RW_MIGRATE_CDCTRACE
    ? { batches: 0, queries: 0, replayed: 0, fallbacks: 0, serverMs: 0, applyMs: 0, openedAt: performance.now() }
    : null;

  private constructor(
    private readonly conn: Connection,
    private readonly database: string,
    private readonly jobId: string,
    targetTables: TableDefinition[],
    maxAllowedPacket: number,
    /** Several statements per query (see rowAnnotations). */
    private readonly packed: boolean,
  ) {
    this.statementBytes = Math.max(64 * 1024, Math.min(MAX_STATEMENT_BYTES, Math.floor(maxAllowedPacket / 4)));
    this.queryBytes = Math.min(QUERY_BYTES, this.statementBytes);
    for (const t of targetTables) {
      if (!t.key) throw new Error(`target table ${t.database}.${t.name} has no primary key or NOT NULL unique key to apply changes by`);
      const byName = new Map(t.columns.map((c) => [c.name, c]));
      const columns = t.columns.filter((c) => !c.generated).map((c) => ({ name: c.name, dataType: c.dataType.toLowerCase() }));
      const key = t.key.columns.map((k) => ({ name: k, dataType: (byName.get(k)?.dataType ?? '').toLowerCase() }));
      const upsert = t.indexes.filter((i) => i.unique).length === 1;
      const keyNames = new Set(key.map((k) => k.name));
      const others = columns.filter((c) => !keyNames.has(c.name));
      const verb = upsert && others.length === 0 ? 'INSERT IGNORE' : 'INSERT';
      this.tables.set(t.name, {
        name: t.name,
        columns,
        literals: columns.map(literalWriter),
        key,
        keyLiterals: key.map(literalWriter),
        keyName: t.key.name,
        upsert,
        insertHead: `${verb} INTO ${qualified(database, t.name)} (${quoteList(columns.map((c) => c.name))}) VALUES `,
        insertTail: upsert && others.length > 0 ? ` ON DUPLICATE KEY UPDATE ${others.map((c) => `${quoteIdent(c.name)} = VALUES(${quoteIdent(c.name)})`).join(', ')}` : '',
      });
    }
  }

  static async open(spec: ServerSpec, database: string, jobId: string, targetTables: TableDefinition[], opts: ApplyOptions = {}): Promise<ChangeApplier> {
    // rawQueries: the statements carry their own literals; mysql2 would otherwise scan every
    // megabyte of them for placeholders.
    const conn = await connect(spec, { session: SESSION, rawQueries: true, multipleStatements: true });
    try {
      const rows = await queryRows(conn, 'SELECT @@max_allowed_packet AS m, VERSION() AS v');
      const packed = !(await rowAnnotations(conn));
      const applier = new ChangeApplier(conn, database, jobId, targetTables, Number(rows[0].m), packed);
      const method = opts.method ?? 'auto';
      if (method !== 'sql') {
        const choice = chooseApply(method, {
          sourceFlavor: opts.sourceFlavor ?? 'unknown',
          targetIsMariaDb: /mariadb/i.test(String(rows[0].v)),
          privilegeProblem: await binlogPrivilegeProblem(conn),
          settingProblem: await replaySettingProblem(conn),
          definitions: opts.sourceTables ? definitionsDiffer(opts.sourceTables, targetTables) : 'the source tables were not inspected',
        });
        applier.replays = choice.replay;
        applier.applyNote = choice.reason ?? null;
      }
      return applier;
    } catch (err) {
      await closeQuietly(conn);
      throw err;
    }
  }

  /** The database the batches are applied to. */
  get targetDatabase(): string {
    return this.database;
  }

  private table(name: string): TableTarget {
    const t = this.tables.get(name);
    if (!t) throw new Error(`a change arrived for ${this.database}.${name}, which is not one of the job's tables`);
    return t;
  }

  /**
   * One transaction: the batch's net effect and the position after its last transaction, sent as
   * multi-statement queries: a round trip per table and megabyte, not per statement, because the
   * target's thread would otherwise wait for us (and, on a busy machine, for a CPU) between each.
   * The next query is built while the server runs the previous one. The first query starts the
   * transaction and the last one ends with the position and COMMIT, so the position commits with
   * exactly the rows it covers; the server stops at a failing statement, and the batch rolls back.
   */
  async apply(changes: RowChange[], position: BinlogPosition, gtid: string | null, transactions: number): Promise<ApplyStats> {
    const t0 = performance.now();
    const stats: ApplyStats = { events: changes.length, deletes: 0, inserts: 0 };
    const end = `${savePositionSql(this.jobId, position, gtid, changes.length, transactions)};COMMIT`;
    await this.send(this.pack(this.statements(reduceChanges(changes, (name) => this.table(name)), stats), end));
    this.traced(t0, false);
    return stats;
  }

  /**
   * The batch as the source's Rows events (`rows` rows in all), in one transaction with the
   * position, as `apply` does. False when it cannot be replayed or the target refused it (rolled
   * back: its rows are not what the events expect, e.g. copied after the snapshot, or BINLOG is no
   * longer allowed): the caller then applies the same batch, decoded, with `apply`, which converges.
   */
  async replay(raw: RawRowsEvent[], rows: number, position: BinlogPosition, gtid: string | null, transactions: number): Promise<boolean> {
    const t0 = performance.now();
    const statements = this.replays ? binlogStatements(raw, this.queryBytes, this.statementBytes) : null;
    if (!statements) {
      if (this.replays && raw.some((e) => e.rowCount === null)) {
        // A table whose rows cannot be counted from the bytes (rowCount.ts) would be read twice per
        // batch from here on: the rest of the run goes by SQL.
        this.replays = false;
        this.applyNote = "a job table's rows could not be counted from the binlog bytes (rowCount.ts: a MariaDB 5.3 temporal or a compressed column)";
      }
      return false;
    }
    const [fde, ...events] = statements;
    try {
      // A BINLOG statement ends its query: the server's answer to it does not say that more
      // results follow, and mysql2 then took the next statement's answer as out of order and
      // closed the connection (MariaDB 10.11; seen in 2 of 5 runs when they shared queries).
      await this.send(
        [`START TRANSACTION;${fde}`, ...events, `${savePositionSql(this.jobId, position, gtid, rows, transactions)};COMMIT`].map((sql) => ({ sql })),
      );
    } catch (err) {
      if ((err as { errno?: number }).errno === NO_BINLOG_PRIVILEGE) {
        this.replays = false;
        this.applyNote = 'the target account may no longer run BINLOG statements (GRANT BINLOG REPLAY ON *.* to it)';
      } else if (!refusedRows(err)) throw err;
      if (this.trace) this.trace.fallbacks++;
      return false;
    }
    this.traced(t0, true);
    return true;
  }

  private traced(t0: number, replayed: boolean): void {
    if (!this.trace) return;
    this.trace.batches++;
    if (replayed) this.trace.replayed++;
    this.trace.applyMs += performance.now() - t0;
  }

  /** Runs a batch's queries, the next built while the server runs the previous; rolls back on failure. */
  private async send(queries: Iterable<Statement>): Promise<void> {
    let inflight: Promise<void> | null = null;
    try {
      for (const q of queries) {
        if (inflight) await inflight;
        inflight = this.run(q);
      }
      await inflight;
    } catch (err) {
      // A query may still be running when building the next one failed: let it end first.
      if (inflight) await inflight.catch(() => undefined);
      await this.conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async run(s: Statement): Promise<void> {
    const s0 = performance.now();
    try {
      await this.conn.query(s.sql);
    } catch (err) {
      throw s.table ? this.conflict(s.table, err) : err;
    }
    if (this.trace) {
      this.trace.queries++;
      this.trace.serverMs += performance.now() - s0;
    }
  }

  /**
   * The batch's statements joined into queries: each holds one table's statements (a duplicate-key
   * error then names its table) up to about a megabyte (one statement each where the binlog would
   * annotate them, see rowAnnotations); the first opens the transaction, the last
   * carries `end`. Built one query ahead, so the last one is known when it is yielded.
   */
  private *pack(statements: Iterable<Statement>, end: string): Generator<Statement> {
    let held: Statement = { sql: 'START TRANSACTION' };
    let heldStatements = 0;
    for (const s of statements) {
      if (heldStatements > 0 && (!this.packed || s.table !== held.table || held.sql.length + s.sql.length > this.queryBytes)) {
        yield held;
        held = { sql: s.sql, table: s.table };
      } else {
        held = { sql: `${held.sql};${s.sql}`, table: s.table };
      }
      heldStatements++;
    }
    yield { sql: `${held.sql};${end}`, table: held.table };
  }

  /** The batch's statements, built lazily: per table its deletes, then its inserts. */
  private *statements(net: Map<TableTarget, Map<string | number, NetRow>>, stats: ApplyStats): Generator<Statement> {
    for (const [t, rows] of net) {
      let doomed: NetRow[] = [];
      for (const r of rows.values()) {
        if (t.upsert && r.row !== null) continue;
        doomed.push(r);
        if (doomed.length === MAX_KEYS_PER_DELETE) {
          yield this.deleteKeys(t, doomed);
          stats.deletes += doomed.length;
          doomed = [];
        }
      }
      if (doomed.length > 0) {
        yield this.deleteKeys(t, doomed);
        stats.deletes += doomed.length;
      }
      let parts: string[] = [];
      let bytes = t.insertHead.length + t.insertTail.length;
      for (const r of rows.values()) {
        if (r.row === null) continue;
        const text = this.rowText(t, r.row);
        if (parts.length > 0 && (parts.length >= MAX_ROWS_PER_INSERT || bytes + text.length > this.statementBytes)) {
          yield { sql: t.insertHead + parts.join(',') + t.insertTail, table: t };
          stats.inserts += parts.length;
          parts = [];
          bytes = t.insertHead.length + t.insertTail.length;
        }
        parts.push(text);
        bytes += text.length + 1;
      }
      if (parts.length > 0) {
        yield { sql: t.insertHead + parts.join(',') + t.insertTail, table: t };
        stats.inserts += parts.length;
      }
    }
  }

  private rowText(t: TableTarget, row: RowImage): string {
    const cols = t.columns;
    const lits = t.literals;
    let text = '(';
    for (let i = 0; i < cols.length; i++) {
      const v = row[cols[i].name];
      if (v === undefined) throw new Error(`binlog row of ${t.name} lacks column ${cols[i].name}: the source and target definitions differ`);
      text += (i === 0 ? '' : ',') + lits[i](v);
    }
    return text + ')';
  }

  private deleteKeys(t: TableTarget, rows: NetRow[]): Statement {
    let where: string;
    if (t.key.length === 1) {
      const name = t.key[0].name;
      const lit = t.keyLiterals[0];
      where = `${quoteIdent(name)} IN (${rows.map((r) => lit(r.keyImage[name])).join(', ')})`;
    } else {
      where = rows.map((r) => '(' + t.key.map((c, i) => `${quoteIdent(c.name)} = ${t.keyLiterals[i](r.keyImage[c.name])}`).join(' AND ') + ')').join(' OR ');
    }
    return { sql: `DELETE FROM ${qualified(this.database, t.name)} WHERE ${where}`, table: t };
  }

  private conflict(t: TableTarget, err: unknown): unknown {
    const e = err as { errno?: number; message?: string };
    if (e.errno !== 1062) return err;
    const m = /Duplicate entry '(.*)' for key '([^']+)'/s.exec(e.message ?? '');
    const keyName = m ? m[2].replace(/^.*\./, '') : 'unknown';
    const value = m ? m[1] : '?';
    return new UniqueConflictError(
      t.name,
      keyName,
      `table ${this.database}.${t.name}: a changed row conflicts with another target row on unique key ${keyName} (value '${value}'); ` +
        `the rows are matched by ${t.keyName} (${t.key.map((k) => k.name).join(', ')}). Nothing of this batch was applied. ` +
        'The target holds a row the source does not have with that value (rows written on the target, or a unique key the source lacks): ' +
        'remove or fix that row on the target, or make a new full copy, then sync again.',
    );
  }

  async close(): Promise<void> {
    const t = this.trace;
    if (t) {
      const round = (ms: number) => Math.round(ms);
      const { openedAt, ...counts } = t;
      const lifeMs = performance.now() - openedAt;
      process.stderr.write(
        JSON.stringify({ type: 'cdctrace', ...counts, serverMs: round(t.serverMs), applyMs: round(t.applyMs), lifeMs: round(lifeMs), outsideApplyMs: round(lifeMs - t.applyMs) }) + '\n',
      );
    }
    await closeQuietly(this.conn);
  }
}
