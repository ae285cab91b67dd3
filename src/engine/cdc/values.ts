/**
 * SQL literals for values decoded from the binlog. Each form is chosen so the server stores exactly
 * what the source stored: exact strings for DECIMAL, 64-bit integers and temporals; shortest
 * round-trip text marked as a double (`e0`) for FLOAT/DOUBLE, so the server parses a double and
 * narrows it (exact for a FLOAT's own value), with -0 kept; hex for bytes (BLOB, BINARY, BIT).
 * Text goes as utf8mb4 and the server converts it to the column's charset.
 */
import mysql from 'mysql2';
import type { CellValue } from './types.js';

export interface ColumnShape {
  name: string;
  dataType: string;
}

export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  if (Object.is(n, -0)) return '-0e0';
  const s = String(n);
  if (Number.isInteger(n)) return s;
  return /e/i.test(s) ? s : `${s}e0`;
}

/** The characters mysql.escape rewrites in a string; most binlog strings have none of them. */
// eslint-disable-next-line no-control-regex -- NUL and SUB are among them
const NEEDS_ESCAPE = /[\0\b\t\n\r\x1a"'\\]/;

function stringLiteral(s: string): string {
  // Same text as mysql.escape gives, without its type dispatch and global-regex loop when nothing is escaped.
  return NEEDS_ESCAPE.test(s) ? mysql.escape(s) : `'${s}'`;
}

function bytesLiteral(b: Buffer): string {
  return b.length === 0 ? "''" : `X'${b.toString('hex')}'`;
}

/** The literal writer of one column (chosen once per table, not per value). */
export function literalWriter(column: ColumnShape): (value: CellValue) => string {
  const year = column.dataType === 'year';
  return (value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'string') return stringLiteral(value);
    if (typeof value === 'number') {
      // zongji decodes YEAR as 1900 + the stored byte; the stored 0 is the year 0000, not 1900.
      if (year && value === 1900) return '0';
      return numberLiteral(value);
    }
    return bytesLiteral(value);
  };
}

export function literal(value: CellValue, column: ColumnShape): string {
  return literalWriter(column)(value);
}
