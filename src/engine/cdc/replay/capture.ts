/**
 * Keeps the raw bytes of the job's Rows events as zongji reads them, so a batch can be replayed on
 * the target with `BINLOG` statements (replayer.ts) while zongji still decodes every row (the
 * decoded rows count the events and are the SQL fallback's input).
 *
 * zongji hands out no raw bytes. Its per-stream packet handler (`BinlogClass.prototype.binlogData`,
 * created per start just before it emits `ready`) is wrapped: the wrapper notes the event's bytes,
 * then zongji parses and emits the same packet synchronously, and the stream's handler takes the
 * noted bytes for a job table's Table_map or Rows event. The bytes are the packet's own (no copy);
 * only a Table_map (renamed to the target database) and a Rows event whose statement-end flag is set
 * here are copies.
 *
 * A statement can touch tables outside the job (a multi-table UPDATE or DELETE, a trigger): its last
 * Rows event, the one flagged as the statement's end, may be one that is not replayed. The job's
 * last Rows event of that statement is then flagged instead, so the target ends the statement
 * where the replayed part of it ends.
 */
import type { RawRowsEvent } from '../types.js';
import { endsStatement, eventType, FORMAT_DESCRIPTION, isRowsEvent, TABLE_MAP, tableIdOf, withDatabase, withStatementEnd } from './rawEvents.js';

interface Packet {
  buffer: Buffer;
  offset: number;
  end: number;
}

type PacketHandler = (this: unknown, packet: Packet, connection: unknown) => unknown;

interface HookableZongJi {
  on(event: 'ready', listener: () => void): unknown;
  BinlogClass?: { prototype: { binlogData: PacketHandler } };
  useChecksum?: boolean;
}

export class RawCapture {
  private fde: Buffer | null = null;
  /** The event zongji is about to parse and emit (a Table_map or Rows event), or null. */
  private current: Buffer | null = null;
  /** The job tables' Table_maps by table id, renamed to the target database. */
  private readonly tableMaps = new Map<number, Buffer>();
  /** The source bytes each renamed Table_map was made from: an identical one is not renamed again. */
  private readonly sourceTableMaps = new Map<number, Buffer>();
  /** The job's last Rows event of the statement in progress, while that statement has not ended. */
  private open: RawRowsEvent | null = null;
  /** Set when a packet could not be taken apart: no batch from then on is replayed (SQL applies them). */
  broken = false;

  constructor(
    private readonly zongji: HookableZongJi,
    /** The database the Table_maps name on the target. */
    private readonly targetDatabase: string,
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
        this.tableMaps.delete(tableIdOf(event));
        this.current = event;
      } else if (isRowsEvent(type)) {
        this.current = event;
        if (endsStatement(event) && !this.tableMaps.has(tableIdOf(event))) this.endStatement();
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

  /** The stream took the Table_map just read: it maps a job table. */
  tableMap(tableId: number): void {
    const event = this.current;
    if (!event || eventType(event) !== TABLE_MAP || tableIdOf(event) !== tableId) {
      this.broken = true;
      return;
    }
    const before = this.sourceTableMaps.get(tableId);
    const renamed = this.tableMaps.get(tableId);
    if (before && renamed && before.equals(event)) return;
    this.sourceTableMaps.set(tableId, Buffer.from(event));
    this.tableMaps.set(tableId, withDatabase(event, this.targetDatabase, this.checksum));
  }

  /** The stream took the Rows event just read (a job table's, `rowCount` rows): its raw form, or null. */
  rows(tableId: number, rowCount: number): RawRowsEvent | null {
    const event = this.current;
    const tableMap = this.tableMaps.get(tableId);
    if (this.broken || !event || !this.fde || !tableMap || !isRowsEvent(eventType(event)) || tableIdOf(event) !== tableId) {
      this.broken = true;
      return null;
    }
    const raw: RawRowsEvent = { tableId, tableMap, rows: event, rowCount, fde: this.fde };
    this.open = endsStatement(event) ? null : raw;
    return raw;
  }

  /** A transaction ended: no statement is open. */
  commit(): void {
    this.open = null;
  }
}
