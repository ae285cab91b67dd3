// Shared pieces of the change-stream tests: a write load on the source (inserts, updates including
// key changes, deletes, across tables), a type corpus with edge values, and a comparison of source
// and target by CHECKSUM TABLE and COUNT(*) computed by the server, not by the product.
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from './sandbox.js';

export const LOAD_TABLES = ['items', 'pairs', 'corpus'];

export async function createLoadTables(conn: mysql.Connection, db: string): Promise<void> {
  await conn.query(`CREATE TABLE \`${db}\`.items (
      id INT NOT NULL PRIMARY KEY,
      code VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
      qty INT NOT NULL,
      price DECIMAL(20,6) NOT NULL,
      note VARCHAR(100) CHARACTER SET utf8mb4 NULL,
      updated DATETIME(6) NOT NULL,
      UNIQUE KEY uk_code (code)
    ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE \`${db}\`.pairs (
      a VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      b INT NOT NULL,
      val DOUBLE NOT NULL,
      blobby BLOB NULL,
      PRIMARY KEY (a, b)
    ) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE \`${db}\`.corpus (
      id INT NOT NULL PRIMARY KEY,
      ti TINYINT NULL, tu TINYINT UNSIGNED NULL, mi MEDIUMINT NULL, bi BIGINT NULL, bu BIGINT UNSIGNED NULL,
      de DECIMAL(65,30) NULL, fl FLOAT NULL, dbl DOUBLE NULL,
      dt DATETIME(6) NULL, ts TIMESTAMP(6) NULL DEFAULT NULL, d DATE NULL, tm TIME(6) NULL, yr YEAR NULL,
      vc VARCHAR(50) CHARACTER SET utf8mb4 NULL, l1 VARCHAR(50) CHARACTER SET latin1 NULL, ch CHAR(10) NULL,
      bl BLOB NULL, vb VARBINARY(20) NULL, bn BINARY(8) NULL,
      js JSON NULL, bt BIT(10) NULL, en ENUM('a','b','c') NULL, st SET('x','y','z') NULL,
      gs INT AS (ti + 1) STORED
    ) ENGINE=InnoDB`);
}

export async function seedLoadTables(conn: mysql.Connection, db: string, n: number): Promise<void> {
  const items: unknown[][] = [];
  const pairs: unknown[][] = [];
  for (let i = 1; i <= n; i++) {
    items.push([i, `c${i}`, i % 97, `${i}.125`, `note ${i} ü`, '2026-01-01 00:00:00.000001']);
    pairs.push([`k${i % 50}`, i, i / 7, Buffer.from([0, 255, i % 256])]);
  }
  for (let i = 0; i < items.length; i += 1000) {
    await conn.query(`INSERT INTO \`${db}\`.items VALUES ?`, [items.slice(i, i + 1000)]);
    await conn.query(`INSERT INTO \`${db}\`.pairs VALUES ?`, [pairs.slice(i, i + 1000)]);
  }
  await conn.query(`INSERT INTO \`${db}\`.corpus (id, ti, vc) VALUES (1, 1, 'seed'), (2, 2, NULL)`);
}

/** Edge values of every column type the corpus has, written on the source through the binlog. */
export async function writeCorpus(conn: mysql.Connection, db: string, base: number): Promise<void> {
  const t = `\`${db}\`.corpus`;
  const cols = '(id, ti, tu, mi, bi, bu, de, fl, dbl, dt, ts, d, tm, yr, vc, l1, ch, bl, vb, bn, js, bt, en, st)';
  await conn.query(`INSERT INTO ${t} ${cols} VALUES
    (${base + 1}, -128, 255, -8388608, -9223372036854775808, 18446744073709551615,
     -12345678901234567890123456789012345.123456789012345678901234567890, 123456792, 1.7976931348623157e308,
     '1000-01-01 00:00:00.000001', '2038-01-19 03:14:07.999999', '0000-00-00', '-838:59:59.000000', '0000',
     '😀 ü 中文', 'café ÿ', 'ab', X'00FF00', X'FF00', X'0001', '{"a": [1, 2.5, "x"], "big": 12345678901234567890}',
     b'1010101010', 'c', 'x,z'),
    (${base + 2}, 127, 0, 8388607, 9223372036854775807, 0,
     0.000000000000000000000000000001, -0.0, 4.9406564584124654e-324,
     '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01.000000', '9999-12-31', '838:59:59.999999', 2155,
     '', '', '', X'', X'', X'FFFFFFFFFFFFFFFF', 'null', b'0', 'a', ''),
    (${base + 3}, NULL, NULL, NULL, NULL, NULL, NULL, 1.17549435e-38, -2.2250738585072014e-308,
     NULL, NULL, NULL, '-00:00:01.500000', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
  await conn.query(`UPDATE ${t} SET fl = 3.4028234e38, dbl = -0.0, vc = 'upd ✓', bl = X'FF', tm = '00:00:00.000001', js = '[]', bt = b'1111111111', st = 'x,y,z' WHERE id = ${base + 2}`);
  await conn.query(`UPDATE ${t} SET id = ${base + 4} WHERE id = ${base + 3}`);
  await conn.query(`DELETE FROM ${t} WHERE id = ${base + 1} AND ${base} % 2 = 1`);
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export interface LoadStats {
  inserts: number;
  updates: number;
  keyChanges: number;
  deletes: number;
}

/**
 * Random small transactions until `stop()` says so or `maxOps` ran: inserts, updates (some change
 * the primary key, some the unique code), deletes. Ids above `idBase` are this load's own.
 */
export async function runLoad(
  conn: mysql.Connection,
  db: string,
  opts: { seed: number; idBase: number; seedRows: number; stop: () => boolean; maxOps?: number },
): Promise<LoadStats> {
  const r = rng(opts.seed);
  const stats: LoadStats = { inserts: 0, updates: 0, keyChanges: 0, deletes: 0 };
  let next = opts.idBase;
  const max = opts.maxOps ?? Infinity;
  let ops = 0;
  while (!opts.stop() && ops < max) {
    ops++;
    const x = r();
    const id = r() < 0.5 || next === opts.idBase ? 1 + Math.floor(r() * opts.seedRows) : opts.idBase + 1 + Math.floor(r() * (next - opts.idBase));
    await conn.query('START TRANSACTION');
    if (x < 0.35) {
      next++;
      await conn.query(`INSERT INTO \`${db}\`.items VALUES (?, ?, ?, ?, ?, NOW(6))`, [next, `n${next}`, next % 13, `${next}.5`, r() < 0.2 ? null : `ins ${next} 中`]);
      await conn.query(`INSERT IGNORE INTO \`${db}\`.pairs VALUES (?, ?, ?, ?)`, [`p${next % 7}`, next, r() * 1e6, Buffer.from([next % 256, 0, 255])]);
      stats.inserts += 2;
    } else if (x < 0.65) {
      await conn.query(`UPDATE \`${db}\`.items SET qty = qty + 1, price = price * 3, note = CONCAT(IFNULL(note, ''), '!') WHERE id IN (?, ?)`, [id, id + 1]);
      await conn.query(`UPDATE \`${db}\`.pairs SET val = -val, blobby = NULL WHERE b = ?`, [id]);
      stats.updates += 2;
    } else if (x < 0.78) {
      // primary key change, and a unique key change
      await conn.query(`UPDATE IGNORE \`${db}\`.items SET id = id + 10000000 WHERE id = ?`, [id]);
      await conn.query(`UPDATE IGNORE \`${db}\`.items SET code = CONCAT(code, 'x') WHERE id = ?`, [id + 2]);
      await conn.query(`UPDATE IGNORE \`${db}\`.pairs SET a = CONCAT(a, 'm') WHERE b = ?`, [id + 3]);
      stats.keyChanges += 3;
    } else {
      await conn.query(`DELETE FROM \`${db}\`.items WHERE id = ?`, [id + 5]);
      await conn.query(`DELETE FROM \`${db}\`.pairs WHERE b = ?`, [id + 6]);
      stats.deletes += 2;
    }
    await conn.query('COMMIT');
  }
  return stats;
}

export async function tableFacts(conn: mysql.Connection, db: string, table: string): Promise<string> {
  const [c] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db}\`.\`${table}\``);
  const [n] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${table}\``);
  return `${table}: ${n[0].n} rows, checksum ${c[0].Checksum}`;
}

export async function allFacts(conn: mysql.Connection, db: string, tables = LOAD_TABLES): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) out.push(await tableFacts(conn, db, t));
  return out;
}

/** A source database's seeding for useWorkerFixture: the load tables with `rows` rows each. */
export function loadTablesWith(rows: number): (conn: mysql.Connection, db: string) => Promise<void> {
  return async (conn, db) => {
    await createLoadTables(conn, db);
    await seedLoadTables(conn, db, rows);
  };
}

/** Waits (a read: MASTER_GTID_WAIT) until the replica has applied everything the primary logged. */
export async function replicaCaughtUp(primary: mysql.Connection, replica: mysql.Connection): Promise<void> {
  const [p] = await primary.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS g');
  const [w] = await replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 60) AS r', [String(p[0].g)]);
  assert.equal(Number(w[0].r), 0, 'the replica caught up with the primary');
}

export interface CdcStateRow {
  file: string;
  /** The binlog it was recorded in: server id / binlog base name. */
  server: string;
  events: number;
  gtid: string;
}

/** The job's committed stream position on the target (rw_migrate.cdc_state). */
export async function cdcStateOf(target: mysql.Connection, jobId: string): Promise<CdcStateRow> {
  const [r] = await target.query<RowDataPacket[]>('SELECT binlog_file, source_server, events, gtid FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]);
  if (!r[0]) throw new Error(`no cdc_state row for job ${jobId}`);
  return { file: String(r[0].binlog_file), server: String(r[0].source_server), events: Number(r[0].events), gtid: String(r[0].gtid) };
}

/**
 * Starts a new binlog file on `conn`'s server and purges every older one.
 * MariaDB keeps a log until its binlog checkpoint and every replica have moved past it: retried.
 */
export async function purgeOlderBinlogs(conn: mysql.Connection): Promise<void> {
  await conn.query('FLUSH BINARY LOGS');
  const [st] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const current = String(st[0].File);
  await waitFor('older binlogs purged', async () => {
    await conn.query(`PURGE BINARY LOGS TO '${current}'`);
    const [logs] = await conn.query<RowDataPacket[]>('SHOW BINARY LOGS');
    return String(logs[0].Log_name) === current;
  }, 30_000);
}

/** Tables keyed by every kind of key value the applier's key ids tell apart (createKeyTables, writeKeyChanges). */
export const KEY_TABLES = ['bigkeys', 'binkeys', 'strkeys'];

export async function createKeyTables(conn: mysql.Connection, db: string): Promise<void> {
  await conn.query(`CREATE TABLE \`${db}\`.bigkeys (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE \`${db}\`.binkeys (k VARBINARY(16) NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.query(`CREATE TABLE \`${db}\`.strkeys (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.query(`INSERT INTO \`${db}\`.bigkeys VALUES (1, 'one'), (9007199254740991, 'max safe'), (18446744073709551615, 'max')`);
  await conn.query(`INSERT INTO \`${db}\`.binkeys VALUES (X'00', 1), (X'FF00', 2)`);
  await conn.query(`INSERT INTO \`${db}\`.strkeys VALUES ('a', 1), ('A', 2)`);
}

/**
 * Inserts, key changes and deletes on the key tables: BIGINT UNSIGNED keys on both sides of 2^53 and up
 * to 2^64 - 1 (numbers and exact strings from the stream; key 2 moves to `movedBigKey`), byte keys
 * (empty, NUL, one a prefix of another) and case-distinct utf8mb4_bin text keys with quotes,
 * backslashes and emoji.
 */
export async function writeKeyChanges(conn: mysql.Connection, db: string, movedBigKey: string): Promise<void> {
  await conn.query(`INSERT INTO \`${db}\`.bigkeys VALUES (2, 'two'), (9007199254740992, '2^53'), (9007199254740993, '2^53+1'), (18446744073709551614, 'max-1')`);
  await conn.query(`UPDATE \`${db}\`.bigkeys SET v = CONCAT(v, '!') WHERE id > 9007199254740990`);
  await conn.query(`UPDATE \`${db}\`.bigkeys SET id = ${movedBigKey} WHERE id = 2`);
  await conn.query(`DELETE FROM \`${db}\`.bigkeys WHERE id = 9007199254740993`);
  await conn.query(`INSERT INTO \`${db}\`.binkeys VALUES (X'', 3), (X'FF', 4), (X'0000', 5)`);
  await conn.query(`UPDATE \`${db}\`.binkeys SET v = v * 10, k = CONCAT(k, X'01') WHERE k = X'00'`);
  await conn.query(`DELETE FROM \`${db}\`.binkeys WHERE k = X'FF00'`);
  await conn.query(`INSERT INTO \`${db}\`.strkeys VALUES ('it''s', 3), ('back\\\\slash', 4), ('😀', 5)`);
  await conn.query(`UPDATE \`${db}\`.strkeys SET v = v + 100 WHERE k IN ('a', '😀')`);
  await conn.query(`UPDATE \`${db}\`.strkeys SET k = 'B' WHERE k = 'A'`);
  await conn.query(`DELETE FROM \`${db}\`.strkeys WHERE k = 'it''s'`);
}
