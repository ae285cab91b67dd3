// The BINLOG replay's byte rewrites, batch grouping and row counting (src/engine/cdc/replay/): the events here are
// built by the test from the documented v4 layout (constructed, not captured from a server); the
// integration file cdc-replay.test.ts replays real ones and compares by CHECKSUM TABLE.
import test from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { endsStatement, tableIdOf, tableMapNames, withDatabase, withStatementEnd } from '../../src/engine/cdc/replay/rawEvents.js';
import { binlogStatements, chooseApply, definitionsDiffer } from '../../src/engine/cdc/replay/replayer.js';
import { countRows } from '../../src/engine/cdc/replay/rowCount.js';
import type { TableDefinition, ColumnInfo } from '../../src/engine/schema/inspector.js';
import type { RawRowsEvent } from '../../src/engine/cdc/types.js';
import { codecFor } from '../../src/engine/db/sql.js';

/** An event: 19-byte header (type, length), the body, and the CRC32 of it all when `checksum`. */
function event(type: number, body: Buffer, checksum = true): Buffer {
  const header = Buffer.alloc(19);
  header.writeUInt32LE(1_700_000_000, 0);
  header[4] = type;
  header.writeUInt32LE(1, 5);
  const e = Buffer.concat([header, body, Buffer.alloc(checksum ? 4 : 0)]);
  e.writeUInt32LE(e.length, 9);
  if (checksum) e.writeUInt32LE(crc32(e.subarray(0, e.length - 4)), e.length - 4);
  return e;
}

function tableMap(id: number, db: string, table: string, checksum = true): Buffer {
  const post = Buffer.alloc(8);
  post.writeUIntLE(id, 0, 6);
  const name = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s), Buffer.from([0])]);
  return event(19, Buffer.concat([post, name(db), name(table), Buffer.from([2, 3, 15, 0xaa, 0xbb])]), checksum);
}

function rows(id: number, end: boolean, payload = 'rowbytes'): Buffer {
  const post = Buffer.alloc(8);
  post.writeUIntLE(id, 0, 6);
  post.writeUInt16LE(end ? 1 : 0, 6);
  return event(23, Buffer.concat([post, Buffer.from(payload)]));
}

function crcHolds(e: Buffer): boolean {
  return e.readUInt32LE(e.length - 4) === crc32(e.subarray(0, e.length - 4)) && e.readUInt32LE(9) === e.length;
}

test('a Table_map renamed to another database keeps its table, columns, length and CRC32', () => {
  const src = tableMap(0x123456789a, 'shop', 'orders');
  for (const db of ['s', 'a_much_longer_target_database_name', 'bäckerei']) {
    const out = withDatabase(src, db, true);
    assert.deepEqual(tableMapNames(out), { database: db, table: 'orders' });
    assert.equal(tableIdOf(out), 0x123456789a);
    assert.ok(crcHolds(out), 'length and CRC32 rewritten');
    // the bytes after the table name (column count, types, metadata) are untouched
    assert.deepEqual(out.subarray(out.length - 9, out.length - 4), src.subarray(src.length - 9, src.length - 4));
  }
  const plain = withDatabase(tableMap(7, 'shop', 'orders', false), 'x', false);
  assert.deepEqual(tableMapNames(plain), { database: 'x', table: 'orders' });
  assert.equal(plain.readUInt32LE(9), plain.length);
  assert.throws(() => withDatabase(src, 'é'.repeat(200), true), /longer than a binlog Table_map can hold/);
});

test('a Rows event marked as its statement end: the flag set, the rest and the source bytes unchanged, CRC32 valid', () => {
  const src = rows(42, false);
  const out = withStatementEnd(src, true);
  assert.equal(endsStatement(src), false);
  assert.equal(endsStatement(out), true);
  assert.ok(crcHolds(out));
  assert.equal(out.length, src.length);
  assert.deepEqual(out.subarray(27, out.length - 4), src.subarray(27, src.length - 4));
});

function raw(id: number, end: boolean, rowCount = 1, payload?: string): RawRowsEvent {
  return { tableId: id, tableMap: tableMap(id, 'dst', `t${id}`), rows: rows(id, end, payload), rowCount, fde: event(15, Buffer.alloc(60)) };
}

function decode(statement: string): Buffer {
  const m = /^BINLOG '([A-Za-z0-9+/=]*)'$/.exec(statement);
  assert.ok(m, statement.slice(0, 40));
  return Buffer.from(m[1], 'base64');
}

/** The event types and table ids of a BINLOG statement's events, in order. */
function eventsOf(statement: string): string[] {
  const bytes = decode(statement);
  const out: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readUInt32LE(at + 9);
    const type = bytes[at + 4];
    out.push(type === 15 ? 'FDE' : `${type === 19 ? 'TM' : 'R'}${bytes.readUIntLE(at + 19, 6)}`);
    at += length;
  }
  return out;
}

test('a batch becomes the Format_description, then whole statements, each Table_map once per statement before its rows', () => {
  const batch = [raw(1, false, 2), raw(2, false, 1), raw(1, true, 3), raw(2, true, 1)];
  const out = binlogStatements(batch, 1 << 20, 4 << 20);
  assert.ok(out);
  assert.deepEqual(out.map(eventsOf), [['FDE'], ['TM1', 'R1', 'TM2', 'R2', 'R1', 'TM2', 'R2']]);
});

test('statements are grouped up to the group size; a larger statement is cut between its Rows events, each part with its Table_maps', () => {
  const big = 'x'.repeat(3000);
  const batch = [raw(1, true, 1, big), raw(1, true, 1, big), raw(1, true, 1, big)];
  const grouped = binlogStatements(batch, 8000, 1 << 20);
  assert.ok(grouped);
  assert.deepEqual(grouped.map(eventsOf), [['FDE'], ['TM1', 'R1'], ['TM1', 'R1'], ['TM1', 'R1']]);
  // one statement over two tables, larger than the group: cut, the later part mapping its own table again
  const statement = [raw(1, false, 1, big), raw(2, false, 1, big), raw(1, false, 1, big), raw(2, true, 1, big)];
  const cut = binlogStatements(statement, 9000, 1 << 20);
  assert.ok(cut);
  assert.deepEqual(cut.map(eventsOf), [['FDE'], ['TM1', 'R1', 'TM2', 'R2'], ['TM1', 'R1', 'TM2', 'R2']]);
  // an event larger than the limit: not replayed
  assert.equal(binlogStatements(batch, 2000, 4000), null);
});

test("no replay where an event's rows could not be counted, or the batch ends inside a statement", () => {
  assert.equal(binlogStatements([raw(1, false, 2), { ...raw(1, true), rowCount: null }], 1 << 20, 4 << 20), null);
  assert.equal(binlogStatements([raw(1, false, 2)], 1 << 20, 4 << 20), null);
  assert.equal(binlogStatements([], 1 << 20, 4 << 20), null);
});

function column(name: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, dataType: columnType.replace(/\(.*/, ''), columnType, nullable: false, charset: null, collation: null, generated: false, generationExpression: null, codec: codecFor('int', null, null), ...extra };
}

function table(name: string, columns: ColumnInfo[]): TableDefinition {
  return { database: 'd', name, engine: 'InnoDB', estimatedRows: 0, avgRowLength: 0, columns, indexes: [], createStatement: '', key: null };
}

test('definitions: equal columns replay; a column count, name, type, collation or generation expression that differs is named', () => {
  const base = [column('id', 'int(11)'), column('s', 'varchar(20)', { charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }), column('g', 'int(11)', { generated: true, generationExpression: '`id` * 2' })];
  assert.equal(definitionsDiffer([table('t', base)], [table('t', base)]), null);
  assert.match(definitionsDiffer([table('t', base)], [table('t', base.slice(0, 2))]) ?? '', /table t has 3 columns on the source and 2 on the target/);
  assert.match(definitionsDiffer([table('t', base)], [table('t', [base[0], column('s', 'varchar(30)'), base[2]])]) ?? '', /column 2 is `s` varchar\(20\) on the source and `s` varchar\(30\)/);
  assert.ok(definitionsDiffer([table('t', base)], [table('t', [base[0], { ...base[1], collation: 'utf8mb4_bin' }, base[2]])]));
  assert.ok(definitionsDiffer([table('t', base)], [table('t', [base[0], base[1], { ...base[2], generationExpression: '`id` * 3' }])]));
  assert.match(definitionsDiffer([table('t', base)], [table('u', base)]) ?? '', /table t is missing on the target/);
});

test('the method: sql never replays; auto replays where possible, else says why; binlog refuses naming why and the fix', () => {
  const ok = { sourceFlavor: 'mariadb', targetIsMariaDb: true, privilegeProblem: null, settingProblem: null, definitions: null };
  assert.deepEqual(chooseApply('auto', ok), { replay: true });
  assert.deepEqual(chooseApply('binlog', ok), { replay: true });
  assert.deepEqual(chooseApply('sql', ok), { replay: false });
  assert.match(chooseApply('auto', { ...ok, sourceFlavor: 'mysql' }).reason ?? '', /MariaDB servers only/);
  assert.match(chooseApply('auto', { ...ok, privilegeProblem: 'Access denied' }).reason ?? '', /GRANT BINLOG REPLAY/);
  assert.match(chooseApply('auto', { ...ok, settingProblem: "the target's slave_exec_mode is IDEMPOTENT" }).reason ?? '', /IDEMPOTENT/);
  assert.throws(() => chooseApply('binlog', { ...ok, definitions: 'table t differs' }), /--apply binlog: table t differs.*Nothing was applied.*--apply sql/);
});

/** A Write_rows v1 event of `rows` row images over `n` columns, all present (bytes built here, per the v4 layout). */
function writeRows(n: number, rowImages: Buffer[], checksum = true): Buffer {
  const post = Buffer.alloc(8);
  post.writeUIntLE(9, 0, 6);
  post.writeUInt16LE(1, 6);
  const present = Buffer.alloc((n + 7) >> 3, 0xff);
  return event(23, Buffer.concat([post, Buffer.from([n]), present, ...rowImages]), checksum);
}

test('rows are counted from the bytes by the column widths; a walk that does not end at the event end counts nothing', () => {
  // INT, VARCHAR(300) (2-byte length), DECIMAL(10,2) (4+1 bytes), DATETIME(6) (5+3), TEXT (2-byte length), BIT(10) (2), ENUM (1)
  const columns = [
    { type: 3 },
    { type: 15, metadata: { max_length: 1200 } },
    { type: 246, metadata: { precision: 10, decimals: 2 } },
    { type: 18, metadata: { decimals: 6 } },
    { type: 252, metadata: { length_size: 2 } },
    { type: 16, metadata: { bits: 10 } },
    { type: 247, metadata: { size: 1 } },
  ];
  const declared = ['int(11)', 'varchar(300)', 'decimal(10,2)', 'datetime(6)', 'text', 'bit(10)', "enum('a','b')"];
  const text = (s: string, prefix: number) => {
    const b = Buffer.from(s);
    const len = Buffer.alloc(prefix);
    len.writeUIntLE(b.length, 0, prefix);
    return Buffer.concat([len, b]);
  };
  const full = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(4), text('héllo', 2), Buffer.alloc(5), Buffer.alloc(8), text('x'.repeat(300), 2), Buffer.alloc(2), Buffer.alloc(1)]);
  // the second row: VARCHAR, DATETIME and TEXT NULL (bits 1, 3, 4 of the null bitmap)
  const nulls = Buffer.concat([Buffer.from([0b0001_1010]), Buffer.alloc(4), Buffer.alloc(5), Buffer.alloc(2), Buffer.alloc(1)]);
  const e = writeRows(7, [full, nulls, full]);
  assert.equal(countRows(e, columns, declared, true), 3);
  assert.equal(countRows(writeRows(7, [full, nulls], false), columns, declared, false), 2);
  // one byte short of a row: the walk runs past the end
  assert.equal(countRows(writeRows(7, [full, nulls.subarray(0, nulls.length - 1)]), columns, declared, true), null);
  // a column count that is not the Table_map's
  assert.equal(countRows(e, columns.slice(0, 6), declared, true), null);
  // MariaDB 5.3 "hires" DATETIME(6) in the old layout: its width is not in the Table_map
  const old = [{ type: 12 }];
  assert.equal(countRows(writeRows(1, [Buffer.concat([Buffer.from([0]), Buffer.alloc(8)])]), old, ['datetime(6)'], true), null);
  assert.equal(countRows(writeRows(1, [Buffer.concat([Buffer.from([0]), Buffer.alloc(8)])]), old, ['datetime'], true), 1);
});
