/**
 * Run SQL in the worker: one RoutingSession per profile (so a transaction, temporary tables and
 * read-your-writes carry over between runs from the editor), results kept here and paged to the
 * grid on request, exports written straight to the file the user chose. Runs of one session are
 * queued: a session is one connection per server and its statements must not interleave.
 *
 * A run is answered as soon as its last statement has its first rows (the rest streams on into the
 * kept result, and SqlResultDoneNotification follows): the queue still holds the session until the
 * whole run is complete, so the next run starts only after every row has been read.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Connection } from 'vscode-languageserver/node';
import { errorMessage } from '../engine/db/index.js';
import { exportChunks, RoutingSession, runSql, type Cell, type PartitionRouting, type StatementRun } from '../engine/routing/index.js';
import {
  LogNotification, SqlExportRequest, SqlResultDoneNotification, SqlRowsRequest, SqlRunRequest, type SqlRunParams, type SqlStatementResult,
} from '../protocol/index.js';

/** Rows sent with the run's answer, so the grid paints before it asks for more. */
const FIRST_ROWS = 200;
/** Results kept for paging and export; older ones are dropped (their grid then says so). */
const KEEP_RESULTS = 12;
const MAX_ROWS = 1_000_000;

interface Kept {
  columns: string[];
  /** The statement's own row array: it grows while the result is still loading. */
  rows: Cell[][];
  run: StatementRun;
  /** Settles when the run that produced it is complete. */
  done: Promise<void>;
}

/** Resolves on the next turn of the event loop, after every pending microtask (and so after a reply is written). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface SessionEntry {
  key: string;
  session: RoutingSession;
  queue: Promise<unknown>;
}

function partitionsOf(p: SqlRunParams): PartitionRouting | undefined {
  const maps = p.partitionMaps ?? [];
  return maps.length ? { maps, servers: p.partitionServers ?? [] } : undefined;
}

export function registerSqlHandlers(connection: Connection): void {
  const sessions = new Map<string, SessionEntry>();
  const results = new Map<string, Kept>();
  let nextId = 1;

  const sessionFor = (p: SqlRunParams): SessionEntry => {
    // Maps are not part of the key: they are read per run, and a new map must not end a transaction.
    const key = JSON.stringify([p.primary, p.replicas, p.maxStalenessSeconds, p.causalWaitSeconds]);
    const existing = sessions.get(p.profile);
    if (existing && existing.key === key) return existing;
    // The profile, a password or a setting changed: a new session (the old one's transaction ends with it).
    // The old session's last run may still be streaming rows: it is closed after that run, and the new
    // session's first run waits for the close (set at once, so a second run cannot open a third session).
    const entry: SessionEntry = {
      key,
      session: new RoutingSession({ primary: p.primary, replicas: p.replicas }, { maxStalenessSeconds: p.maxStalenessSeconds, causalWaitSeconds: p.causalWaitSeconds }),
      queue: existing ? existing.queue.then(() => existing.session.close()).catch(() => undefined) : Promise.resolve(),
    };
    sessions.set(p.profile, entry);
    return entry;
  };

  const keep = (kept: Kept): string => {
    const id = `r${nextId++}`;
    results.set(id, kept);
    while (results.size > KEEP_RESULTS) results.delete(results.keys().next().value as string);
    return id;
  };

  /** Tells the extension how a result answered while loading ended; only after the answer went out. */
  const reportDone = async (resultId: string, r: StatementRun, run: Promise<StatementRun[]>, answered: Promise<void>): Promise<void> => {
    const error = await run.then(() => r.error, (err: unknown) => errorMessage(err));
    await answered;
    await connection.sendNotification(SqlResultDoneNotification, { resultId, rowCount: r.rows.length, truncated: r.truncated, elapsedMs: Math.round(r.elapsedMs), error });
  };

  connection.onRequest(SqlRunRequest, async (p) => {
    const entry = sessionFor(p);
    const startedAt = Date.now();
    let answerEarly: (runs: StatementRun[]) => void = () => undefined;
    const early = new Promise<StatementRun[]>((resolve) => (answerEarly = resolve));
    const opts = { forcePrimary: p.forcePrimary, maxRows: MAX_ROWS, partitions: partitionsOf(p), firstRows: FIRST_ROWS, onFirstRows: answerEarly };
    const run = entry.queue.then(() => runSql(entry.session, p.sql, opts));
    // The queue waits for the whole run, rows still streaming after the answer included.
    entry.queue = run.catch(() => undefined);
    const runs = await Promise.race([run, early]);
    const done = run.then(() => undefined, () => undefined);
    const statements = runs.map((r): SqlStatementResult => {
      const hasRows = r.columns.length > 0;
      return {
        index: r.statement.index,
        text: r.statement.text,
        classified: r.statement.route,
        route: r.decision?.route ?? null,
        server: r.decision?.server ?? null,
        lagSeconds: r.decision?.lagSeconds ?? null,
        reason: r.decision?.reason ?? r.statement.reason,
        columns: r.columns,
        rowCount: r.rows.length,
        truncated: r.truncated,
        complete: r.complete,
        affectedRows: r.affectedRows,
        insertId: r.insertId,
        elapsedMs: Math.round(r.elapsedMs),
        error: r.error,
        resultId: hasRows ? keep({ columns: r.columns, rows: r.rows, run: r, done }) : null,
        firstRows: r.rows.slice(0, FIRST_ROWS),
      };
    });
    const loading = statements.findIndex((s) => !s.complete);
    const loadingId = loading >= 0 ? statements[loading].resultId : null;
    if (loadingId) void reportDone(loadingId, runs[loading], run, nextTurn());
    const where = statements.map((s) => `${s.route ?? 'not run'}${s.server ? ` ${s.server}` : ''}`).join(', ');
    void connection.sendNotification(LogNotification, { level: 'info', message: `sql run on ${p.profile}${p.forcePrimary ? ' (primary override)' : ''}: ${statements.length} statement(s): ${where}${loadingId ? ' (rows still loading)' : ''}` });
    return { profile: p.profile, forcePrimary: p.forcePrimary, startedAt, statements };
  });

  connection.onRequest(SqlRowsRequest, ({ resultId, offset, limit }) => {
    const kept = results.get(resultId);
    if (!kept) throw new Error('this result is no longer kept by the worker: run the statement again');
    const from = Math.max(0, Math.floor(offset));
    return { offset: from, rows: kept.rows.slice(from, from + Math.max(0, Math.min(5000, Math.floor(limit)))) };
  });

  connection.onRequest(SqlExportRequest, async ({ resultId, format, path }) => {
    const kept = results.get(resultId);
    if (!kept) throw new Error('this result is no longer kept by the worker: run the statement again');
    // A result still loading is exported whole: wait for its last row.
    await kept.done;
    if (kept.run.error) throw new Error(`the result is incomplete: the statement failed after ${kept.rows.length.toLocaleString('en-US')} rows (${kept.run.error}); nothing exported`);
    const out = createWriteStream(path, { encoding: 'utf8' });
    const failed = once(out, 'error').then(([err]) => Promise.reject(err as Error));
    for (const chunk of exportChunks(format, kept.columns, kept.rows)) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    return { rows: kept.rows.length, bytes: out.bytesWritten };
  });
}
