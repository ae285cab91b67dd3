/**
 * Runs input statement by statement through a RoutingSession: each is classified, routed, run on
 * its server and answered as columns and rows (cells as text, numbers or null, so they cross the
 * worker boundary as JSON and render exactly as the server sent them). The first failing statement
 * stops the run, like the mysql client: the statements after it are reported as not run.
 */
import { errorMessage } from '../db/errors.js';
import { targetLabel } from '../partition/index.js';
import type { ClassifiedStatement } from './classify.js';
import { decideByMaps, type PartitionRouting } from './partitionRoute.js';
import type { DecideOptions, RouteDecision, RoutingSession } from './router.js';

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
  affectedRows: number | null;
  insertId: string | null;
  /** Milliseconds until the server's answer was in (routing and any read-your-writes wait included). */
  elapsedMs: number;
  error: string | null;
}

export interface RunOptions extends DecideOptions {
  /** Rows kept per result (the rest is counted as truncated). */
  maxRows?: number;
  /** Saved partition maps: checked before the primary/replica decision (partitionRoute.ts). */
  partitions?: PartitionRouting;
}

interface Field {
  name: string;
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return '0x' + v.toString('hex');
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The first result set of a query answer (CALL answers with several, plus an OK packet). */
function shapeOf(rows: unknown, fields: unknown): { columns: string[]; rows: unknown[][] } | { header: { affectedRows?: number; insertId?: number | string } } {
  const multi = Array.isArray(fields) && Array.isArray(fields[0]);
  if (multi) return { columns: (fields[0] as Field[]).map((f) => f.name), rows: (rows as unknown[][][])[0] ?? [] };
  if (Array.isArray(fields)) return { columns: (fields as Field[]).map((f) => f.name), rows: rows as unknown[][] };
  return { header: rows as { affectedRows?: number; insertId?: number | string } };
}

export async function runSql(session: RoutingSession, sql: string, opts: RunOptions = {}): Promise<StatementRun[]> {
  const maxRows = opts.maxRows ?? 1_000_000;
  const statements = session.classify(sql);
  const out: StatementRun[] = [];
  let failed = false;
  for (const s of statements) {
    const statement = { index: s.index, text: s.text, start: s.start, end: s.end, route: s.route, reason: s.reason, kind: s.kind };
    const run: StatementRun = { statement, decision: null, columns: [], rows: [], truncated: false, affectedRows: null, insertId: null, elapsedMs: 0, error: null };
    out.push(run);
    if (failed) {
      run.error = 'not run: an earlier statement failed';
      continue;
    }
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
      const [rows, fields] = await conn.query({ sql: sqlText, rowsAsArray: true });
      const shape = shapeOf(rows, fields);
      if ('header' in shape) {
        run.affectedRows = shape.header.affectedRows ?? null;
        run.insertId = shape.header.insertId ? String(shape.header.insertId) : null;
      } else {
        run.columns = shape.columns;
        run.truncated = shape.rows.length > maxRows;
        const kept = run.truncated ? shape.rows.slice(0, maxRows) : shape.rows;
        run.rows = kept.map((r) => r.map(cell));
      }
      // The session's own bookkeeping (settings, read-your-writes GTID) is about its primary only.
      if (byMap.kind !== 'routed') await session.after(s, decision, rows);
    } catch (err) {
      run.error = errorMessage(err);
      failed = true;
    }
    run.elapsedMs = performance.now() - started;
  }
  return out;
}
