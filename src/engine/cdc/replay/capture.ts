/**
 * Takes the job's Rows events raw as zongji reads the binlog, so a batch can be replayed on the
 * target with `BINLOG` statements (replayer.ts). zongji is told not to decode Rows events at all
 * (they are most of its work); their rows are counted from the bytes (rowCount.ts). Where a batch
 * must go by SQL after all, it is read again decoded (follower.ts).
 *
 * zongji hands out no raw bytes. Its per-stream packet handler (`BinlogClass.prototype.binlogData`,
 * created per start just before it emits `ready`) is wrapped: the wrapper sees every event's bytes
 * before zongji parses (or skips) the packet. A Table_map is noted, and taken once zongji has
 * decoded it and the stream found it is a job table's (`tableMap`); a Rows event of a table so
 * mapped is handed out at once (`onRows`), in binlog order. The bytes are the packet's own (no
 * copy); only a Table_map (renamed to the target database) and a Rows event whose statement-end
 * flag is set here are copies.
 *
 * A statement can touch tables outside the job (a multi-table UPDATE or DELETE, a trigger): its last
 * Rows event, the one flagged as the statement's end, may be one that is not replayed. The job's
 * last Rows event of that statement is then flagged instead, so the target ends the statement
 * where the replayed part of it ends.
 */
import type { RawRowsEvent } from '../types.js';
import { endsStatement, eventType, FORMAT_DESCRIPTION, isRowsEvent, TABLE_MAP, tableIdOf, withDatabase, withStatementEnd } from './rawEvents.js';
import { countRows, type MappedColumn } from './rowCount.js';

interface Packet {
  buffer: Buffer;
  offset: number;
  end: number;
}

type PacketHandler = (this: unknown, packet: Packet, connection: unknown) => unknown;

/** zongji's decoded Table_map of a table id: its columns, and their information_schema rows. */
interface ZongJiTable {
  columns?: MappedColumn[];
  columnSchemas?: { COLUMN_TYPE?: string }[];
}

/** A job table's Table_map: the source's bytes, renamed for the target, and its columns' widths. */
interface MappedTable {
  source: Buffer;
  renamed: Buffer;
  columns: MappedColumn[];
  /** Each column's COLUMN_TYPE, lower case. */
  declared: string[];
}

export interface HookableZongJi {
  on(event: 'ready', listener: () => void): unknown;
  BinlogClass?: { prototype: { binlogData: PacketHandler } };
  useChecksum?: boolean;
  tableMap?: Record<number, ZongJiTable | undefined>;
}

export class RawCapture {
  private fde: Buffer | null = null;
  /** The event zongji is about to parse and emit (a Table_map or Rows event), or null. */
  private current: Buffer | null = null;
  /** Table ids the latest Table_map of which maps a job table (a Rows event of another id is not replayed). */
  private readonly mapped = new Set<number>();
  /**
   * Per table id, the job table's last Table_map as the source wrote it, renamed to the target
   * database, and its column widths for counting rows (from zongji's decoded Table_map). Every
   * statement maps its tables again, mostly with the same bytes: those are not renamed again.
   */
  private readonly maps = new Map<number, MappedTable>();
  /** The job's last Rows event of the statement in progress, while that statement has not ended. */
  private open: RawRowsEvent | null = null;
  /** Set when a packet could not be taken apart: no batch from then on is replayed (SQL applies them). */
  broken = false;

  constructor(
    private readonly zongji: HookableZongJi,
    /** The database the Table_maps name on the target. */
    private readonly targetDatabase: string,
    /** A job table's Rows event, in binlog order. */
    private readonly onRows: (raw: RawRowsEvent) => void,
  ) {
    zongji.on('ready', () => this.install());
  }

  private get checksum(): boolean {
    return this.zongji.useChecksum === true;
  }

  private install(): void {
    const proto = this.zongji.BinlogClass?.prototype;
    if (!proto) {
      this.broken = true;
      return;
    }
    const original = proto.binlogData;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper's `this` is zongji's command
    const capture = this;
    proto.binlogData = function (this: unknown, packet: Packet, connection: unknown) {
      capture.onPacket(packet);
      return original.call(this, packet, connection);
    };
  }

  private onPacket(packet: Packet): void {
    this.current = null;
    // An OK packet's payload: a 0x00 marker, then the event. EOF and error packets are not events.
    if (!packet?.buffer || packet.buffer[packet.offset] !== 0x00 || packet.end - packet.offset < 20) return;
    try {
      const event = packet.buffer.subarray(packet.offset + 1, packet.end);
      const type = eventType(event);
      if (type === FORMAT_DESCRIPTION) {
        this.fde = Buffer.from(event);
      } else if (type === TABLE_MAP) {
        // A table id is the job's again only if the stream takes this Table_map (tableMap below).
        this.mapped.delete(tableIdOf(event));
        this.current = event;
      } else if (isRowsEvent(type)) {
        const tableId = tableIdOf(event);
        if (this.mapped.has(tableId)) this.rows(event, tableId);
        else if (endsStatement(event)) this.endStatement();
      }
    } catch {
      this.broken = true;
    }
  }

  /** The statement in progress ended with an event that is not replayed: flag the job's last one. */
  private endStatement(): void {
    const open = this.open;
    this.open = null;
    if (open) open.rows = withStatementEnd(open.rows, this.checksum);
  }

  /** The stream took the Table_map zongji just decoded: it maps a job table. */
  tableMap(tableId: number): void {
    const event = this.current;
    if (!event || eventType(event) !== TABLE_MAP || tableIdOf(event) !== tableId) {
      this.broken = true;
      return;
    }
    this.mapped.add(tableId);
    if (this.maps.get(tableId)?.source.equals(event)) return;
    const table = this.zongji.tableMap?.[tableId];
    this.maps.set(tableId, {
      source: Buffer.from(event),
      renamed: withDatabase(event, this.targetDatabase, this.checksum),
      columns: table?.columns ?? [],
      declared: (table?.columnSchemas ?? []).map((c) => String(c.COLUMN_TYPE ?? '').toLowerCase()),
    });
  }

  /** A job table's Rows event: handed out raw, its rows counted (null: not countable, see rowCount.ts). */
  private rows(event: Buffer, tableId: number): void {
    const map = this.maps.get(tableId) as MappedTable; // mapped, so taken by tableMap
    // A missing Format_description (never seen: the server sends it first) leaves the rows uncounted: not replayed.
    const rowCount = this.broken || !this.fde ? null : countRows(event, map.columns, map.declared, this.checksum);
    const raw: RawRowsEvent = { tableId, tableMap: map.renamed, rows: event, rowCount, fde: this.fde ?? Buffer.alloc(0) };
    this.open = endsStatement(event) ? null : raw;
    this.onRows(raw);
  }

  /** A transaction ended: no statement is open. */
  commit(): void {
    this.open = null;
  }
}
