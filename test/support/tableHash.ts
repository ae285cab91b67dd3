// A byte-level fingerprint of a table computed by the test itself, not by product code: every
// column's stored value as hex (numbers as their exact text: HEX() of a number would round it to an
// integer, and FLOAT text has 6 digits, so FLOAT goes through DOUBLE), one line per row, the lines
// sorted (rows with repeated NULL keys have no defined order) and hashed with SHA-256 in Node.
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';

const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

export interface TableFingerprint {
  rows: number;
  sha256: string;
  /** CHECKSUM TABLE, or null for tables with VIRTUAL generated columns (unstable in MariaDB 10.11). */
  checksum: string | null;
}

function valueSql(column: string, dataType: string): string {
  const c = q(column);
  if (dataType === 'float') return `CAST(CAST(${c} AS DOUBLE) AS CHAR)`;
  if (/^(tinyint|smallint|mediumint|int|bigint|decimal|double)$/.test(dataType)) return `CAST(${c} AS CHAR)`;
  return `HEX(${c})`;
}

/** The fingerprint of `db`.`table`; `withVirtual` also hashes VIRTUAL columns (computed on read). */
export async function tableFingerprint(conn: mysql.Connection, db: string, table: string, withVirtual = true): Promise<TableFingerprint> {
  const [cols] = await conn.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS c, DATA_TYPE AS t, EXTRA AS e FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  if (cols.length === 0) throw new Error(`${db}.${table} does not exist`);
  const hasVirtual = cols.some((c) => /VIRTUAL/i.test(String(c.e)));
  const used = cols.filter((c) => withVirtual || !/VIRTUAL/i.test(String(c.e)));
  // 'N' is never a hex digit or a number's text: NULL stays apart from every value, '' included.
  const line = `CONCAT_WS(',', ${used.map((c) => `IFNULL(${valueSql(String(c.c), String(c.t))}, 'N')`).join(', ')})`;
  const [rows] = await conn.query<RowDataPacket[]>({ sql: `SELECT ${line} AS l FROM ${q(db)}.${q(table)}`, rowsAsArray: true });
  const lines = (rows as unknown as string[][]).map((r) => String(r[0])).sort();
  const hash = createHash('sha256');
  for (const l of lines) hash.update(l).update('\n');
  let checksum: string | null = null;
  if (!hasVirtual) {
    const [c] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE ${q(db)}.${q(table)}`);
    checksum = String(c[0].Checksum);
  }
  return { rows: lines.length, sha256: hash.digest('hex'), checksum };
}
