/**
 * Table size estimates the worker already has: every table listing it answers (ListTablesRequest,
 * information_schema.TABLES' TABLE_ROWS and DATA_LENGTH) is remembered per server, and the active
 * profile's primary (set by the lag poll session) is the server whose estimates the SQL checks use.
 * No query of its own: a check never waits for a server.
 */
import type { TableSize } from '../engine/sqlcheck/index.js';

interface Listed {
  name: string;
  estimatedRows: number;
  dataBytes: number;
  indexBytes: number;
}

const keyOf = (s: { host: string; port: number }) => `${s.host}:${s.port}`;

export class TableSizes {
  /** server key -> database -> table -> size */
  private readonly byServer = new Map<string, Map<string, Map<string, TableSize>>>();
  private active: string | null = null;
  private listeners: (() => void)[] = [];

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  record(server: { host: string; port: number }, database: string, tables: Listed[]): void {
    const key = keyOf(server);
    const dbs = this.byServer.get(key) ?? new Map<string, Map<string, TableSize>>();
    this.byServer.set(key, dbs);
    dbs.set(database, new Map(tables.map((t) => [t.name, { rows: t.estimatedRows, bytes: t.dataBytes + t.indexBytes }])));
    if (key === this.active) this.changed();
  }

  setActive(server: { host: string; port: number } | null): void {
    const key = server ? keyOf(server) : null;
    if (key === this.active) return;
    this.active = key;
    this.changed();
  }

  /**
   * The active primary's estimate for `database.table`; for an unqualified name, the only table of
   * that name among its listed databases, or the largest of several (a check errs towards warning).
   */
  lookup(database: string | null, table: string): TableSize | null {
    const dbs = this.active ? this.byServer.get(this.active) : undefined;
    if (!dbs) return null;
    if (database !== null) return dbs.get(database)?.get(table) ?? null;
    let best: TableSize | null = null;
    for (const tables of dbs.values()) {
      const s = tables.get(table);
      if (s && (!best || s.rows > best.rows)) best = s;
    }
    return best;
  }
}
