/**
 * Spatial columns in the change stream, byte-exact. zongji decodes a GEOMETRY cell into {x, y}
 * objects and arrays: the SRID is dropped (it skips the first 4 bytes), and a MULTIPOINT cannot be
 * told from a GEOMETRYCOLLECTION of points. The binlog itself carries the server's own storage
 * form, SRID (4 bytes, little-endian) followed by WKB, which is what the copy path moves too.
 *
 * So when a table map arrives, its GEOMETRY columns are re-labelled as BLOBs with no charset: zongji
 * then hands over those bytes as a Buffer (the length prefix of both types has the same layout,
 * `length_size` from the column metadata), and the applier writes them back as X'...' literals, which
 * MariaDB and MySQL store unchanged into a spatial column (they validate, never re-encode).
 *
 * The table map entry is zongji's own cache (`zongji.tableMap[tableId].columns`, typed in its
 * index.d.ts); row events read it when they are parsed, which is after the 'binlog' listener for the
 * table map returned (the emit is synchronous, the next packet is parsed afterwards).
 */

/** MySQL wire type codes (include/mysql_com.h enum_field_types). */
const MYSQL_TYPE_GEOMETRY = 255;
const MYSQL_TYPE_BLOB = 252;

interface ColumnInfo {
  type: number;
  charset: string | null;
}

interface TableMapEntry {
  columns?: ColumnInfo[];
}

/** Re-labels the GEOMETRY columns of one table map entry as BLOBs (raw bytes). Returns how many. */
export function rawGeometryColumns(entry: TableMapEntry | undefined): number {
  let n = 0;
  for (const c of entry?.columns ?? []) {
    if (c.type !== MYSQL_TYPE_GEOMETRY) continue;
    c.type = MYSQL_TYPE_BLOB;
    c.charset = null;
    n++;
  }
  return n;
}
