/**
 * The few byte-level facts about binlog events that replaying them needs: an event's type, a Rows
 * event's table id and statement-end flag, and two rewrites (a Table_map's database name, a Rows
 * event's statement-end flag), each keeping the event's length and CRC32 consistent. Decoding rows
 * stays zongji's; nothing here reads a row.
 *
 * Layouts (binlog version 4, as MariaDB 10.x and MySQL 5.6+ write it; the replication protocol docs,
 * and MariaDB's log_event.h): a 19-byte common header (timestamp 4, type 1, server id 4, event
 * length 4, next position 4, flags 2); Table_map and Rows events then start with a 6-byte table id
 * and 2 bytes of flags; a Table_map's body starts with the database name (length byte, bytes, NUL)
 * and the table name. With binlog_checksum=CRC32 the event ends with the CRC32 of all its bytes before.
 */
import { crc32 } from 'node:zlib';

const HEADER_BYTES = 19;
const TYPE_AT = 4;
const LENGTH_AT = 9;
const POST_HEADER_AT = HEADER_BYTES;
const ROWS_FLAGS_AT = POST_HEADER_AT + 6;
/** Rows event flag: the last Rows event of its statement (the server ends the statement after it). */
const STMT_END_F = 0x0001;

export const FORMAT_DESCRIPTION = 15;
export const TABLE_MAP = 19;
const ROWS_TYPES = new Set([
  23, 24, 25, // WRITE/UPDATE/DELETE_ROWS_EVENT_V1 (MariaDB's)
  30, 31, 32, // WRITE/UPDATE/DELETE_ROWS_EVENT (v2, MySQL's)
]);

export function eventType(event: Buffer): number {
  return event[TYPE_AT];
}

export function isRowsEvent(type: number): boolean {
  return ROWS_TYPES.has(type);
}

/** The 6-byte table id of a Table_map or Rows event (below 2^48: exact as a number). */
export function tableIdOf(event: Buffer): number {
  return event.readUIntLE(POST_HEADER_AT, 6);
}

export function endsStatement(rows: Buffer): boolean {
  return (rows.readUInt16LE(ROWS_FLAGS_AT) & STMT_END_F) !== 0;
}

function sealed(event: Buffer, checksum: boolean): Buffer {
  event.writeUInt32LE(event.length, LENGTH_AT);
  if (checksum) event.writeUInt32LE(crc32(event.subarray(0, event.length - 4)), event.length - 4);
  return event;
}

/** A copy of a Rows event marked as its statement's last (the events after it in the statement are not replayed). */
export function withStatementEnd(rows: Buffer, checksum: boolean): Buffer {
  const out = Buffer.from(rows);
  out.writeUInt16LE(out.readUInt16LE(ROWS_FLAGS_AT) | STMT_END_F, ROWS_FLAGS_AT);
  return sealed(out, checksum);
}

/**
 * A copy of a Table_map event naming `database` instead of the source's database (what
 * `mariadb-binlog --rewrite-db` does). Throws where the name cannot be written (over 255 bytes).
 */
export function withDatabase(tableMap: Buffer, database: string, checksum: boolean): Buffer {
  const name = Buffer.from(database, 'utf8');
  if (name.length > 255) throw new Error(`database name ${database} is longer than a binlog Table_map can hold`);
  const dbAt = POST_HEADER_AT + 8;
  const oldLength = tableMap[dbAt];
  const rest = tableMap.subarray(dbAt + 1 + oldLength + 1, tableMap.length - (checksum ? 4 : 0));
  const out = Buffer.alloc(dbAt + 1 + name.length + 1 + rest.length + (checksum ? 4 : 0));
  tableMap.copy(out, 0, 0, dbAt);
  out[dbAt] = name.length;
  name.copy(out, dbAt + 1);
  out[dbAt + 1 + name.length] = 0;
  rest.copy(out, dbAt + 2 + name.length);
  return sealed(out, checksum);
}

/** The database and table a Table_map event names (for checks; zongji decodes the rest). */
export function tableMapNames(tableMap: Buffer): { database: string; table: string } {
  const dbAt = POST_HEADER_AT + 8;
  const dbLength = tableMap[dbAt];
  const tableAt = dbAt + 1 + dbLength + 1;
  return {
    database: tableMap.toString('utf8', dbAt + 1, dbAt + 1 + dbLength),
    table: tableMap.toString('utf8', tableAt + 1, tableAt + 1 + tableMap[tableAt]),
  };
}
