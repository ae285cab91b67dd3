/**
 * Verifier: compares a database on two servers table by table. Key ranges are computed once, on
 * the source, and the same ranges are checksummed on both sides concurrently; throttled between
 * chunks like a copy. Used for source vs target after a copy and for a primary vs each replica
 * (targetIsReplica: a mismatched chunk is re-checked once after MASTER_GTID_WAIT).
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect, serverLabel } from '../db/connection.js';
import type { KeyValue, RangeBounds } from '../db/keyset.js';
import { boundaryQuery, hashShape, rangeChecksumSql, type HashShape } from './checksum.js';
import { inspectTable, listBaseTables, type TableDefinition } from '../schema/inspector.js';
import { DiffCollector, text, toCell } from './rowDiff.js';
import { rawRows } from '../db/rawRows.js';
import { estimateRows, exactRowsBoth } from './rowCounts.js';
import { SlaveStatusLagProbe, ThreadsRunningProbe, Throttler } from '../lag/throttler.js';
import { READ_SESSION, storedType } from './exactValue.js';
import { readWriteTargetRole, repairRefusal } from './replicaGuard.js';
import type { ChunkVerdict, KeyTuple, TableVerdict, VerifyEvents, VerifyReport, VerifySpec } from './types.js';

export const NO_KEY_MESSAGE = 'no key: whole-table check, rows not localised';

interface Side {
  conn: Connection;
  db: string;
}

interface TableRun {
  table: string;
  info: TableDefinition;
  shape: HashShape;
  estimate: number;
}

export class Verifier {
  private source!: Side;
  private target!: Side;
  /** A second source session that finds the next range's upper key while the current range is hashed. */
  private edges!: Connection;
  private throttler: Throttler | null = null;
  private rowsChecked = 0;

  constructor(
    private readonly spec: VerifySpec,
    private readonly events: VerifyEvents = {},
  ) {}

  private emit: NonNullable<VerifyEvents['onEvent']> = (e) => this.events.onEvent?.(e);
  private cancelled(): boolean {
    return this.events.cancelled?.() ?? false;
  }

  async run(): Promise<VerifyReport> {
    const started = new Date();
    const t0 = performance.now();
    const spec = this.spec;
    const targetDb = spec.targetDatabase ?? spec.database;
    const session = { session: READ_SESSION };
    const [s, t, e] = await Promise.all([connect(spec.source, session), connect(spec.target, session), connect(spec.source, session)]);
    this.edges = e;
    await e.query('SET SESSION character_set_results = binary');
    this.source = { conn: s, db: spec.database };
    this.target = { conn: t, db: targetDb };
    const verdicts: TableVerdict[] = [];
    let refusal: string | null = null;
    try {
      // Read before any verdict, so a report never offers Repair of a replica (the repair re-checks).
      refusal = repairRefusal(serverLabel(spec.target), await readWriteTargetRole(t), spec.targetIsReplica);
      const tables = spec.tables ?? (await listBaseTables(s, spec.database));
      this.emit({ type: 'started', tables, mode: spec.mode });
      const [sEst, tEst] = await Promise.all([estimateRows(s, spec.database), estimateRows(t, targetDb)]);
      const maxLag = spec.maxLagSeconds ?? 1;
      const maxLoad = spec.maxLoad ?? 50;
      this.throttler = new Throttler([
        ...(spec.replicas ?? []).map((r) => new SlaveStatusLagProbe(r, maxLag)),
        new ThreadsRunningProbe(spec.source, maxLoad),
        new ThreadsRunningProbe(spec.target, maxLoad),
      ]);
      for (const table of tables) {
        if (this.cancelled()) {
          verdicts.push(this.notChecked(table, sEst.get(table) ?? null, tEst.get(table) ?? null, 'cancelled'));
          continue;
        }
        const v = await this.verifyTable(table, sEst.get(table) ?? null, tEst.get(table) ?? null);
        verdicts.push(v);
        this.emit({ type: 'table-done', verdict: v });
      }
    } finally {
      await this.throttler?.close();
      await Promise.all([closeQuietly(s), closeQuietly(t), closeQuietly(e)]);
    }
    const count = (st: TableVerdict['status']): number => verdicts.filter((v) => v.status === st).length;
    const summary = { match: count('match'), mismatch: count('mismatch'), notChecked: count('not-checked'), error: count('error') };
    return {
      source: serverLabel(spec.source),
      target: serverLabel(spec.target),
      database: spec.database,
      targetDatabase: targetDb,
      mode: spec.mode,
      startedAt: started.toISOString(),
      seconds: (performance.now() - t0) / 1000,
      tables: verdicts,
      clean: spec.mode !== 'estimate' && verdicts.length > 0 && summary.match === verdicts.length,
      rowsChecked: this.rowsChecked,
      summary,
      ...(refusal ? { repairRefusal: refusal } : {}),
    };
  }

  private notChecked(table: string, sourceRows: number | null, targetRows: number | null, message: string): TableVerdict {
    return { table, sourceRows, targetRows, rowsExact: false, status: 'not-checked', keyColumns: [], wholeTable: false, chunks: [], mismatchedRanges: [], message, seconds: 0 };
  }

  private async verifyTable(table: string, sEst: number | null, tEst: number | null): Promise<TableVerdict> {
    const t0 = performance.now();
    const base = this.notChecked(table, sEst, tEst, '');
    try {
      if (sEst === null || tEst === null) {
        return { ...base, status: 'mismatch', message: `table missing on the ${sEst === null ? 'source' : 'target'}` };
      }
      if (this.spec.mode === 'estimate') return { ...base, message: 'estimates only' };
      if (this.spec.mode === 'count') {
        const n = await exactRowsBoth(this.source.conn, this.target.conn, this.source.db, this.target.db, table);
        this.rowsChecked += n.source;
        return { ...base, sourceRows: n.source, targetRows: n.target, rowsExact: true, status: n.source === n.target ? 'match' : 'mismatch', message: undefined, seconds: secs(t0) };
      }
      const run = await this.prepare(table, sEst);
      if (typeof run === 'string') return { ...base, status: 'mismatch', message: run, seconds: secs(t0) };
      this.emit({ type: 'table-start', table, estimatedRows: sEst });
      const v = run.info.key ? await this.checkChunks(run) : await this.checkWhole(run);
      return { ...v, seconds: secs(t0) };
    } catch (err) {
      return { ...base, status: 'error', message: err instanceof Error ? err.message : String(err), seconds: secs(t0) };
    }
  }

  /** Inspects both sides; a schema difference (columns or key) is a mismatch, not a checksum. */
  private async prepare(table: string, estimate: number): Promise<TableRun | string> {
    // The inspector reads information_schema as text; the previous table left the sessions on binary.
    await this.setResults('utf8mb4');
    const [si, ti] = await Promise.all([inspectTable(this.source.conn, this.source.db, table), inspectTable(this.target.conn, this.target.db, table)]);
    const opts = { includeGenerated: this.spec.includeGenerated, algorithm: this.spec.hash };
    const shape = hashShape(si, opts);
    const tShape = hashShape(ti, opts);
    if (shape.columns.join('\n') !== tShape.columns.join('\n')) {
      return `columns differ: source (${shape.columns.join(', ')}) vs target (${tShape.columns.join(', ')})`;
    }
    // A different stored type (FLOAT vs DOUBLE, a reordered ENUM, another DECIMAL scale) is a
    // difference CHECKSUM TABLE sees even where the values print alike.
    const tBy = new Map(ti.columns.map((c) => [c.name, c]));
    const typeDiffs = si.columns
      .filter((c) => shape.columns.includes(c.name))
      .filter((c) => storedType(c) !== storedType(tBy.get(c.name) ?? c))
      .map((c) => `${c.name} ${storedType(c)} vs ${storedType(tBy.get(c.name) ?? c)}`);
    if (typeDiffs.length) return `column types differ (source vs target): ${typeDiffs.join(', ')}`;
    // Generated columns are not hashed (they are derived), so their derivation is compared instead.
    const genDiffs = si.columns
      .filter((c) => c.generated && tBy.get(c.name)?.generated && c.generationExpression !== tBy.get(c.name)?.generationExpression)
      .map((c) => c.name);
    if (genDiffs.length) return `generated column expressions differ: ${genDiffs.join(', ')}`;
    if ((si.key?.columns ?? []).join('\n') !== (ti.key?.columns ?? []).join('\n')) {
      return `key differs: source (${si.key?.columns.join(', ') ?? 'none'}) vs target (${ti.key?.columns.join(', ') ?? 'none'})`;
    }
    // From here on, values travel as the servers' raw bytes (keys are re-sent as hex literals).
    await this.setResults('binary');
    return { table, info: si, shape, estimate };
  }

  private async setResults(charset: 'binary' | 'utf8mb4'): Promise<void> {
    const sql = `SET SESSION character_set_results = ${charset}`;
    await Promise.all([this.source.conn.query(sql), this.target.conn.query(sql)]);
  }

  private async checksumBoth(run: TableRun, b: RangeBounds): Promise<{ s: { cnt: number; h: string }; t: { cnt: number; h: string } }> {
    const one = async (side: Side): Promise<{ cnt: number; h: string }> => {
      const [row] = await rawRows(side.conn, rangeChecksumSql(side.db, run.table, run.shape, b));
      return { cnt: Number(text(row[0])), h: text(row[1]) };
    };
    const [s, t] = await Promise.all([one(this.source), one(this.target)]);
    return { s, t };
  }

  private tuple(run: TableRun, k: KeyValue | null): KeyTuple | null {
    return k === null ? null : run.shape.keyColumns.map((c, i) => toCell(c.codec, k[i]));
  }

  private async checkChunks(run: TableRun): Promise<TableVerdict> {
    const chunkRows = this.spec.chunkRows ?? 10_000;
    const chunks: ChunkVerdict[] = [];
    const bad: { b: RangeBounds; cnt: number }[] = [];
    let lower: KeyValue | null = null;
    let sourceRows = 0;
    let targetRows = 0;
    const t0 = performance.now();
    const edgeAfter = async (k: KeyValue | null): Promise<KeyValue | null> =>
      (await rawRows(this.edges, boundaryQuery(this.source.db, run.table, run.shape.keyColumns, k, chunkRows, null, run.shape.keySelect)))[0] ?? null;
    // The boundary scan reads chunkRows keys on the source; overlapping it with the hashing of the
    // previous range keeps it off the critical path. A failure surfaces where it is awaited.
    let nextEdge = edgeAfter(null);
    nextEdge.catch(() => undefined);
    for (let index = 0; ; index++) {
      if (this.cancelled()) break;
      const edge = await nextEdge;
      if (edge) {
        nextEdge = edgeAfter(edge);
        nextEdge.catch(() => undefined);
      }
      await this.throttler?.waitClear((throttle) => this.emit({ type: 'throttle', throttle }), () => this.cancelled());
      // The last range is open-ended so target rows beyond the source's last key are counted too.
      const b: RangeBounds = { after: lower, upTo: edge };
      let { s, t } = await this.checksumBoth(run, b);
      let rechecked = false;
      if ((s.cnt !== t.cnt || s.h !== t.h) && this.spec.targetIsReplica) {
        await this.waitForReplica(run.table, index);
        ({ s, t } = await this.checksumBoth(run, b));
        rechecked = true;
      }
      const match = s.cnt === t.cnt && s.h === t.h;
      chunks.push({ index, lower: this.tuple(run, b.after), upper: this.tuple(run, b.upTo), sourceCount: s.cnt, targetCount: t.cnt, sourceHash: s.h, targetHash: t.h, match, ...(rechecked ? { rechecked } : {}) });
      if (!match) bad.push({ b, cnt: s.cnt });
      sourceRows += s.cnt;
      targetRows += t.cnt;
      this.rowsChecked += s.cnt;
      this.emit({ type: 'chunk', table: run.table, chunk: index, rowsChecked: sourceRows, estimatedRows: run.estimate, match, rowsPerSecond: sourceRows / Math.max(secs(t0), 0.001) });
      if (!edge) break;
      lower = edge;
    }
    const verdict: TableVerdict = {
      table: run.table,
      sourceRows,
      targetRows,
      rowsExact: !this.cancelled(),
      status: this.cancelled() ? 'not-checked' : bad.length ? 'mismatch' : 'match',
      keyColumns: run.shape.keyColumns.map((k) => k.name),
      wholeTable: false,
      chunks,
      mismatchedRanges: bad.map((x) => ({ lower: this.tuple(run, x.b.after), upper: this.tuple(run, x.b.upTo) })),
      seconds: 0,
    };
    if (run.shape.skipped.length) verdict.message = `generated columns not compared: ${run.shape.skipped.join(', ')}`;
    if (this.spec.mode === 'rows' && bad.length) {
      const codecs = new Map(run.info.columns.map((c) => [c.name, c.codec]));
      const collector = new DiffCollector({
        source: this.source.conn,
        target: this.target.conn,
        sourceDb: this.source.db,
        targetDb: this.target.db,
        table: run.table,
        shape: run.shape,
        codecs,
        limit: this.spec.maxDiffRows ?? 1000,
      });
      for (const x of bad) await collector.narrow(x.b, x.cnt);
      verdict.diff = collector.diff;
    }
    return verdict;
  }

  /** No usable key: one COUNT + hash over the whole table on each side. */
  private async checkWhole(run: TableRun): Promise<TableVerdict> {
    await this.throttler?.waitClear((throttle) => this.emit({ type: 'throttle', throttle }), () => this.cancelled());
    const { s, t } = await this.checksumBoth(run, { after: null, upTo: null });
    const match = s.cnt === t.cnt && s.h === t.h;
    this.rowsChecked += s.cnt;
    return {
      table: run.table,
      sourceRows: s.cnt,
      targetRows: t.cnt,
      rowsExact: true,
      status: match ? 'match' : 'mismatch',
      keyColumns: [],
      wholeTable: true,
      chunks: [{ index: 0, lower: null, upper: null, sourceCount: s.cnt, targetCount: t.cnt, sourceHash: s.h, targetHash: t.h, match }],
      mismatchedRanges: match ? [] : [{ lower: null, upper: null }],
      message: NO_KEY_MESSAGE,
      seconds: 0,
    };
  }

  /** Waits until the replica (target) has applied everything the primary (source) has logged. */
  private async waitForReplica(table: string, chunk: number): Promise<void> {
    const [row] = await rawRows(this.source.conn, { sql: 'SELECT @@GLOBAL.gtid_binlog_pos', values: [] });
    const gtid = text(row[0]);
    this.emit({ type: 'replica-wait', table, chunk, gtid });
    if (!gtid) return;
    const timeout = this.spec.replicaWaitSeconds ?? 30;
    const [r] = await rawRows(this.target.conn, { sql: 'SELECT MASTER_GTID_WAIT(?, ?)', values: [gtid, timeout] });
    if (text(r[0]) !== '0') this.emit({ type: 'log', level: 'warn', message: `${table}: replica did not reach ${gtid} within ${timeout} s` });
  }
}

function secs(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export async function verify(spec: VerifySpec, events: VerifyEvents = {}): Promise<VerifyReport> {
  return new Verifier(spec, events).run();
}
