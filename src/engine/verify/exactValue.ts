/**
 * The SQL that renders one column's STORED value exactly, per type, for hashing, for pairing rows
 * and for re-copying them. The rule: two stored values that differ must render differently (so a
 * hash over the rendering sees every difference CHECKSUM TABLE sees), and the rendering read back
 * into the same column must store the same value (so Repair writes exactly what the source has).
 *
 * - FLOAT / DOUBLE / REAL: the server prints FLOAT with 6 significant digits (123456792 and
 *   123457000 both print 123457000) and FLOAT(M,D) / DOUBLE(M,D) with D decimals, so the column's
 *   own text is lossy. `CAST(col AS DOUBLE)` widens a FLOAT exactly, and MariaDB prints a DOUBLE as
 *   the shortest text that parses back to the same double (checked over 20,000 random bit patterns
 *   of each width in test/integration/verify-exact.test.ts), so distinct stored values print
 *   distinctly and re-parse exactly. -0 prints as 0: a FLOAT can store -0 (a tiny negative value
 *   underflows to it) and CHECKSUM TABLE tells it from 0, so a zero carries its sign, found with
 *   ATAN2(-0, -1) = -pi (only evaluated for zeros). HEX(col) would not do: HEX of a number is the
 *   hex of its integer part.
 * - ENUM / SET: the label and the stored number (`col + 0`: index or bit mask). The label alone
 *   misses a reordered definition; the number alone misses a renamed value.
 * - Everything else renders exactly as it is: integers and DECIMAL print every digit and the
 *   column's scale; temporal types print their declared fraction (sessions are UTC, so TIMESTAMP
 *   text is one-to-one); CHAR/VARCHAR/TEXT/JSON and BLOB/BINARY/BIT are their stored bytes (a
 *   _ci or PAD SPACE collation never enters: CRC32/MD5/CONCAT read bytes, not weights). CHAR is
 *   what the server stores: trailing spaces are not kept (InnoDB pads, reads strip), so 'a' and
 *   'a ' in a CHAR are one stored value, and one CHECKSUM TABLE value; sessions clear
 *   PAD_CHAR_TO_FULL_LENGTH so both servers read CHAR alike.
 *
 * Measured on MariaDB 10.11 only. For MySQL 8 this rests on its documentation, not a test here:
 * CAST(... AS DOUBLE) exists from 8.0.17, and MySQL 8 likewise prints a DOUBLE as the shortest text
 * that reads back to the same value; its JSON type is stored in a binary form whose text is
 * normalised, so JSON whitespace and key order cannot differ there in the first place.
 */
import { quoteIdent } from '../db/sql.js';
import type { ColumnInfo } from '../schema/inspector.js';

export type ExactColumn = Pick<ColumnInfo, 'name' | 'nullable' | 'codec' | 'dataType'>;

/** The session setting both sides' reading connections use (see CHAR above). */
export const READ_SESSION = ["SET SESSION sql_mode = ''"];

export function isFloating(c: Pick<ColumnInfo, 'dataType'>): boolean {
  return /^(float|double|real|double precision)$/i.test(c.dataType);
}

function isEnumOrSet(c: Pick<ColumnInfo, 'dataType'>): boolean {
  return /^(enum|set)$/i.test(c.dataType);
}

/** A FLOAT/DOUBLE as exact text; '-0' for a negative zero. */
function floatText(col: string): string {
  return `IF(${col} = 0 AND ATAN2(${col}, -1) < 0, '-0', CAST(${col} AS DOUBLE))`;
}

/** The expression(s) a row hash concatenates for a column (more than one only for ENUM/SET). */
export function hashParts(c: ExactColumn): string[] {
  const col = quoteIdent(c.name);
  if (isFloating(c)) return [floatText(col)];
  if (isEnumOrSet(c)) return [col, `${col} + 0`];
  return [col];
}

/** The select-list expression whose bytes are the column's exact value (row fetch, repair, display). */
export function valueSql(c: ExactColumn): string {
  const col = quoteIdent(c.name);
  return isFloating(c) ? floatText(col) : col;
}

/**
 * The identity of a key value as the server compares keys: collation weights for strings ('a' and
 * 'A' are one key under _ci), the exact value for numbers and dates, the bytes for binary types.
 */
export function keyIdentSql(c: ExactColumn): string {
  const col = quoteIdent(c.name);
  switch (c.codec.kind) {
    case 'string':
      return `HEX(WEIGHT_STRING(${col}))`;
    case 'binary':
      return `HEX(${col})`;
    default:
      // A float key: -0 = 0 for the server, so the sign is left out of its identity.
      return isFloating(c) ? `CAST(${col} AS DOUBLE)` : col;
  }
}

/**
 * A column's type as it bears on the stored value, for comparing the two sides' definitions: the
 * display width of integers (MySQL 8.0.19+ omits it) does not change what is stored.
 */
export function storedType(c: Pick<ColumnInfo, 'columnType'>): string {
  return c.columnType.toLowerCase().replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1');
}
