/**
 * Runs input statement by statement through a RoutingSession: each is classified, routed, run on
 * its server and answered as columns and rows (cells as text, numbers or null, so they cross the
 * worker boundary as JSON and render exactly as the server sent them). The first failing statement
 * stops the run, like the mysql client: the statements after it are reported as not run.
 *
 * Rows are streamed (stream.ts): when the run's last statement has its first rows, `onFirstRows`
 * lets the caller answer at once while that statement's rows keep filling in; the promise resolves
 * when every statement is complete. Earlier statements always complete before the next one starts.
 */
import { errorMessage } from '../db/errors.js';
import { targetLabel } from '../partition/index.js';
import type { ClassifiedStatement } from './classify.js';
import { decideByMaps, type PartitionRouting } from './partitionRoute.js';
import type { DecideOptions, RouteDecision, RoutingSession } from './router.js';
import { streamQuery } from './stream.js';

/** A cell as shown: binary values as 0x-hex (exact, never re-encoded as text). */
export type Cell = string | number | null;

export interface StatementRun {
  statement: Pick<ClassifiedStatement, 'index' | 'text' | 'start' | 'end' | 'route' | 'reason' | 'kind'>;
  /** Null when the statement did not run (an earlier one failed). */
  decision: RouteDecision | null;
  columns: string[];
  rows: Cell[][];
  /** True when the result had more rows than maxRows and was cut. */
  truncated: boolean;
  /** False while rows are still arriving (only seen through onFirstRows); then rows is what has come so far. */
  complete: boolean;
  affectedRows: number | null;
  insertId: string | null;
  /** Milliseconds until the server's answer was in (routing and any read-your-writes wait included); so far while loading. */
  elapsedMs: number;
  error: string | null;
}

export interface RunOptions extends DecideOptions {
  /** Rows kept per result (the rest is counted as truncated). */
  maxRows?: number;
  /** Saved partition maps: checked before the primary/replica decision (partitionRoute.ts). */
  partitions?: PartitionRouting;
  /** How many rows of the last statement make `onFirstRows` fire. */
  firstRows?: number;
  /**
   * Called once when the run's last statement has `firstRows` rows and more may follow. The runs
   * passed are live: the last one's rows, error, elapsedMs and complete change until the run resolves.
   */
  onFirstRows?: (runs: StatementRun[]) => void;
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return '0x' + v.toString('hex');
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export async function runSql(session: RoutingSession, sql: string, opts: RunOptions = {}): Promise<StatementRun[]> {
  const maxRows = opts.maxRows ?? 1_000_000;
  const firstRows = opts.firstRows ?? 200;
  const statements = session.classify(sql);
  const out: StatementRun[] = [];
  let failed = false;
  for (const s of statements) {
    const statement = { index: s.index, text: s.text, start: s.start, end: s.end, route: s.route, reason: s.reason, kind: s.kind };
    const run: StatementRun = { statement, decision: null, columns: [], rows: [], truncated: false, complete: false, affectedRows: null, insertId: null, elapsedMs: 0, error: null };
    out.push(run);
    if (failed) {
      run.error = 'not run: an earlier statement failed';
      run.complete = true;
      continue;
    }
    // Only the last statement can be answered early: the answer must hold every earlier result.
    const isLast = s === statements[statements.length - 1];
    let answered = false;
    const started = performance.now();
    try {
      const byMap = opts.partitions ? decideByMaps(opts.partitions, s.text) : ({ kind: 'none' } as const);
      if (byMap.kind === 'refused') throw new Error(byMap.message);
      let decision: RouteDecision;
      let conn;
      let sqlText = s.text;
      if (byMap.kind === 'routed') {
        // The range's server is the primary of its own profile: reads and writes of the range go there.
        decision = { classified: s.route, route: 'primary', server: targetLabel(byMap.target), lagSeconds: null, reason: byMap.reason, kind: s.kind };
        run.decision = decision;
        conn = await session.targetConn(byMap.server, byMap.target.database);
        sqlText = byMap.sql;
      } else {
        decision = await session.decide(s, opts);
        let server;
        try {
          server = await session.serverConn(session.refFor(decision));
        } catch (err) {
          // A replica that passed its health check but refuses a session: the primary answers instead.
          if (decision.route !== 'replica') throw err;
          decision = { ...decision, route: 'primary', server: session.topology.primary.name, lagSeconds: null, reason: `${decision.reason}; but ${decision.server} refused a connection (${errorMessage(err)}): on the primary` };
          server = await session.serverConn(session.topology.primary);
        }
        run.decision = decision;
        conn = server.conn;
      }
      const end = await streamQuery(conn, sqlText, {
        columns: (names) => (run.columns = names),
        row: (values) => {
          // Past maxRows the rest is still read (the connection must be drained) but not kept.
          if (run.rows.length >= maxRows) {
            run.truncated = true;
            return;
          }
          run.rows.push(values.map(cell));
          if (isLast && !answered && opts.onFirstRows && run.rows.length === firstRows) {
            answered = true;
            run.elapsedMs = performance.now() - started;
            opts.onFirstRows(out);
          }
        },
      });
      if (end.header) {
        run.affectedRows = end.header.affectedRows ?? null;
        run.insertId = end.header.insertId ? String(end.header.insertId) : null;
      }
      // The session's own bookkeeping (settings, read-your-writes GTID) is about its primary only. It
      // runs once the whole result is in: it may query the same connection.
      if (byMap.kind !== 'routed') await session.after(s, decision, end.lastHeader);
    } catch (err) {
      run.error = errorMessage(err);
      failed = true;
    }
    run.elapsedMs = performance.now() - started;
    run.complete = true;
  }
  return out;
}
