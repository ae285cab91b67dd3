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

export function literal(value: CellValue, column: ColumnShape): string {
  if (value === null) return 'NULL';
  if (Buffer.isBuffer(value)) return value.length === 0 ? "''" : `X'${value.toString('hex')}'`;
  if (typeof value === 'number') {
    // zongji decodes YEAR as 1900 + the stored byte; the stored 0 is the year 0000, not 1900.
    if (column.dataType === 'year' && value === 1900) return '0';
    return numberLiteral(value);
  }
  return mysql.escape(value);
}
