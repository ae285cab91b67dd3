/**
 * Reader: one source connection inside START TRANSACTION WITH CONSISTENT SNAPSHOT, so every table
 * is read as of one binlog position. Rows come back as the server's raw bytes
 * (character_set_results = binary, every field as a Buffer): nothing is decoded or re-encoded.
 */
import { Transform, type Readable } from 'node:stream';
import type { Connection as CoreConnection } from 'mysql2';
import type { RowDataPacket } from 'mysql2/promise';
import type { Connection } from '../db/connection.js';
import { connect, queryRows } from '../db/connection.js';
import { afterCondition, chunkQuery, keyMayRepeat, keySelectList, type KeyColumn, type KeyValue, type RangeBounds } from '../db/keyset.js';
import { BlockEncoder, SqlValuesEncoder, encodeRows, packetCells } from './encoder.js';
import type { RawRow } from '../db/rawRows.js';
import type { ColumnInfo, TableDefinition } from '../schema/inspector.js';
import { qualified, readSql, type ColumnCodec } from '../db/sql.js';
import type { ServerSpec, SnapshotPosition } from '../jobs/types.js';

/**
 * What the row hook needs of mysql2's Packet (lib/packets/packet.js): the payload is buffer[offset..end).
 * mysql2 hands every packet through one reused instance: read it synchronously, never keep it.
 */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}

/**
 * mysql2's Query reads rows through the state `this.row` (its fieldsEOF state returns `this.row`),
 * so an own `row` on the query object sees every row packet first. Internal to mysql2 (bundled, pinned
 * in the lockfile); if a version stops calling it, rows still arrive as 'result' events.
 */
type RowState = (this: unknown, packet: RowPacket, conn: unknown) => unknown;

const isIdentity = (cols: readonly number[]) => cols.every((c, i) => c === i);

/** Charsets where a printable ASCII byte means that ASCII character (so a plain quoted literal is exact). */
const ASCII_SUPERSETS = /^(utf8mb4|utf8mb3|utf8|latin1|latin2|ascii|cp1250|cp1251|cp1252|cp1256|cp1257|greek|hebrew|latin5|latin7|koi8r|koi8u|binary)$/i;

/** Whether each written column may take a plain `'...'` literal when its bytes are printable ASCII. */
function plainLiteralOk(codecs: readonly ColumnCodec[]): boolean[] {
  return codecs.map((c) => c.kind !== 'number' && (c.kind !== 'string' || (c.charset !== null && ASCII_SUPERSETS.test(c.charset))));
}

/**
 * What is read and written for one table: generated columns are read only if they are in the key.
 * Chunks are cut in the order of `orderColumns` (default: the table's key); an incremental job passes
 * its cursor (watermark column, then the key), which must identify rows as the key does.
 */
export class TableShape {
  readonly selectNames: string[];
  readonly writeNames: string[];
  readonly writeIndexes: number[];
  readonly keyIndexes: number[];
  readonly keyColumns: KeyColumn[];
  readonly selectList: string;
  /** The key has nullable columns: equal keys may repeat, so chunks end on probed bounds. */
  readonly keyMayRepeat: boolean;

  constructor(
    readonly info: TableDefinition,
    orderColumns?: readonly string[],
  ) {
    const keyNames = orderColumns ? [...orderColumns] : (info.key?.columns ?? []);
    const written = info.columns.filter((c) => !c.generated);
    this.writeNames = written.map((c) => c.name);
    this.selectNames = [...this.writeNames];
    for (const k of keyNames) if (!this.selectNames.includes(k)) this.selectNames.push(k);
    this.writeIndexes = this.writeNames.map((_, i) => i);
    this.keyIndexes = keyNames.map((k) => this.selectNames.indexOf(k));
    const byName = new Map(info.columns.map((c) => [c.name, c]));
    this.keyColumns = keyNames.map((k) => {
      const col = byName.get(k);
      if (!col) throw new Error(`key column ${k} not found`);
      return { name: k, codec: col.codec };
    });
    // Each column read so that its text is its stored value exactly (FLOAT through its double).
    this.selectList = this.selectNames.map((n) => readSql(n, (byName.get(n) as ColumnInfo).codec)).join(', ');
    this.keyMayRepeat = keyMayRepeat(this.keyColumns);
  }

  /** Codecs of the written columns, in write order (the INSERT path's literals). */
  writeCodecs(): ColumnCodec[] {
    return this.writeNames.map((n) => {
      const c = this.info.columns.find((col) => col.name === n);
      if (!c) throw new Error(`column ${n} vanished`);
      return c.codec;
    });
  }

  keyOf(row: RawRow): KeyValue {
    return this.keyIndexes.map((i) => row[i]);
  }
}

export interface ReadChunk {
  rowCount: number;
  /** LOAD DATA bytes in blocks (empty for the INSERT path). Rows are encoded as they arrive and dropped. */
  encoded: Buffer[];
  /** INSERT path: the chunk's `(...), (...)` VALUES list as SQL text (empty for LOAD DATA). */
  values: string;
  /** Bytes this chunk sends to the target: encoded LOAD DATA bytes, or the VALUES text's length. */
  bytes: number;
  lastKey: KeyValue | null;
  readSeconds: number;
  /**
   * The chunk reached `maxBytes` before `limit` rows: the rows after that were read but dropped
   * (the next chunk starts after lastKey), so fewer rows than the limit does not mean the table's end.
   */
  truncated: boolean;
}

/**
 * The binlog position of the snapshot just opened on `conn`, read inside its transaction.
 *
 * MariaDB (verified on 10.11): `Binlog_snapshot_file`/`Binlog_snapshot_position` are the binlog
 * coordinates at the instant the consistent snapshot was taken (the storage engine and the binlog
 * are synchronised at START TRANSACTION WITH CONSISTENT SNAPSHOT), and BINLOG_GTID_POS(file, pos)
 * turns exactly those coordinates into the GTID position. Reading @@GLOBAL.gtid_binlog_pos instead
 * gives the position at the moment of the SELECT, which under concurrent writes is later than the
 * snapshot: a change stream started there would miss the commits in between.
 *
 * MySQL (documented, not testable here): it has no Binlog_snapshot_* status. The documented exact
 * method blocks writes briefly, as mysqldump --single-transaction --source-data does: `FLUSH TABLES
 * WITH READ LOCK; START TRANSACTION WITH CONSISTENT SNAPSHOT; SHOW BINARY LOG STATUS (SHOW MASTER
 * STATUS before 8.2) and @@GLOBAL.gtid_executed; UNLOCK TABLES`. performance_schema.log_status (8.0.17+)
 * gives binlog and GTID coordinates consistent with each other, but at the instant of the query, not
 * of the transaction's snapshot (LOCK INSTANCE FOR BACKUP does not stop DML). Neither is done here, so
 * on a server without Binlog_snapshot_* the position read after the START is recorded with
 * `exact: false` and every report says it is approximate.
 */
export async function snapshotPosition(conn: Connection): Promise<SnapshotPosition> {
  const status = await queryRows(conn, "SHOW STATUS LIKE 'binlog_snapshot%'");
  const byName = new Map(status.map((r) => [String(r.Variable_name).toLowerCase(), r.Value === null ? null : String(r.Value)]));
  const file = byName.get('binlog_snapshot_file') || null;
  const posText = byName.get('binlog_snapshot_position') ?? null;
  const pos = posText !== null && posText !== '' ? Number(posText) : null;
  if (file && pos !== null) {
    const g = await queryRows(conn, 'SELECT BINLOG_GTID_POS(?, ?) AS g', [file, pos]).catch(() => []);
    const gtid = g[0] && g[0].g !== null ? String(g[0].g) : null;
    return { binlogFile: file, binlogPosition: pos, gtidBinlogPos: gtid, exact: gtid !== null };
  }
  // No snapshot coordinates (MySQL, or the binlog is off): what the server says now, marked approximate.
  const g = await queryRows(conn, 'SELECT @@GLOBAL.gtid_executed AS g').catch(() => []);
  return { binlogFile: null, binlogPosition: null, gtidBinlogPos: g[0] && g[0].g !== null && g[0].g !== '' ? String(g[0].g) : null, exact: false };
}

export class SnapshotReader {
  private constructor(
    private readonly conn: Connection,
    readonly position: SnapshotPosition,
  ) {}

  static async open(spec: ServerSpec): Promise<SnapshotReader> {
    const conn = await connect(spec);
    try {
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const position = await snapshotPosition(conn);
      await conn.query('SET SESSION character_set_results = binary');
      return new SnapshotReader(conn, position);
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /** The promise wrapper keeps the callback connection on `.connection`; only that one streams rows. */
  private get core(): CoreConnection {
    return (this.conn as unknown as { connection: CoreConnection }).connection;
  }

  /**
   * One keyset chunk, streamed: each row is encoded (LOAD DATA blocks, or an INSERT tuple) as it
   * arrives and then dropped, so a chunk costs its encoded bytes, not mysql2's row objects plus the
   * network buffers their cells are slices of. `typeCast: false` hands every cell over as raw bytes
   * without mysql2's per-cell wrapper and closure.
   */
  async readChunk(
    shape: TableShape,
    bounds: RangeBounds,
    limit: number,
    method: 'load' | 'insert' = 'load',
    maxBytes = Infinity,
    /** A fixed condition ANDed into every read (a JobSpec key range, from rangeCondition). */
    filter: { sql: string; values: unknown[] } | null = null,
  ): Promise<ReadChunk> {
    if (!shape.keyMayRepeat || bounds.upTo) return this.readRange(shape, bounds, limit, method, maxBytes, filter);
    // A repeating key (NULLs in a UNIQUE key) cannot end a chunk after LIMIT rows: the rest of a
    // group of equal keys would be skipped by the next `after` bound. Find the key `limit` rows on,
    // then read up to it inclusively: whole groups, never cut by the byte cap either.
    const t = qualified(shape.info.database, shape.info.name);
    const probe = chunkQuery(t, keySelectList(shape.keyColumns), shape.keyColumns, bounds, 1, limit - 1, filter);
    const [rows] = await this.conn.query<RowDataPacket[]>({ sql: probe.sql, values: probe.values, rowsAsArray: true, typeCast: false });
    const row = rows[0] as unknown as RawRow | undefined;
    const upTo = row ? row.map((b) => (b === null ? null : Buffer.from(b))) : null;
    return this.readRange(shape, { after: bounds.after, upTo }, Infinity, method, Infinity, filter);
  }

  private readRange(shape: TableShape, bounds: RangeBounds, limit: number, method: 'load' | 'insert', maxBytes: number, filter: { sql: string; values: unknown[] } | null): Promise<ReadChunk> {
    const t0 = performance.now();
    const q = chunkQuery(qualified(shape.info.database, shape.info.name), shape.selectList, shape.keyColumns, bounds, limit, 0, filter);
    const encoder = method === 'load' ? new BlockEncoder() : null;
    const codecs = method === 'insert' ? shape.writeCodecs() : [];
    const sqlValues = encoder ? null : new SqlValuesEncoder(codecs.map((c) => c.kind === 'number'), plainLiteralOk(codecs));
    const cols = shape.writeIndexes;
    const width = shape.selectNames.length;
    let rowCount = 0;
    let last: RawRow | null = null;
    // The last row's bytes: mysql2 reuses one Packet object, but the buffer it points into is fresh
    // per network read (or per reassembled packet), so remembering where the row was is enough.
    let lastPacket: { buffer: Buffer; offset: number; end: number } | null = null;
    return new Promise<ReadChunk>((resolve, reject) => {
      let failed = false;
      let truncated = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const query = this.core.query({ sql: q.sql, values: q.values, rowsAsArray: true, typeCast: false });
      // LOAD DATA: encode each row packet's bytes directly (no cell slices, no row arrays, no events).
      const state = query as unknown as { row?: RowState };
      const nextRow = state.row;
      if (encoder && isIdentity(cols) && typeof nextRow === 'function') {
        const write = cols.length;
        const row: RowState = function (this: unknown, packet, conn) {
          if (packet.isEOF()) return nextRow.call(this, packet, conn);
          if (!failed && !truncated) {
            try {
              encoder.packetRow(packet.buffer, packet.offset, packet.end, width, write);
              rowCount++;
              lastPacket = { buffer: packet.buffer, offset: packet.offset, end: packet.end };
              truncated = encoder.bytes >= maxBytes;
            } catch (err) {
              fail(err);
            }
          }
          return row;
        };
        state.row = row;
      }
      // Rows mysql2 parses itself (the INSERT path, or if the hook above is not reached).
      query.on('result', (row: RawRow) => {
        if (failed || truncated) return;
        try {
          if (encoder) encoder.row(row, cols);
          else sqlValues?.row(row, cols);
        } catch (err) {
          fail(err);
        }
        rowCount++;
        last = row;
        lastPacket = null;
        truncated = (encoder ? encoder.bytes : (sqlValues?.bytes ?? 0)) >= maxBytes;
      });
      query.on('error', fail);
      query.on('end', () => {
        if (failed) return;
        try {
          const readSeconds = (performance.now() - t0) / 1000;
          const lp = lastPacket as { buffer: Buffer; offset: number; end: number } | null;
          const lastRow = lp ? packetCells(lp.buffer, lp.offset, lp.end, width) : (last as RawRow | null);
          const lastKey = lastRow ? shape.keyOf(lastRow).map((b) => (b === null ? null : Buffer.from(b))) : null;
          const values = sqlValues ? sqlValues.finish() : '';
          const encoded = encoder ? encoder.finish() : [];
          resolve({ rowCount, encoded, values, bytes: encoder ? encoder.bytes : values.length, lastKey, readSeconds, truncated: truncated && rowCount < limit });
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  /**
   * Rows of the snapshot after `after` (the whole table for null): the self-check a table's copy
   * must add up to, counted in the same transaction the chunks were read in, within the job's key
   * range for the table when it has one (range partitioning).
   */
  async countRows(shape: TableShape, after: KeyValue | null, filter: { sql: string; values: unknown[] } | null = null): Promise<number> {
    const t = qualified(shape.info.database, shape.info.name);
    const c = after && shape.keyColumns.length ? afterCondition(shape.keyColumns, after) : null;
    const conds = [...(filter ? [filter.sql] : []), ...(c ? [c.sql] : [])];
    const values = [...(filter?.values ?? []), ...(c?.values ?? [])];
    const rows = await queryRows(this.conn, `SELECT COUNT(*) AS n FROM ${t}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`, values);
    return Number(String(rows[0].n));
  }

  /** The whole table as one stream of LOAD DATA bytes (keyless tables: one transaction, no resume). */
  streamTable(shape: TableShape): Readable {
    const sql = `SELECT ${shape.selectList} FROM ${qualified(shape.info.database, shape.info.name)}`;
    // The promise wrapper keeps the callback connection on `.connection`; only that one streams rows.
    const rows = this.core.query({ sql, rowsAsArray: true, typeCast: false }).stream({ highWaterMark: 1000 });
    const batch: RawRow[] = [];
    const encode = new Transform({
      readableObjectMode: false,
      writableObjectMode: true,
      transform(row: RawRow, _enc, cb) {
        batch.push(row);
        if (batch.length >= 1000) {
          const buf = encodeRows(batch.splice(0), shape.writeIndexes);
          cb(null, buf);
        } else cb();
      },
      flush(cb) {
        cb(null, batch.length ? encodeRows(batch.splice(0), shape.writeIndexes) : undefined);
      },
    });
    rows.on('error', (err: Error) => encode.destroy(err));
    return rows.pipe(encode);
  }

  async close(): Promise<void> {
    try {
      await this.conn.query('ROLLBACK');
      await this.conn.end();
    } catch {
      this.conn.destroy();
    }
  }
}
