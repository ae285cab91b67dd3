/**
 * Applier: writer connections on the target. A chunk's rows and its checkpoint row commit in one
 * transaction. LOAD DATA LOCAL streams the bytes from memory; the multi-row INSERT path exists for
 * servers with local_infile disabled.
 */
import { Readable, Transform, type Writable } from 'node:stream';
import type { ResultSetHeader } from 'mysql2/promise';
import type { Connection } from '../db/connection.js';
import { connect, queryRows } from '../db/connection.js';
import { INSERT_CHUNK_SQL, encodeKey, markTableDoneSql } from '../jobs/checkpoint.js';
import type { KeyValue } from '../db/keyset.js';
import type { TableShape } from './reader.js';
import { selfCheck } from './selfCheck.js';
import { qualified, quoteIdent } from '../db/sql.js';
import type { IfExists, ServerSpec, WriteMethod } from '../jobs/types.js';

/**
 * STRICT so a value the target cannot hold fails instead of being clipped; no NO_ZERO_DATE so zero
 * dates copy; NO_AUTO_VALUE_ON_ZERO so a 0 in an AUTO_INCREMENT column stays 0.
 */
const WRITER_SESSION = [
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
  // Parents and children are copied in any order and in parallel.
  'SET SESSION foreign_key_checks = 0',
  'SET SESSION autocommit = 1',
  // Notes (a generated DECIMAL rounded) would count as warnings, and any warning fails a chunk.
  'SET SESSION sql_notes = 0',
];

export interface ChunkWrite {
  jobId: string;
  table: string;
  seq: number;
  lo: KeyValue | null;
  hi: KeyValue | null;
  rowCount: number;
  /** LOAD DATA bytes in blocks (method load). */
  encoded: Buffer[];
  /** `(...), (...)` VALUES text (method insert). */
  values: string;
  /** Bytes sent, for the checkpoint row. */
  bytes: number;
  /** More checkpoint statements for the same transaction (an incremental job's stored mark). */
  also?: { sql: string; values: unknown[] }[];
}

/** Bytes allowed in the socket's write buffer before LOAD DATA input waits for 'drain'. */
const SOCKET_HIGH_WATER = 1024 * 1024;

export class Writer {
  private constructor(
    private readonly conn: Connection,
    private readonly method: WriteMethod,
    private readonly ifExists: IfExists,
  ) {}

  static async open(spec: ServerSpec, method: WriteMethod, ifExists: IfExists): Promise<Writer> {
    return new Writer(await connect(spec, { session: WRITER_SESSION }), method, ifExists);
  }

  loadSql(shape: TableShape, targetDb: string): string {
    const verb = this.ifExists === 'upsert' ? 'REPLACE ' : '';
    return (
      `LOAD DATA LOCAL INFILE 'rw-migrate-chunk' ${verb}INTO TABLE ${qualified(targetDb, shape.info.name)} ` +
      "CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
      `(${shape.writeNames.map(quoteIdent).join(', ')})`
    );
  }

  /** The network socket under the connection (mysql2 keeps it on the callback connection's `.stream`). */
  private socket(): Writable | null {
    const core = (this.conn as unknown as { connection?: { stream?: Writable } }).connection;
    return core?.stream ?? null;
  }

  /**
   * mysql2 feeds LOAD DATA input in flowing mode, copying every piece into a packet and writing it
   * at once: without a gate the whole input would sit in the socket's buffer (twice, with the copy).
   * This passes a piece on only while the socket holds less than SOCKET_HIGH_WATER unsent bytes.
   */
  private gated(data: Readable): Readable {
    const socket = this.socket();
    if (!socket) return data;
    const gate = new Transform({
      transform(piece: Buffer, _enc, cb) {
        if (socket.writableLength > SOCKET_HIGH_WATER && !socket.destroyed) {
          const go = () => {
            socket.off('close', go);
            socket.off('drain', go);
            cb(null, piece);
          };
          socket.once('drain', go);
          socket.once('close', go);
        } else cb(null, piece);
      },
    });
    data.on('error', (err) => gate.destroy(err));
    return data.pipe(gate);
  }

  private async load(shape: TableShape, targetDb: string, data: Readable, expectRows: number | null): Promise<number> {
    const input = this.gated(data);
    const [res] = await this.conn.query<ResultSetHeader>({
      sql: this.loadSql(shape, targetDb),
      infileStreamFactory: () => input,
    });
    await this.checkLoaded(res, expectRows);
    return res.affectedRows;
  }

  /**
   * LOAD DATA LOCAL turns errors into warnings (duplicates are skipped!): any warning or a short
   * count fails the chunk. Notes are fine: computing a generated DECIMAL column rounds with a note.
   */
  private async checkLoaded(res: ResultSetHeader, expectRows: number | null): Promise<void> {
    const short = expectRows !== null && this.ifExists !== 'upsert' && res.affectedRows !== expectRows;
    if (res.warningStatus === 0 && !short) return;
    const warnings = res.warningStatus > 0 ? await queryRows(this.conn, 'SHOW WARNINGS') : [];
    const serious = warnings.filter((w) => String(w.Level) !== 'Note');
    if (serious.length === 0 && !short) return;
    const text = serious.slice(0, 5).map((w) => `${w.Level} ${w.Code}: ${w.Message}`).join('; ');
    throw new Error(`target rejected rows: ${res.affectedRows} of ${expectRows ?? '?'} written` + (text ? ` (${text})` : ''));
  }

  /** The VALUES text was built as the rows were read (reader.ts); only the statement around it is added here. */
  private async insert(shape: TableShape, targetDb: string, values: string, rowCount: number): Promise<void> {
    if (values.length === 0) return;
    const cols = shape.writeNames.map(quoteIdent).join(', ');
    let sql = `INSERT INTO ${qualified(targetDb, shape.info.name)} (${cols}) VALUES ${values}`;
    if (this.ifExists === 'upsert') {
      sql += ` ON DUPLICATE KEY UPDATE ${shape.writeNames.map((n) => `${quoteIdent(n)} = VALUES(${quoteIdent(n)})`).join(', ')}`;
    }
    const [res] = await this.conn.query<ResultSetHeader>(sql);
    if (res.warningStatus > 0 || (this.ifExists !== 'upsert' && res.affectedRows !== rowCount)) await this.checkLoaded(res, rowCount);
  }

  /** Load one chunk without committing; the caller commits in chunk order. */
  async begin(shape: TableShape, targetDb: string, chunk: ChunkWrite): Promise<void> {
    await this.conn.query('START TRANSACTION');
    try {
      if (chunk.rowCount > 0) {
        if (this.method === 'load') await this.load(shape, targetDb, Readable.from(chunk.encoded, { objectMode: false }), chunk.rowCount);
        else await this.insert(shape, targetDb, chunk.values, chunk.rowCount);
      }
      await this.conn.query(INSERT_CHUNK_SQL, [
        chunk.jobId,
        chunk.table,
        chunk.seq,
        encodeKey(chunk.lo),
        encodeKey(chunk.hi),
        chunk.rowCount,
        chunk.bytes,
      ]);
      for (const stmt of chunk.also ?? []) await this.conn.query(stmt.sql, stmt.values);
    } catch (err) {
      await this.rollback();
      throw err;
    }
  }

  async commit(): Promise<void> {
    await this.conn.query('COMMIT');
  }

  async rollback(): Promise<void> {
    try {
      await this.conn.query('ROLLBACK');
    } catch {
      // the connection is gone; the server rolls back on its own
    }
  }

  /** A keyless table in one transaction, marked done in the same transaction. */
  async streamTable(shape: TableShape, targetDb: string, jobId: string, data: Readable, expectRows: number | null = null): Promise<number> {
    await this.conn.query('START TRANSACTION');
    try {
      const rows = await this.load(shape, targetDb, data, null);
      if (expectRows !== null && this.ifExists !== 'upsert') selfCheck(shape.info.name, rows, expectRows);
      // One chunk row for the whole table keeps the job's row totals complete.
      await this.conn.query(INSERT_CHUNK_SQL, [jobId, shape.info.name, 0, null, null, rows, 0]);
      await this.conn.query(markTableDoneSql().sql, [jobId, shape.info.name]);
      await this.conn.query('COMMIT');
      return rows;
    } catch (err) {
      await this.rollback();
      throw err;
    }
  }

  async truncate(targetDb: string, table: string): Promise<void> {
    await this.conn.query(`TRUNCATE TABLE ${qualified(targetDb, table)}`);
  }

  async close(): Promise<void> {
    try {
      await this.conn.end();
    } catch {
      this.conn.destroy();
    }
  }
}

