// Verification cannot be fooled: for each kind of corruption, a target made to differ in exactly that
// way (one FLOAT bit, one DOUBLE ulp, a missing ENUM-keyed row, a trailing space, a case change under
// _ci, a DECIMAL last digit, a BLOB byte, a microsecond, JSON key order, NULL vs '', a BIT, a FLOAT
// -0) is found by the engine and by the CLI, named by table, key and column, and repaired until
// CHECKSUM TABLE, computed here by the server and not by the product, is equal again.
//   node scripts/sandbox.mjs up --dir .sandbox-test
//   RW_SANDBOX_DIR=$PWD/.sandbox-test node --import tsx --test --test-force-exit test/integration/verify-exact.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, adminSpec, loadSandbox, type Topology } from '../support/sandbox.js';
import { verify } from '../../src/engine/verify/verifier.js';
import { repair } from '../../src/engine/verify/repair.js';
import type { TableVerdict, VerifyReport } from '../../src/engine/verify/types.js';
import { verifyCommand } from '../../src/cli/verifyCommand.js';
import { valueSql } from '../../src/engine/verify/exactValue.js';
import { codecFor } from '../../src/engine/db/sql.js';

const DB = 'verify_exact';
const ROWS = 120;
/** Small ranges, so every table is checked in several chunks and the row diff narrows. */
const CHUNK = 25;

let topo: Topology;
let src: mysql.Connection;
let dst: mysql.Connection;

interface Case {
  table: string;
  /** Column definitions after `id INT NOT NULL` (or the whole list when `ddl` starts with '!'). */
  ddl: string;
  /** Select list producing the row from `seq` (1..ROWS). */
  fill: string;
  /** Statement run on the target only: the corruption. */
  corrupt: string;
  /** The key printed in the diff, and the column named (null: a missing row). */
  key: string[];
  column: string | null;
  chunkRows?: number;
  /** Text the CLI must print for the differing values (where the server's own text would hide them). */
  shows?: string;
}

const CASES: Case[] = [
  {
    // 123456792 and its neighbour 123456800 both print as 123457000.
    table: 'c_float',
    ddl: 'f FLOAT NOT NULL, PRIMARY KEY (id)',
    fill: 'seq, IF(seq = 7, 123456792, seq * 1.5)',
    corrupt: 'UPDATE c_float SET f = 123456800 WHERE id = 7',
    key: ['7'],
    column: 'f',
    shows: 'f "123456792" -> "123456800"',
  },
  {
    table: 'c_float_negzero',
    ddl: 'f FLOAT NULL, PRIMARY KEY (id)',
    // -1e-50 underflows to FLOAT -0: it prints as 0, but CHECKSUM TABLE tells it from 0, and
    // repair must write -0 back (the text '-0' would store +0).
    fill: 'seq, IF(seq = 9, -1e-50, seq)',
    corrupt: 'UPDATE c_float_negzero SET f = 0 WHERE id = 9',
    key: ['9'],
    column: 'f',
  },
  {
    table: 'c_double',
    ddl: 'd DOUBLE NOT NULL, PRIMARY KEY (id)',
    fill: 'seq, seq / 3e0',
    // One ulp up: 1/3 + 2^-54 is the next double after 0.333...
    corrupt: 'UPDATE c_double SET d = 0.33333333333333337 WHERE id = 1',
    key: ['1'],
    column: 'd',
  },
  {
    // ENUM in the primary key, sorted by declaration index, in many small ranges. The keyset bound
    // compares an ENUM as a string (db/keyset.ts, fixed by the copy work), so ranges can overlap, but
    // consecutive (lower, upper] ranges from -inf to +inf still cover every row: no difference hides.
    table: 'c_enum',
    ddl: "!e ENUM('zeta','alpha','mid') NOT NULL, id INT NOT NULL, v VARCHAR(20), PRIMARY KEY (e, id)",
    fill: "ELT(1 + seq % 3, 'zeta', 'alpha', 'mid'), seq, CONCAT('v', seq)",
    corrupt: "DELETE FROM c_enum WHERE e = 'alpha' AND id = 4",
    key: ['alpha', '4'],
    column: null,
  },
  {
    table: 'c_trailing',
    ddl: 'v VARCHAR(40) COLLATE utf8mb4_unicode_ci NOT NULL, PRIMARY KEY (id)',
    fill: "seq, CONCAT('name', seq)",
    // Equal under the PAD SPACE collation ('a' = 'a '), different bytes.
    corrupt: "UPDATE c_trailing SET v = CONCAT(v, ' ') WHERE id = 11",
    key: ['11'],
    column: 'v',
    shows: 'v "name11" -> "name11 "',
  },
  {
    table: 'c_case',
    ddl: 'v VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL, PRIMARY KEY (id)',
    fill: "seq, CONCAT('mixed Case ', seq)",
    corrupt: 'UPDATE c_case SET v = UPPER(v) WHERE id = 12',
    key: ['12'],
    column: 'v',
  },
  {
    // The case change in a _ci primary key: still the same row for the server.
    table: 'c_case_key',
    ddl: '!k VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL, PRIMARY KEY (k)',
    fill: "CONCAT('key', seq), seq",
    corrupt: "UPDATE c_case_key SET k = 'KEY13' WHERE k = 'key13'",
    key: ['key13'],
    column: 'k',
  },
  {
    table: 'c_decimal',
    ddl: 'amount DECIMAL(20,6) NOT NULL, PRIMARY KEY (id)',
    fill: 'seq, seq * 1000.123457',
    corrupt: 'UPDATE c_decimal SET amount = amount + 0.000001 WHERE id = 14',
    key: ['14'],
    column: 'amount',
  },
  {
    table: 'c_blob',
    ddl: 'b BLOB NOT NULL, PRIMARY KEY (id)',
    fill: "seq, CONCAT(X'00FF00', UNHEX(HEX(seq)), X'00')",
    // The first byte 0x00 -> 0x01.
    corrupt: "UPDATE c_blob SET b = CONCAT(X'01', SUBSTRING(b, 2)) WHERE id = 15",
    key: ['15'],
    column: 'b',
  },
  {
    table: 'c_datetime6',
    ddl: 'at DATETIME(6) NOT NULL, PRIMARY KEY (id)',
    fill: "seq, TIMESTAMP'2024-02-29 23:59:59.999990' + INTERVAL seq SECOND",
    corrupt: 'UPDATE c_datetime6 SET at = at + INTERVAL 1 MICROSECOND WHERE id = 16',
    key: ['16'],
    column: 'at',
  },
  {
    table: 'c_json',
    ddl: 'j JSON NOT NULL, PRIMARY KEY (id)',
    fill: `seq, CONCAT('{"a":', seq, ',"b":"x"}')`,
    // The same JSON value, other bytes: key order and whitespace.
    corrupt: `UPDATE c_json SET j = CONCAT('{"b": "x", "a": ', id, '}') WHERE id = 17`,
    key: ['17'],
    column: 'j',
  },
  {
    table: 'c_null',
    ddl: 's VARCHAR(10) NULL, PRIMARY KEY (id)',
    fill: "seq, IF(seq % 2 = 0, NULL, CONCAT('s', seq))",
    corrupt: "UPDATE c_null SET s = '' WHERE id = 18",
    key: ['18'],
    column: 's',
  },
  {
    table: 'c_bit',
    ddl: 'b BIT(12) NOT NULL, PRIMARY KEY (id)',
    fill: 'seq, seq',
    corrupt: 'UPDATE c_bit SET b = b ^ 2048 WHERE id = 19',
    key: ['19'],
    column: 'b',
  },
];

async function checksumTable(conn: mysql.Connection, table: string): Promise<string> {
  const [rows] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${DB}\`.\`${table}\``);
  return String(rows[0].Checksum);
}

async function create(conn: mysql.Connection, c: Case): Promise<void> {
  const cols = c.ddl.startsWith('!') ? c.ddl.slice(1) : `id INT NOT NULL, ${c.ddl}`;
  await conn.query(`CREATE TABLE \`${DB}\`.\`${c.table}\` (${cols}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await conn.query(`INSERT INTO \`${DB}\`.\`${c.table}\` SELECT ${c.fill} FROM \`${DB}\`.seq_1_to_${ROWS}`);
}

function engineVerify(c: Case): Promise<VerifyReport> {
  return verify({
    source: adminSpec(topo, topo.servers.primary),
    target: adminSpec(topo, topo.servers.target),
    database: DB,
    tables: [c.table],
    mode: 'rows',
    chunkRows: c.chunkRows ?? CHUNK,
  });
}

async function cli(c: Case, ...extra: string[]): Promise<{ code: number; out: string }> {
  const a = topo.users.admin;
  process.env.RW_MIGRATE_FROM_PASSWORD = a.password;
  process.env.RW_MIGRATE_TO_PASSWORD = a.password;
  let out = '';
  const code = await verifyCommand(
    {
      from: `mysql://${a.user}@127.0.0.1:${topo.servers.primary.port}/${DB}`,
      to: `mysql://${a.user}@127.0.0.1:${topo.servers.target.port}/${DB}`,
      tables: c.table,
      rows: true,
      chunkRows: String(c.chunkRows ?? CHUNK),
      ...Object.fromEntries(extra.map((e) => [e, true])),
    },
    (s) => (out += s),
  );
  return { code, out };
}

function verdictOf(r: VerifyReport, table: string): TableVerdict {
  const v = r.tables.find((t) => t.table === table);
  assert.ok(v, `no verdict for ${table}`);
  return v;
}

/** The diff names exactly the corrupted row (and column). */
function assertFound(v: TableVerdict, c: Case): void {
  assert.equal(v.status, 'mismatch', `${c.table}: ${JSON.stringify(v)}`);
  const d = v.diff;
  assert.ok(d, `${c.table} has a row diff`);
  if (c.column === null) {
    assert.deepEqual(d.missing, [c.key], `${c.table}: the missing row`);
    assert.deepEqual([d.extra, d.different], [[], []]);
  } else {
    assert.deepEqual([d.missing, d.extra], [[], []], `${c.table}: nothing missing or extra`);
    assert.equal(d.different.length, 1, `${c.table}: one different row`);
    assert.deepEqual(d.different[0].key, c.key);
    assert.deepEqual(d.different[0].columns, [c.column]);
    assert.notDeepEqual(d.different[0].source[c.column], d.different[0].target[c.column], 'the two values are shown apart');
  }
}

before(async () => {
  topo = loadSandbox();
  src = await adminConnect(topo.servers.primary);
  dst = await adminConnect(topo.servers.target);
  for (const conn of [src, dst]) {
    // The primary's copy stays off its binlog: the replicas do not need these tables.
    await conn.query('SET SESSION sql_log_bin = 0');
    await conn.query("SET SESSION time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES'");
    await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await conn.query(`CREATE DATABASE \`${DB}\``);
    for (const c of CASES) await create(conn, c);
  }
});

after(async () => {
  for (const conn of [src, dst]) {
    await conn?.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await conn?.end();
  }
});

test('the copies start equal: CHECKSUM TABLE and verify agree on every table', async () => {
  const r = await verify({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: DB, mode: 'rows', chunkRows: CHUNK });
  assert.equal(r.clean, true, JSON.stringify(r.tables.filter((t) => t.status !== 'match')));
  assert.equal(r.tables.length, CASES.length);
  for (const c of CASES) assert.equal(await checksumTable(dst, c.table), await checksumTable(src, c.table), c.table);
  assert.equal(r.repairRefusal, undefined, 'a standalone target may be repaired');
});

for (const c of CASES) {
  test(`${c.table}: found by the engine and the CLI, repaired by both until CHECKSUM TABLE is equal`, async () => {
    const before = await checksumTable(src, c.table);
    await dst.query(`USE \`${DB}\``);
    await dst.query(c.corrupt);
    assert.notEqual(await checksumTable(dst, c.table), before, 'the corruption is a stored difference CHECKSUM TABLE sees');

    // Engine: found, then repaired.
    const v = verdictOf(await engineVerify(c), c.table);
    assertFound(v, c);
    const fixed = await repair({
      source: adminSpec(topo, topo.servers.primary),
      target: adminSpec(topo, topo.servers.target),
      database: DB,
      tables: [{ table: c.table, diff: v.diff! }],
      confirm: true,
    });
    assert.deepEqual(fixed.tables.map((t) => t.error), [undefined]);
    assert.equal(await checksumTable(dst, c.table), before, 'CHECKSUM TABLE equal after the engine repair');
    assert.equal(verdictOf(await engineVerify(c), c.table).status, 'match');

    // CLI: the same corruption again; verify reports it (exit 5), --repair --yes fixes it (exit 0).
    await dst.query(c.corrupt);
    const found = await cli(c);
    assert.equal(found.code, 5, found.out);
    assert.match(found.out, new RegExp(`^mismatch\\s+${c.table}\\b`, 'm'));
    if (c.column === null) assert.match(found.out, /missing on target 1, extra on target 0, different 0/);
    else assert.ok(found.out.includes(`${JSON.stringify(c.key)}: ${c.column}`), found.out);
    if (c.shows) assert.ok(found.out.includes(c.shows), found.out);
    const repaired = await cli(c, 'repair', 'yes');
    assert.equal(repaired.code, 0, repaired.out);
    assert.match(repaired.out, /^clean: 1 match/m);
    assert.equal(await checksumTable(dst, c.table), before, 'CHECKSUM TABLE equal after the CLI repair');
  });
}

test('CHAR keeps no trailing spaces: CHECKSUM TABLE and verify both call them equal', async () => {
  for (const conn of [src, dst]) {
    await conn.query(`CREATE TABLE \`${DB}\`.c_char (id INT PRIMARY KEY, c CHAR(8) NOT NULL) DEFAULT CHARSET=utf8mb4`);
  }
  await src.query(`INSERT INTO \`${DB}\`.c_char VALUES (1, 'a'), (2, 'b')`);
  await dst.query(`INSERT INTO \`${DB}\`.c_char VALUES (1, 'a  '), (2, 'b')`);
  assert.equal(await checksumTable(dst, 'c_char'), await checksumTable(src, 'c_char'), 'the stored rows are the same');
  const r = await verify({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: DB, tables: ['c_char'], mode: 'rows' });
  assert.equal(verdictOf(r, 'c_char').status, 'match');
});

test('a column stored with another type is a mismatch even where the values print alike', async () => {
  for (const conn of [src, dst]) await conn.query(`CREATE TABLE \`${DB}\`.c_type (id INT PRIMARY KEY, e ENUM('x','y') NOT NULL)`);
  await dst.query(`ALTER TABLE \`${DB}\`.c_type MODIFY e ENUM('y','x') NOT NULL`);
  for (const conn of [src, dst]) await conn.query(`INSERT INTO \`${DB}\`.c_type VALUES (1, 'x'), (2, 'y')`);
  assert.notEqual(await checksumTable(dst, 'c_type'), await checksumTable(src, 'c_type'));
  const v = verdictOf(await verify({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: DB, tables: ['c_type'], mode: 'rows' }), 'c_type');
  assert.equal(v.status, 'mismatch');
  assert.match(v.message ?? '', /column types differ \(source vs target\): e enum\('x','y'\) vs enum\('y','x'\)/);
});

test('a generated column derived another way is a mismatch (it is not hashed, so its expression is compared)', async () => {
  await src.query(`CREATE TABLE \`${DB}\`.c_gen (id INT PRIMARY KEY, a INT NOT NULL, g INT AS (a * 2) STORED)`);
  await dst.query(`CREATE TABLE \`${DB}\`.c_gen (id INT PRIMARY KEY, a INT NOT NULL, g INT AS (a * 3) STORED)`);
  for (const conn of [src, dst]) await conn.query(`INSERT INTO \`${DB}\`.c_gen (id, a) VALUES (1, 1), (2, 2)`);
  // MariaDB 10.11's CHECKSUM TABLE leaves generated columns out (measured here: equal), but the stored bytes differ.
  const gs = async (conn: mysql.Connection): Promise<string> => JSON.stringify((await conn.query<RowDataPacket[]>(`SELECT g FROM \`${DB}\`.c_gen ORDER BY id`))[0]);
  assert.notEqual(await gs(dst), await gs(src));
  const v = verdictOf(await verify({ source: adminSpec(topo, topo.servers.primary), target: adminSpec(topo, topo.servers.target), database: DB, tables: ['c_gen'], mode: 'rows' }), 'c_gen');
  assert.equal(v.status, 'mismatch');
  assert.equal(v.message, 'generated column expressions differ: g');
});

test('every FLOAT and DOUBLE value hashes by its exact value: 20,000 random bit patterns each read back unchanged', async () => {
  const buf = Buffer.alloc(8);
  const rows: [number, number, number][] = [];
  // Deterministic pseudo-random bits (xorshift), finite values only.
  let x = 0x2545f491;
  const next = (): number => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  for (let i = 1; rows.length < 20_000; i++) {
    buf.writeUInt32LE(next(), 0);
    buf.writeUInt32LE(next(), 4);
    const d = buf.readDoubleLE(0);
    const f = buf.readFloatLE(0);
    if (Number.isFinite(d) && Number.isFinite(f)) rows.push([i, d, f]);
  }
  await src.query(`CREATE TABLE \`${DB}\`.c_bits (id INT PRIMARY KEY, d DOUBLE, f FLOAT)`);
  for (let i = 0; i < rows.length; i += 2000) await src.query(`INSERT INTO \`${DB}\`.c_bits VALUES ?`, [rows.slice(i, i + 2000)]);
  // The product's exact-value expressions (what the hash concatenates and repair re-copies), read as text.
  const exact = (name: string, dataType: string): string => valueSql({ name, dataType, nullable: true, codec: codecFor(dataType, null, null) });
  const [got] = await src.query<RowDataPacket[]>({ sql: `SELECT id, ${exact('d', 'double')}, ${exact('f', 'float')}, CONCAT(f) FROM \`${DB}\`.c_bits ORDER BY id`, rowsAsArray: true });
  const want = new Map(rows.map(([i, d, f]) => [i, [d, f]]));
  let lossyFloatText = 0;
  for (const [id, d, f, fText] of got as unknown as [number, string, string, string][]) {
    const [wd, wf] = want.get(id)!;
    assert.ok(Object.is(Number(d), wd), `double ${wd} read back as ${d}`);
    assert.ok(Object.is(Number(f), wf), `float ${wf} read back as ${f}`);
    if (Number(fText) !== wf) lossyFloatText++;
  }
  assert.ok(lossyFloatText > 10_000, `the server's own FLOAT text is lossy for most values (${lossyFloatText})`);
});
