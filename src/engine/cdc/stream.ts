/**
 * A change stream over @vlasky/zongji (the binlog protocol is not ours to write): from a committed
 * binlog position, the row changes of the captured tables, transaction ends as safe positions, and a
 * stop item for statements that must not be passed over.
 *
 * Values are decoded exactly: dateStrings keeps microseconds and zero dates, timezone 'Z' renders
 * TIMESTAMP in UTC (the applier's session is UTC), DECIMAL stays an exact string (zongji >= 0.7
 * default), JSON stays text (MariaDB's JSON is LONGTEXT anyway), 64-bit integers are exact strings
 * beyond 2^53, BIT and binary strings arrive as Buffers.
 *
 * zongji does not reconnect and does not set @master_heartbeat_period, so an idle stream that has
 * silently stalled (a half-open TCP connection) is found by a watchdog: when no event arrived for
 * `stallMs` while the source's binlog moved past our position, the stream is declared lost and the
 * runner reconnects from the committed position.
 */
import ZongJi from '@vlasky/zongji';
import type { ServerSpec } from '../db/server.js';
import { connect, queryRows, serverLabel, type Connection } from '../db/connection.js';
import { classifyStreamError, StreamFatalError, StreamLostError } from './errors.js';
import { comparePositions } from './position.js';
import { rawGeometryColumns } from './geometry.js';
import { advanceGtidPosition } from './gtid.js';
import { classifyStatement } from './statementGuard.js';
import { RawCapture, type HookableZongJi } from './replay/capture.js';
import type { BinlogPosition, RowImage, StreamItem } from './types.js';

export interface StreamOptions {
  source: ServerSpec;
  database: string;
  tables: string[];
  from: BinlogPosition;
  /** The job's GTID position at `from` (all domains), advanced by each commit the stream hands out. */
  gtid?: string | null;
  /** Start after `gtid` (the server finds the place) instead of at `from`; `from` is then a floor on this server. */
  byGtid?: boolean;
  serverId: number;
  /** No event for this long while the source's binlog moved on = stalled (default 30 s). */
  stallMs?: number;
  /** Items buffered ahead of the applier before the socket is paused (default 10,000: more only adds GC work). */
  maxBuffered?: number;
  /**
   * Hand out the job's Rows events raw (`raw` items, rows counted, not decoded) instead of decoded
   * rows, their Table_maps renamed to this database: for a replay with BINLOG statements (replay/).
   */
  rawFor?: string;
}

const HIGH_WATER = 10_000;

interface ZongJiEvent {
  getEventName(): string;
  nextPosition: number;
  gtid?: string;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string; columns?: { type: number; charset: string | null }[] }>;
  rows?: unknown[];
  query?: string;
  schema?: string;
  /** The event header's time, epoch ms (the binlog keeps whole seconds). */
  timestamp?: number;
}

/** The binlog connection zongji keeps; pause/resume give the applier backpressure. */
interface Pausable {
  pause(): void;
  resume(): void;
}

/** Source binlog position now (SHOW MASTER STATUS; MariaDB 10.5.2+ also calls it SHOW BINLOG STATUS). */
export async function sourcePosition(conn: Connection): Promise<BinlogPosition | null> {
  const rows = await queryRows(conn, 'SHOW MASTER STATUS');
  if (rows.length === 0 || !rows[0].File) return null;
  return { file: String(rows[0].File), position: Number(rows[0].Position) };
}

function notExact(v: unknown, table: string, column: string): never {
  // A Date would mean lost microseconds, an object a value decoded past its bytes (GEOMETRY arrives
  // as bytes, see geometry.ts): neither can be written back exactly.
  throw new StreamFatalError(`column ${table}.${column} arrived from the binlog as ${v instanceof Date ? 'a Date' : typeof v}, which cannot be written back exactly.`);
}

/**
 * zongji's row object made a RowImage in place (no copy: a backlog decodes millions of them):
 * bigint becomes its exact string, a missing value null, anything not exact is refused.
 */
function image(row: unknown, table: string): RowImage {
  const r = row as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    switch (typeof v) {
      case 'string':
      case 'number':
        break;
      case 'object':
        if (v !== null && !Buffer.isBuffer(v)) notExact(v, table, k);
        break;
      case 'bigint':
        r[k] = v.toString();
        break;
      case 'undefined':
        r[k] = null;
        break;
      default:
        notExact(v, table, k);
    }
  }
  return r as RowImage;
}

export class ChangeStream {
  private readonly zongji: ZongJi;
  private items: StreamItem[] = [];
  /** Row changes among `items` (what "events behind" counts; items also hold commits). */
  private rows = 0;
  private error: Error | null = null;
  private waiter: (() => void) | null = null;
  private paused = false;
  private closed = false;
  private lastEventAt = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private control: Connection | null = null;
  /** A stall check is asking the source (the interval must not stack a second one). */
  private checking = false;
  private readonly tables: Set<string>;
  private readonly label: string;
  private gtid: string | null;
  private readonly capture: RawCapture | null;

  constructor(private readonly opts: StreamOptions) {
    this.tables = new Set(opts.tables);
    this.label = serverLabel(opts.source);
    this.gtid = opts.gtid ?? null;
    const s = opts.source;
    this.zongji = new ZongJi({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      ssl: s.ssl === true ? { rejectUnauthorized: true } : s.ssl ? { rejectUnauthorized: s.ssl.rejectUnauthorized ?? true, ca: s.ssl.ca } : undefined,
      charset: 'utf8mb4',
      dateStrings: true,
      timezone: 'Z',
      jsonStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      connectTimeout: 10_000,
      enableKeepAlive: true,
    });
    this.capture =
      opts.rawFor !== undefined
        ? new RawCapture(this.zongji as unknown as HookableZongJi, opts.rawFor, (event) => {
            this.rows += event.rowCount ?? 0;
            this.push({ kind: 'raw', event });
          })
        : null;
    this.zongji.on('binlog', (ev: ZongJiEvent) => this.onEvent(ev));
    this.zongji.on('error', (err: unknown) => this.fail(classifyStreamError(err, this.errorPlace(), this.label)));
    this.zongji.start({
      serverId: opts.serverId,
      ...(opts.byGtid && opts.gtid ? { gtidSet: opts.gtid } : { filename: opts.from.file, position: opts.from.position }),
      // Raw: zongji skips the Rows events (the capture takes them), and decodes the rest as ever.
      includeEvents: [...(this.capture ? [] : ['writerows', 'updaterows', 'deleterows']), 'tablemap', 'query', 'xid', 'rotate', 'heartbeat', 'mariadbgtid'],
      includeSchema: { [opts.database]: opts.tables },
    });
    const stallMs = opts.stallMs ?? 30_000;
    this.watchdog = setInterval(() => void this.checkStall(stallMs), Math.max(200, Math.min(5_000, stallMs / 2)));
  }

  /** zongji's resume pair: always at a transaction boundary (it freezes inside one). */
  position(): BinlogPosition {
    const o = this.zongji.options as { filename?: string; position?: number } | undefined;
    if (!o?.filename) return this.opts.from;
    return this.opts.from.server !== undefined ? { file: o.filename, position: Number(o.position), server: this.opts.from.server } : { file: o.filename, position: Number(o.position) };
  }

  /** What an error names as the place: the GTID while a start by GTID has not reached a real position yet. */
  private errorPlace(): BinlogPosition | string {
    const o = this.zongji.options as { filename?: string } | undefined;
    return this.opts.byGtid && this.opts.gtid && !o?.filename ? `GTID ${this.opts.gtid}` : this.position();
  }

  private commit(gtid: string | undefined, timestamp: number | undefined): StreamItem {
    this.gtid = advanceGtidPosition(this.gtid, gtid);
    return { kind: 'commit', position: this.position(), gtid: this.gtid, timestamp };
  }

  private push(item: StreamItem): void {
    this.items.push(item);
    this.pushed();
  }

  /** After items were added: pause the socket at the high-water mark, wake a waiting reader. */
  private pushed(): void {
    if (!this.paused && this.items.length >= (this.opts.maxBuffered ?? HIGH_WATER)) {
      this.paused = true;
      (this.zongji.connection as Pausable | null)?.pause();
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private fail(err: Error): void {
    if (this.closed || this.error) return;
    this.error = err;
    this.wake();
  }

  private onEvent(ev: ZongJiEvent): void {
    if (this.closed || this.error) return;
    this.lastEventAt = Date.now();
    try {
      switch (ev.getEventName()) {
        case 'writerows':
        case 'updaterows':
        case 'deleterows':
          this.onRows(ev);
          break;
        case 'tablemap':
          if (ev.tableId !== undefined) {
            const meta = ev.tableMap?.[ev.tableId];
            rawGeometryColumns(meta);
            if (this.capture && meta && meta.parentSchema === this.opts.database && this.tables.has(meta.tableName)) this.capture.tableMap(ev.tableId);
          }
          break;
        case 'xid':
          this.capture?.commit();
          this.push(this.commit(ev.gtid, ev.timestamp));
          break;
        case 'query':
          this.onQuery(ev);
          break;
        case 'rotate':
          this.push(this.commit(undefined, undefined));
          break;
        default:
          break;
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onRows(ev: ZongJiEvent): void {
    const meta = ev.tableMap && ev.tableId !== undefined ? ev.tableMap[ev.tableId] : undefined;
    if (!meta || meta.parentSchema !== this.opts.database || !this.tables.has(meta.tableName)) return;
    const table = meta.tableName;
    const name = ev.getEventName();
    const items = this.items;
    this.rows += ev.rows?.length ?? 0;
    for (const r of ev.rows ?? []) {
      if (name === 'writerows') items.push({ kind: 'row', change: { op: 'insert', table, after: image(r, table) } });
      else if (name === 'deleterows') items.push({ kind: 'row', change: { op: 'delete', table, before: image(r, table) } });
      else {
        const u = r as { before: unknown; after: unknown };
        items.push({ kind: 'row', change: { op: 'update', table, before: image(u.before, table), after: image(u.after, table) } });
      }
    }
    this.pushed();
  }

  private onQuery(ev: ZongJiEvent): void {
    const verdict = classifyStatement(ev.query ?? '', ev.schema || null, this.opts.database, this.tables);
    if (verdict.kind === 'begin') return;
    if (verdict.kind === 'stop') {
      this.push({ kind: 'stop', position: this.position(), reason: verdict.reason });
      return;
    }
    // COMMIT of a non-transactional statement, or any other statement outside a transaction: a boundary.
    this.capture?.commit();
    this.push(this.commit(ev.gtid, ev.timestamp));
  }

  private async checkStall(stallMs: number): Promise<void> {
    if (this.closed || this.error || this.paused || this.checking) return;
    if (Date.now() - this.lastEventAt < stallMs) return;
    this.checking = true;
    // The watchdog's own connection can freeze with the stream (the same half-open link, opened
    // before it froze): a question it does not answer within stallMs is the same silence, and
    // without this bound the check waited on it forever and the stall was never found.
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<'unanswered'>((r) => (timer = setTimeout(() => r('unanswered'), Math.max(stallMs, 1_000))));
    try {
      const asked = (async () => {
        this.control ??= await connect(this.opts.source);
        return sourcePosition(this.control);
      })();
      asked.catch(() => undefined);
      const now = await Promise.race([asked, unanswered]);
      if (this.closed || this.error) return;
      if (now === 'unanswered') {
        this.control?.destroy();
        this.control = null;
        this.fail(new StreamLostError(`no binlog event from ${this.label} for ${Math.round((Date.now() - this.lastEventAt) / 1000)} s, and no answer to a status query on another connection: the link stalled`));
        return;
      }
      if (now && comparePositions(now, this.position()) > 0 && Date.now() - this.lastEventAt >= stallMs) {
        this.fail(new StreamLostError(`no binlog event from ${this.label} for ${Math.round((Date.now() - this.lastEventAt) / 1000)} s while its binlog moved on: the stream stalled`));
      }
    } catch (err) {
      // Destroyed, not ended: ending waits for an answer the link may never carry.
      this.control?.destroy();
      this.control = null;
      this.fail(classifyStreamError(err, this.errorPlace(), this.label));
    } finally {
      clearTimeout(timer);
      this.checking = false;
    }
  }

  /**
   * Everything buffered; waits up to `waitMs` for at least one item (then returns []). Rejects with
   * the stream's error once the buffer is drained.
   */
  async next(waitMs = 500): Promise<StreamItem[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.items.length > 0) {
        const out = this.items;
        this.items = [];
        this.rows = 0;
        if (this.paused && !this.closed) {
          this.paused = false;
          // The time paused by our own backpressure is not silence from the source.
          this.lastEventAt = Date.now();
          (this.zongji.connection as Pausable | null)?.resume();
        }
        return out;
      }
      if (this.error) throw this.error;
      if (this.closed) throw new StreamLostError('stream closed');
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.waiter = null;
          r();
        }, left);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  /** Buffered item count (for tests and progress). */
  get buffered(): number {
    return this.items.length;
  }

  /** Buffered row changes (items without the commits between them). */
  get bufferedRows(): number {
    return this.rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.wake();
    this.control?.destroy();
    this.control = null;
    // stop() forgets its connections; keep them to destroy afterwards (see below).
    const z = this.zongji as unknown as { connection?: { destroy(): void } | null; ctrlConnection?: { destroy(): void } | null };
    const sockets = [z.connection, z.ctrlConnection];
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2_000);
      this.zongji.once('stopped', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        this.zongji.stop();
      } catch {
        clearTimeout(t);
        resolve();
      }
    });
    // A stalled link never answers stop()'s KILL: destroy the sockets so nothing keeps the process alive.
    for (const c of sockets) {
      try {
        c?.destroy();
      } catch {
        // already gone
      }
    }
  }
}
