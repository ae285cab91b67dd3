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
 */
import type { Connection } from '../db/connection.js';
import { closeQuietly, connect } from '../db/connection.js';
import { qualified, quoteIdent, quoteList } from '../db/sql.js';
import type { ServerSpec } from '../db/server.js';
import type { TableDefinition } from '../schema/inspector.js';
import { UniqueConflictError } from './errors.js';
import { savePosition } from './positionStore.js';
import { literal, type ColumnShape } from './values.js';
import type { BinlogPosition, CellValue, RowChange, RowImage } from './types.js';

const SESSION = [
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
  // The net effect of a batch is applied table by table, not in source order, and a DELETE+INSERT
  // of a parent must not cascade to children on the target: the source already did that.
  'SET SESSION foreign_key_checks = 0',
  'SET SESSION sql_notes = 0',
  'SET SESSION autocommit = 1',
];

/** Statement size bound, far under max_allowed_packet. */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const MAX_KEYS_PER_DELETE = 1_000;

interface TableTarget {
  name: string;
  /** Target columns written (generated columns excluded). */
  columns: ColumnShape[];
  key: ColumnShape[];
  keyName: string;
  /**
   * The key is the table's only unique index: a duplicate can then only be the row itself, so the
   * last images are written with INSERT ... ON DUPLICATE KEY UPDATE (an update in place, no delete),
   * and only keys whose last change was a delete are deleted. About half the server work.
   */
  upsert: boolean;
}

interface NetRow {
  key: CellValue[];
  row: RowImage | null;
}

function keyString(values: CellValue[]): string {
  return JSON.stringify(values.map((v) => (Buffer.isBuffer(v) ? `x:${v.toString('hex')}` : typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : v}` : v)));
}

export interface ApplyStats {
  events: number;
  deletes: number;
  inserts: number;
}

export class ChangeApplier {
  private readonly tables = new Map<string, TableTarget>();

  private constructor(
    private readonly conn: Connection,
    private readonly database: string,
    private readonly jobId: string,
    targetTables: TableDefinition[],
  ) {
    for (const t of targetTables) {
      if (!t.key) throw new Error(`target table ${t.database}.${t.name} has no primary key or NOT NULL unique key to apply changes by`);
      const byName = new Map(t.columns.map((c) => [c.name, c]));
      this.tables.set(t.name, {
        name: t.name,
        columns: t.columns.filter((c) => !c.generated).map((c) => ({ name: c.name, dataType: c.dataType.toLowerCase() })),
        key: t.key.columns.map((k) => ({ name: k, dataType: (byName.get(k)?.dataType ?? '').toLowerCase() })),
        keyName: t.key.name,
        upsert: t.indexes.filter((i) => i.unique).length === 1,
      });
    }
  }

  static async open(spec: ServerSpec, database: string, jobId: string, targetTables: TableDefinition[]): Promise<ChangeApplier> {
    const conn = await connect(spec, { session: SESSION });
    try {
      return new ChangeApplier(conn, database, jobId, targetTables);
    } catch (err) {
      await closeQuietly(conn);
      throw err;
    }
  }

  private table(name: string): TableTarget {
    const t = this.tables.get(name);
    if (!t) throw new Error(`a change arrived for ${this.database}.${name}, which is not one of the job's tables`);
    return t;
  }

  private keyOf(t: TableTarget, row: RowImage): CellValue[] {
    return t.key.map((k) => {
      if (!(k.name in row)) throw new Error(`binlog row of ${t.name} lacks key column ${k.name} (is binlog_row_image FULL?)`);
      return row[k.name];
    });
  }

  /** The net effect of the changes, per table, in first-touch order. */
  private reduce(changes: RowChange[]): Map<TableTarget, Map<string, NetRow>> {
    const net = new Map<TableTarget, Map<string, NetRow>>();
    for (const c of changes) {
      const t = this.table(c.table);
      let m = net.get(t);
      if (!m) net.set(t, (m = new Map()));
      if (c.op !== 'insert') {
        const key = this.keyOf(t, c.before);
        m.set(keyString(key), { key, row: null });
      }
      if (c.op !== 'delete') {
        const key = this.keyOf(t, c.after);
        const k = keyString(key);
        m.delete(k); // keep the map in last-touch order for the inserts
        m.set(k, { key, row: c.after });
      }
    }
    return net;
  }

  /** One transaction: the batch's net effect and the position after its last transaction. */
  async apply(changes: RowChange[], position: BinlogPosition, gtid: string | null, transactions: number): Promise<ApplyStats> {
    const net = this.reduce(changes);
    const stats: ApplyStats = { events: changes.length, deletes: 0, inserts: 0 };
    await this.conn.query('START TRANSACTION');
    try {
      for (const [t, rows] of net) {
        const all = [...rows.values()];
        const doomed = t.upsert ? all.filter((r) => r.row === null) : all;
        for (let i = 0; i < doomed.length; i += MAX_KEYS_PER_DELETE) {
          stats.deletes += await this.deleteKeys(t, doomed.slice(i, i + MAX_KEYS_PER_DELETE).map((r) => r.key));
        }
        const images = all.filter((r) => r.row !== null).map((r) => r.row as RowImage);
        stats.inserts += await this.insertRows(t, images);
      }
      await savePosition(this.conn, this.jobId, position, gtid, changes.length, transactions);
      await this.conn.query('COMMIT');
    } catch (err) {
      await this.conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return stats;
  }

  private async deleteKeys(t: TableTarget, keys: CellValue[][]): Promise<number> {
    if (keys.length === 0) return 0;
    let where: string;
    if (t.key.length === 1) {
      where = `${quoteIdent(t.key[0].name)} IN (${keys.map((k) => literal(k[0], t.key[0])).join(', ')})`;
    } else {
      where = keys.map((k) => '(' + t.key.map((c, i) => `${quoteIdent(c.name)} = ${literal(k[i], c)}`).join(' AND ') + ')').join(' OR ');
    }
    await this.conn.query(`DELETE FROM ${qualified(this.database, t.name)} WHERE ${where}`);
    return keys.length;
  }

  private async insertRows(t: TableTarget, rows: RowImage[]): Promise<number> {
    if (rows.length === 0) return 0;
    const head = `INSERT INTO ${qualified(this.database, t.name)} (${quoteList(t.columns.map((c) => c.name))}) VALUES `;
    const keyNames = new Set(t.key.map((k) => k.name));
    const others = t.columns.filter((c) => !keyNames.has(c.name));
    const tail =
      t.upsert && others.length > 0 ? ` ON DUPLICATE KEY UPDATE ${others.map((c) => `${quoteIdent(c.name)} = VALUES(${quoteIdent(c.name)})`).join(', ')}` : '';
    const verb = t.upsert && others.length === 0 ? 'INSERT IGNORE' : 'INSERT';
    let parts: string[] = [];
    let bytes = head.length + tail.length;
    const flush = async () => {
      if (parts.length === 0) return;
      try {
        await this.conn.query(head.replace(/^INSERT/, verb) + parts.join(',') + tail);
      } catch (err) {
        throw this.conflict(t, err);
      }
      parts = [];
      bytes = head.length + tail.length;
    };
    for (const row of rows) {
      const values = t.columns.map((c) => {
        if (!(c.name in row)) throw new Error(`binlog row of ${t.name} lacks column ${c.name}: the source and target definitions differ`);
        return literal(row[c.name], c);
      });
      const text = `(${values.join(',')})`;
      if (bytes + text.length > MAX_STATEMENT_BYTES) await flush();
      parts.push(text);
      bytes += text.length + 1;
    }
    await flush();
    return rows.length;
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
    await closeQuietly(this.conn);
  }
}
