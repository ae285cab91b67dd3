// A differential type corpus for MariaDB 10.11: one table per column type and per key shape, with
// edge values and enough rows for many chunks at a tiny --max-chunk-rows. Created in a database of
// the sandbox primary by the test that uses it (createCorpus), compared with tableHash.ts.
// Reusable by any test of copy, verify or CDC: each table names what it covers.
//
// Measured on MariaDB 10.11 only. Where MySQL 8.0 differs (documented in its reference manual, not
// tested here: MySQL cannot be installed in this sandbox): it has no INET6 or UUID column types
// (VARBINARY(16) with INET6_ATON()/UUID_TO_BIN() instead) and no Sequence engine (seq_1_to_N); its
// default utf8mb4_0900_ai_ci and the other _0900_ collations are NO PAD (trailing spaces count), where
// MariaDB's defaults are PAD SPACE; FLOAT(M,D), DOUBLE(M,D) and ZEROFILL are deprecated since 8.0.17.
// ENUM sorts by declaration index and SET by numeric value there too ("The ENUM Type", "The SET Type").
import type mysql from 'mysql2/promise';

export interface CorpusTable {
  name: string;
  /** What the table covers: a column type, a key shape, or both. */
  covers: string;
  /** CREATE TABLE body after the name: `(...) options`. */
  ddl: string;
  /** Statements that fill it (run in the corpus database; seq_1_to_N tables come from the Sequence engine). */
  fill: string[];
  /** Has VIRTUAL generated columns: CHECKSUM TABLE is not stable in MariaDB 10.11, compare by hash only. */
  virtual?: boolean;
}

/** One `INSERT ... VALUES` statement from literal SQL tuples. */
const values = (table: string, columns: string, tuples: string[]) => `INSERT INTO ${table} (${columns}) VALUES ${tuples.join(', ')}`;

/** A member list in a scrambled order (declaration order differs from string order). */
function scrambled(n: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}${String((i * 7919) % n).padStart(5, '0')}`);
  return out;
}

const ENUM_MANY = scrambled(1200, 'm');
const SET_WIDE = ['s10', 's03', 's07', 's00', 's02', 's05', 's08', 's01', 's09', 's04', 's06'];

export const CORPUS: CorpusTable[] = [
  // ---------- key shapes ----------
  {
    name: 'k_enum',
    covers: 'key: ENUM (declaration order zeta < alpha < mid, not string order) + INT, composite (issue repro)',
    ddl: "(e ENUM('zeta','alpha','mid') NOT NULL, id INT NOT NULL, v VARCHAR(20), PRIMARY KEY (e, id)) ENGINE=InnoDB",
    fill: ["INSERT INTO k_enum SELECT ELT(1 + seq % 3, 'zeta', 'alpha', 'mid'), seq DIV 3, CONCAT('v', seq) FROM seq_0_to_1499"],
  },
  {
    name: 'k_enum_many',
    covers: 'key: ENUM with 1,200 members declared out of string order (bounds as numbers, not IN lists)',
    ddl: `(e ENUM(${ENUM_MANY.map((m) => `'${m}'`).join(',')}) NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`,
    fill: [values('k_enum_many', 'e, v', ENUM_MANY.map((m, i) => `('${m}', ${i})`))],
  },
  {
    name: 'k_enum_latin1',
    covers: "key: latin1 ENUM with non-ASCII members and a quote, nullable-free",
    ddl: "(e ENUM('zz','é','a''b','Ä','b') CHARACTER SET latin1 NOT NULL, id SMALLINT NOT NULL, PRIMARY KEY (e, id)) ENGINE=InnoDB",
    fill: ["INSERT INTO k_enum_latin1 SELECT ELT(1 + seq % 5, 'zz', 'é', 'a''b', 'Ä', 'b'), seq FROM seq_0_to_499"],
  },
  {
    name: 'k_set',
    covers: 'key: SET (sorts by bit value) + INT',
    ddl: "(s SET('zeta','alpha','mid','beta') NOT NULL, id INT NOT NULL, PRIMARY KEY (s, id)) ENGINE=InnoDB",
    fill: ["INSERT INTO k_set SELECT MAKE_SET(seq % 16, 'zeta', 'alpha', 'mid', 'beta'), seq FROM seq_0_to_799"],
  },
  {
    name: 'k_set_wide',
    covers: 'key: SET with 11 members, every one of its 2,048 values (bounds as numbers)',
    ddl: `(s SET(${SET_WIDE.map((m) => `'${m}'`).join(',')}) NOT NULL PRIMARY KEY) ENGINE=InnoDB`,
    fill: [`INSERT INTO k_set_wide SELECT MAKE_SET(seq, ${SET_WIDE.map((m) => `'${m}'`).join(', ')}) FROM seq_0_to_2047`],
  },
  {
    name: 'k_bit',
    covers: 'key: BIT(10), every value 0..1023',
    ddl: '(b BIT(10) NOT NULL PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB',
    fill: ['INSERT INTO k_bit SELECT seq, seq FROM seq_0_to_1023'],
  },
  {
    name: 'k_bit64',
    covers: 'key: BIT(64) with 0, 1, 2^63, 2^64-1 and spread values',
    ddl: '(b BIT(64) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_bit64 SELECT CAST(seq * 36028797018963 AS UNSIGNED) FROM seq_1_to_500",
      "INSERT IGNORE INTO k_bit64 VALUES (0), (1), (b'1000000000000000000000000000000000000000000000000000000000000000'), (18446744073709551615), (18446744073709551614)",
    ],
  },
  {
    name: 'k_decimal',
    covers: 'key: DECIMAL(30,10) negative, zero, full precision',
    ddl: '(d DECIMAL(30,10) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      'INSERT INTO k_decimal SELECT (seq - 400) * 1234567.0123456789 FROM seq_0_to_799',
      "INSERT IGNORE INTO k_decimal VALUES (99999999999999999999.9999999999), (-99999999999999999999.9999999999), (0.0000000001), (-0.0000000001)",
    ],
  },
  {
    name: 'k_datetime6',
    covers: 'key: DATETIME(6) with fractions, zero date, limits',
    ddl: '(t DATETIME(6) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_datetime6 SELECT TIMESTAMP'2024-02-29 23:59:59.999999' + INTERVAL seq * 1000003 MICROSECOND FROM seq_0_to_599",
      "INSERT INTO k_datetime6 VALUES ('0000-00-00 00:00:00'), ('1000-01-01 00:00:00.000001'), ('9999-12-31 23:59:59.999999'), ('2024-02-29 23:59:59.999998')",
    ],
  },
  {
    name: 'k_time',
    covers: 'key: TIME(6) negative, fractional, limits',
    ddl: '(t TIME(6) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_time SELECT SEC_TO_TIME((seq - 300) * 2777.000123) FROM seq_0_to_599",
      "INSERT IGNORE INTO k_time VALUES ('-838:59:59.000000'), ('838:59:59.000000'), ('-00:00:00.000001'), ('00:00:00.000001'), ('-00:00:00.5')",
    ],
  },
  {
    name: 'k_timestamp3',
    covers: 'key: TIMESTAMP(3) (UTC sessions) with fractions',
    ddl: '(t TIMESTAMP(3) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_timestamp3 SELECT TIMESTAMP'1970-01-01 00:00:01.001' + INTERVAL seq * 86399999 MICROSECOND FROM seq_0_to_599",
      "INSERT IGNORE INTO k_timestamp3 VALUES ('2038-01-19 03:14:07.999')",
    ],
  },
  {
    name: 'k_date_year',
    covers: 'key: DATE + YEAR composite, with 0000 years and zero dates',
    ddl: '(d DATE NOT NULL, y YEAR NOT NULL, PRIMARY KEY (d, y)) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_date_year SELECT DATE'2000-01-01' + INTERVAL (seq DIV 5) * 37 DAY, ELT(1 + seq % 5, '0000', '1901', '1969', '2000', '2155') FROM seq_0_to_599",
      "INSERT INTO k_date_year VALUES ('0000-00-00', 0), ('0000-00-00', 2155), ('9999-12-31', 1901)",
    ],
  },
  {
    name: 'k_bigint',
    covers: 'key: BIGINT signed, negative, both limits',
    ddl: '(k BIGINT NOT NULL PRIMARY KEY, v TINYINT NOT NULL) ENGINE=InnoDB',
    fill: [
      'INSERT INTO k_bigint SELECT (seq - 300) * 30000000000000001, seq % 128 FROM seq_0_to_599',
      'INSERT IGNORE INTO k_bigint VALUES (-9223372036854775808, -128), (9223372036854775807, 127), (-1, 0), (0, 0)',
    ],
  },
  {
    name: 'k_ubigint',
    covers: 'key: BIGINT UNSIGNED 0 and 2^64-1',
    ddl: '(k BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      'INSERT INTO k_ubigint SELECT seq * 30000000000000001 FROM seq_0_to_599',
      'INSERT IGNORE INTO k_ubigint VALUES (18446744073709551615), (18446744073709551614), (9223372036854775808)',
    ],
  },
  {
    name: 'k_tinyint',
    covers: 'key: TINYINT signed + TINYINT UNSIGNED composite, every value',
    ddl: '(a TINYINT NOT NULL, b TINYINT UNSIGNED NOT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB',
    fill: ['INSERT INTO k_tinyint SELECT CAST(seq DIV 4 AS SIGNED) - 128, 255 - (seq % 4) * 85 FROM seq_0_to_1023'],
  },
  {
    name: 'k_ci_ai',
    covers: 'key: utf8mb4_unicode_ci (case- and accent-insensitive; order differs from bytes)',
    ddl: '(k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: ["INSERT INTO k_ci_ai SELECT CONCAT(ELT(1 + seq % 7, 'ä', 'B', 'ç', 'É', 'z', 'Ω', '😀'), LPAD(seq DIV 7, 4, '0'), ELT(1 + seq % 3, 'x', 'Y', 'ß')) FROM seq_0_to_1199"],
  },
  {
    name: 'k_general_ci',
    covers: 'key: utf8mb4_general_ci mixed case',
    ddl: '(k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL, PRIMARY KEY (k)) ENGINE=InnoDB',
    fill: ["INSERT INTO k_general_ci SELECT CONCAT(IF(seq % 2, 'K', 'k'), LPAD(seq, 4, '0'), IF(seq % 3, 'A', 'a')), seq FROM seq_0_to_799"],
  },
  {
    name: 'k_padspace',
    covers: 'key: PAD SPACE utf8mb4_bin with trailing spaces, tabs and control bytes (trailing-space values equal)',
    ddl: '(k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB',
    fill: ["INSERT INTO k_padspace SELECT CONCAT('k', LPAD(seq DIV 5, 4, '0'), ELT(1 + seq % 5, '  ', '\\t', ' x', CHAR(1), 'a ')), seq FROM seq_0_to_999"],
  },
  {
    name: 'k_padspace_ci',
    covers: 'key: PAD SPACE latin1_swedish_ci with trailing spaces and bytes 0x80-0xFF',
    ddl: '(k VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: ["INSERT INTO k_padspace_ci SELECT CONCAT(ELT(1 + seq % 6, 'å', 'Z', 'ö', 'a', '€', 'ÿ'), LPAD(seq DIV 6, 4, '0'), IF(seq % 4 = 0, '   ', IF(seq % 4 = 1, '\\t', ''))) FROM seq_0_to_899"],
  },
  {
    name: 'k_nopad',
    covers: "key: NO PAD utf8mb4_nopad_bin: 'a' and 'a ' are two keys",
    ddl: '(k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: ["INSERT INTO k_nopad SELECT CONCAT('n', LPAD(seq DIV 4, 4, '0'), ELT(1 + seq % 4, '', ' ', '  ', '\\t')) FROM seq_0_to_799"],
  },
  {
    name: 'k_char',
    covers: 'key: CHAR(8) (trailing spaces stripped on read) + latin1 bin',
    ddl: '(k CHAR(8) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: ["INSERT INTO k_char SELECT CONCAT(ELT(1 + seq % 4, 'a', 'A', 'é', ' '), LPAD(seq, 4, '0')) FROM seq_0_to_599"],
  },
  {
    name: 'k_varbinary',
    covers: 'key: VARBINARY with 0x00/0xFF, trailing 0x00, empty value',
    ddl: '(k VARBINARY(16) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_varbinary SELECT CONCAT(UNHEX(LPAD(HEX(seq * 40503 % 65536), 4, '0')), IF(seq % 3 = 0, X'00', IF(seq % 3 = 1, X'FF', ''))) FROM seq_0_to_799",
      "INSERT IGNORE INTO k_varbinary VALUES (''), (X'00'), (X'0000'), (X'FF'), (X'FFFF')",
    ],
  },
  {
    name: 'k_binary4',
    covers: 'key: BINARY(4) (0x00 padded)',
    ddl: '(k BINARY(4) NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: ["INSERT INTO k_binary4 SELECT UNHEX(LPAD(HEX(seq * 2654435761 % 4294967296), 8, '0')) FROM seq_0_to_599", "INSERT IGNORE INTO k_binary4 VALUES (X'00'), (X'FF')"],
  },
  {
    name: 'k_float',
    covers: 'key: FLOAT (text prints 6 digits; 123456792, denormals, limits)',
    ddl: '(f FLOAT NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      'INSERT IGNORE INTO k_float SELECT 123456704 + seq * 8 FROM seq_0_to_299',
      'INSERT IGNORE INTO k_float SELECT (seq - 150) * 1.0000001e-3 FROM seq_0_to_299',
      'INSERT IGNORE INTO k_float VALUES (1.401298464324817e-45), (-1.401298464324817e-45), (3.4028234663852886e38), (-3.4028234663852886e38), (1.1754943508222875e-38), (0)',
    ],
  },
  {
    name: 'k_double',
    covers: 'key: DOUBLE with 17-digit values, denormals, limits',
    ddl: '(d DOUBLE NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      'INSERT INTO k_double SELECT (seq - 300) * 0.1e0 + 0.2e0 FROM seq_0_to_599',
      'INSERT IGNORE INTO k_double VALUES (4.9406564584124654e-324), (-4.9406564584124654e-324), (1.7976931348623157e308), (-1.7976931348623157e308), (2.2250738585072014e-308)',
    ],
  },
  {
    name: 'k_uuid',
    covers: 'key: UUID',
    ddl: '(u UUID NOT NULL PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_uuid SELECT CONCAT(LPAD(HEX(seq * 2654435761 % 4294967296), 8, '0'), '-0000-1000-8000-', LPAD(HEX(seq), 12, '0')), seq FROM seq_0_to_599",
      "INSERT INTO k_uuid VALUES ('ffffffff-ffff-ffff-ffff-ffffffffffff', -1)",
    ],
  },
  {
    name: 'k_inet6',
    covers: "key: INET6 incl. 16-character texts like '1:2:3:4:5:6:7:88' and IPv4-mapped",
    ddl: '(a INET6 NOT NULL PRIMARY KEY) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_inet6 SELECT CONCAT(HEX(1 + seq % 9), ':2:3:4:5:6:', HEX(seq DIV 256), ':', LPAD(HEX(seq % 256), 2, '0')) FROM seq_0_to_599",
      "INSERT IGNORE INTO k_inet6 VALUES ('::'), ('::1'), ('::ffff:1.2.3.4'), ('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')",
    ],
  },
  {
    name: 'k_composite',
    covers: 'key: composite ENUM + utf8mb4_general_ci VARCHAR + BIT(3) + DECIMAL + DATETIME(3)',
    ddl:
      "(e ENUM('z','a') NOT NULL, s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, b BIT(3) NOT NULL, d DECIMAL(8,3) NOT NULL, t DATETIME(3) NOT NULL, v INT, " +
      'PRIMARY KEY (e, s, b, d, t)) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_composite SELECT ELT(1 + seq % 2, 'z', 'a'), ELT(1 + seq DIV 2 % 3, 'Ä', 'b', 'C '), seq DIV 6 % 8, (seq DIV 48 % 5) - 2.5, TIMESTAMP'2020-01-01 00:00:00.001' + INTERVAL (seq DIV 240) SECOND, seq FROM seq_0_to_1199",
    ],
  },
  {
    name: 'k_nullable_unique',
    covers: 'key: fallback UNIQUE over a nullable INT, with a group of 180 NULL rows (larger than a chunk)',
    ddl: '(a INT NULL, v VARCHAR(20) NOT NULL, UNIQUE KEY uq_a (a)) ENGINE=InnoDB',
    fill: ["INSERT INTO k_nullable_unique SELECT IF(seq % 4 = 0, NULL, seq - 300), CONCAT('v', seq) FROM seq_0_to_719"],
  },
  {
    name: 'k_nullable_composite',
    covers: 'key: fallback UNIQUE (VARCHAR ci NULL, INT NULL) with repeated (NULL, x), (x, NULL) and (NULL, NULL) groups',
    ddl:
      '(a VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL, b INT NULL, n INT NOT NULL, UNIQUE KEY uq_ab (a, b), KEY idx_n (n)) ENGINE=InnoDB',
    fill: [
      "INSERT INTO k_nullable_composite SELECT IF(seq % 5 = 0, NULL, ELT(1 + seq % 3, 'Ä', 'b', 'c')), IF(seq % 7 = 0, NULL, IF(seq % 5 = 0, seq DIV 50, seq DIV 3)), seq FROM seq_0_to_899",
    ],
  },
  // ---------- column types (keys are plain ids; the values are the point) ----------
  {
    name: 't_integers',
    covers: 'types: every integer type signed/unsigned at its limits, NULLs',
    ddl:
      '(id INT NOT NULL PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, ' +
      'i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, z INT(5) UNSIGNED ZEROFILL, b BOOL) ENGINE=InnoDB',
    fill: [
      "INSERT INTO t_integers VALUES (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 0), " +
        '(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 4294967295, 1), ' +
        '(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)',
      'INSERT INTO t_integers SELECT 3 + seq, seq % 256 - 128, seq % 256, seq * 7 % 65536 - 32768, seq * 7 % 65536, seq * 101 % 16777216 - 8388608, seq * 101, ' +
        'seq * 1000003 - 2147483648, seq * 1000003, (seq - 200) * 46116860184273879, seq * 46116860184273879, seq, seq % 2 FROM seq_1_to_400',
    ],
  },
  {
    name: 't_decimal',
    covers: 'types: DECIMAL(65,30), DECIMAL(10,0), DECIMAL(5,5) at full precision, negative zero-scale',
    ddl: '(id INT NOT NULL PRIMARY KEY, a DECIMAL(65,30), b DECIMAL(10,0) UNSIGNED, c DECIMAL(5,5)) ENGINE=InnoDB',
    fill: [
      'INSERT INTO t_decimal VALUES (1, 99999999999999999999999999999999999.999999999999999999999999999999, 9999999999, 0.99999), ' +
        '(2, -99999999999999999999999999999999999.999999999999999999999999999999, 0, -0.99999), (3, 0.000000000000000000000000000001, 1, 0.00001), (4, NULL, NULL, NULL)',
      "INSERT INTO t_decimal SELECT 4 + seq, CONCAT(IF(seq % 2, '-', ''), seq * 123456789, '.', LPAD(seq * 987654321, 30, '0')), seq * 9999, (seq % 199999 - 99999) / 100000 FROM seq_1_to_400",
    ],
  },
  {
    name: 't_float',
    covers: 'types: FLOAT and DOUBLE incl. -0 (stored as 0 by MariaDB), denormals, largest, 123456792, FLOAT(7,2)',
    ddl: '(id INT NOT NULL PRIMARY KEY, f FLOAT, d DOUBLE, fs FLOAT(7,2), ds DOUBLE(12,4), r REAL) ENGINE=InnoDB',
    fill: [
      'INSERT INTO t_float VALUES (1, 123456792, 0.1e0 + 0.2e0, 12345.67, 12345678.1234, 1e-300), (2, -0e0, -0e0, 0, -0e0, -0e0), ' +
        '(3, 1.401298464324817e-45, 4.9406564584124654e-324, 0.01, 0.0001, 2.2250738585072014e-308), ' +
        '(4, 3.4028234663852886e38, 1.7976931348623157e308, 99999.99, 99999999.9999, -1.7976931348623157e308), ' +
        '(5, -3.4028234663852886e38, -1.7976931348623157e308, -99999.99, -99999999.9999, 1), (6, 1.17549435e-38, 2.2250738585072014e-308, 1, 1, 1), ' +
        '(7, 16777217, 9007199254740993, 0, 0, 0), (8, NULL, NULL, NULL, NULL, NULL)',
      'INSERT INTO t_float SELECT 8 + seq, seq * 1.0000001e0 / 3, seq / 3e0, seq / 7, seq / 7e0, PI() * seq FROM seq_1_to_400',
    ],
  },
  {
    name: 't_bit',
    covers: 'types: BIT(1), BIT(7), BIT(64) with 0, all ones, NULL',
    ddl: '(id INT NOT NULL PRIMARY KEY, b1 BIT(1), b7 BIT(7), b64 BIT(64)) ENGINE=InnoDB',
    fill: [
      "INSERT INTO t_bit VALUES (1, 0, 0, 0), (2, 1, 127, 18446744073709551615), (3, NULL, NULL, NULL), (4, b'1', b'1000000', b'1000000000000000000000000000000000000000000000000000000000000001')",
      'INSERT INTO t_bit SELECT 4 + seq, seq % 2, seq % 128, seq * 36028797018963 FROM seq_1_to_300',
    ],
  },
  {
    name: 't_enum_set',
    covers: "types: ENUM and SET values incl. '' member, NULL, utf8mb4 and latin1 members",
    ddl:
      "(id INT NOT NULL PRIMARY KEY, e ENUM('', 'a', 'ö', '漢', 'b c') CHARACTER SET utf8mb4, s SET('x', 'ü', 'y z') CHARACTER SET latin1, " +
      "e2 ENUM('b','a') NOT NULL DEFAULT 'a') ENGINE=InnoDB",
    fill: ["INSERT INTO t_enum_set SELECT seq, IF(seq % 7 = 0, NULL, ELT(1 + seq % 5, '', 'a', 'ö', '漢', 'b c')), IF(seq % 9 = 0, NULL, MAKE_SET(seq % 8, 'x', 'ü', 'y z')), ELT(1 + seq % 2, 'b', 'a') FROM seq_1_to_400"],
  },
  {
    name: 't_temporal',
    covers: 'types: DATE, DATETIME(0..6), TIMESTAMP(6), TIME(6) negative, YEAR, zero dates and zero-in-date',
    ddl:
      '(id INT NOT NULL PRIMARY KEY, d DATE, dt DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP(6) NULL, t TIME, t6 TIME(6), y YEAR, ' +
      "dflt DATETIME(2) NOT NULL DEFAULT '2000-01-01 00:00:00.12') ENGINE=InnoDB",
    fill: [
      "INSERT INTO t_temporal VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', '1970-01-01 00:00:01.000000', '-838:59:59', '-838:59:59.000000', 0000, DEFAULT), " +
        "(2, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59', '838:59:59.000000', 2155, '9999-12-31 23:59:59.99'), " +
        "(3, '2024-00-15', '2024-02-00 10:00:00', NULL, NULL, NULL, '-00:00:01', '-00:00:00.000001', 1901, DEFAULT), (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT)",
      "INSERT INTO t_temporal (id, d, dt, dt3, dt6, ts, t, t6, y) SELECT 4 + seq, DATE'1000-01-01' + INTERVAL seq * 1511 DAY, TIMESTAMP'2000-01-01 00:00:00' + INTERVAL seq * 7919 MINUTE, " +
        "TIMESTAMP'2000-01-01 00:00:00.001' + INTERVAL seq * 1000001 MICROSECOND, TIMESTAMP'2000-01-01 00:00:00' + INTERVAL seq * 999999 MICROSECOND, " +
        "TIMESTAMP'1990-06-01 12:00:00.000001' + INTERVAL seq * 3600000001 MICROSECOND, SEC_TO_TIME((seq - 200) * 7001), SEC_TO_TIME((seq - 200) * 7001.000007), 1901 + seq % 255 FROM seq_1_to_400",
    ],
  },
  {
    name: 't_strings',
    covers: 'types: CHAR/VARCHAR/TEXT utf8mb4 (emoji, CJK), latin1 (0x80-0xFF), binary collations, trailing spaces, tabs, newlines, backslashes, NUL',
    ddl:
      '(id INT NOT NULL PRIMARY KEY, c CHAR(10) CHARACTER SET utf8mb4, v VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, vb VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, ' +
      'l VARCHAR(50) CHARACTER SET latin1, lb CHAR(5) CHARACTER SET latin1 COLLATE latin1_bin, tx TEXT CHARACTER SET utf8mb4, mt MEDIUMTEXT CHARACTER SET latin1, ' +
      'a VARCHAR(20) CHARACTER SET ascii, u2 VARCHAR(20) CHARACTER SET ucs2) ENGINE=InnoDB',
    fill: [
      "INSERT INTO t_strings VALUES (1, 'a  ', 'trail  ', 'bin \\t', 'é€ÿ\\0 ', 'x  ', 'tab\\there\\nnl\\\\ \\r', CONCAT(CHAR(0x80), CHAR(0xFF), ' '), 'asc  ', 'ucs ') , " +
        "(2, '', '', '', '', '', '', '', '', ''), (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (4, '😀漢字', '😀 emoji ', 'Ω\\\\N', '\\\\N', '\\\\N', '\\\\N', '\\\\N', '\\\\N', '\\\\N')",
      "INSERT INTO t_strings SELECT 4 + seq, LEFT(CONCAT('😀', seq, '  '), 10), CONCAT('v', REPEAT('ä', seq % 20), IF(seq % 3 = 0, '   ', '')), CONCAT(seq, CHAR(9), '\\\\'), " +
        "CONCAT('ß', CHAR(128 + seq % 128 USING latin1), '  '), CHAR(65 + seq % 26, 32, 32), REPEAT(CONCAT('漢', seq, '\\n'), seq % 50), " +
        "REPEAT(CHAR(seq % 256 USING latin1), seq % 300), CONCAT('a', seq, ' '), CONCAT('u', seq, ' ') FROM seq_1_to_400",
    ],
  },
  {
    name: 't_binary',
    covers: 'types: BINARY/VARBINARY/TINYBLOB/BLOB/LONGBLOB with 0x00, 0xFF, tab/newline/backslash bytes, empty vs NULL',
    ddl: '(id INT NOT NULL PRIMARY KEY, b BINARY(8), vb VARBINARY(64), tb TINYBLOB, bl BLOB, lb LONGBLOB) ENGINE=InnoDB',
    fill: [
      "INSERT INTO t_binary VALUES (1, X'00', X'00FF0009000A005C', X'', X'FF00', X'0D0A5C4E'), (2, X'FFFFFFFFFFFFFFFF', '', X'00', X'', X''), (3, NULL, NULL, NULL, NULL, NULL)",
      "INSERT INTO t_binary SELECT 3 + seq, UNHEX(LPAD(HEX(seq * 2654435761), 16, '0')), UNHEX(REPEAT(LPAD(HEX(seq % 256), 2, '0'), seq % 64)), " +
        "IF(seq % 5 = 0, NULL, UNHEX(MD5(seq))), UNHEX(REPEAT(SHA2(seq, 256), 1 + seq % 20)), UNHEX(REPEAT('005C090A0D4EFF', seq * 3)) FROM seq_1_to_400",
    ],
  },
  {
    name: 't_json_geo',
    covers: 'types: JSON (unicode, escapes, nesting, key order), GEOMETRY/POINT/POLYGON with SRID, INET6 (16-char texts), UUID',
    ddl:
      '(id INT NOT NULL PRIMARY KEY, j JSON, g GEOMETRY, p POINT, pg POLYGON, ip INET6, u UUID) ENGINE=InnoDB',
    fill: [
      "INSERT INTO t_json_geo VALUES (1, '{\"b\": 1, \"a\": [1.50, \"ü\\\\u00e9\", null, true], \"c\": {\"d\": \"\\\\\\\\n\"}}', ST_GeomFromText('LINESTRING(0 0, 1.5 2.25)', 4326), POINT(-0.1, 1e-300), " +
        "ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))'), '1:2:3:4:5:6:7:88', '00000000-0000-0000-0000-000000000000'), " +
        "(2, NULL, NULL, NULL, NULL, NULL, NULL), (3, '[]', ST_GeomFromText('GEOMETRYCOLLECTION EMPTY'), POINT(0, 0), NULL, '::', 'ffffffff-ffff-ffff-ffff-ffffffffffff')",
      "INSERT INTO t_json_geo SELECT 3 + seq, JSON_OBJECT('n', seq, 's', CONCAT('😀', seq), 'f', seq / 7, 'arr', JSON_ARRAY(seq, NULL, 'x\\ty')), POINT(seq / 3, -seq / 7), " +
        "POINT(seq, seq), ST_GeomFromText(CONCAT('POLYGON((0 0, ', seq, ' 0, ', seq, ' ', seq, ', 0 0))')), CONCAT(HEX(seq % 16), ':2:3:4:5:6:7:', LPAD(HEX(seq % 256), 2, '0')), " +
        "CONCAT(LPAD(HEX(seq), 8, '0'), '-1111-2222-3333-444455556666') FROM seq_1_to_300",
    ],
  },
  {
    name: 't_generated',
    covers: 'types: INVISIBLE column, STORED and VIRTUAL generated columns, CHECK constraints, expression defaults',
    ddl:
      '(id INT NOT NULL PRIMARY KEY, price DECIMAL(10,2) NOT NULL CHECK (price >= 0), qty INT NOT NULL DEFAULT (1 + 1), ' +
      'secret VARCHAR(20) INVISIBLE DEFAULT (CONCAT(\'s\', 1)), total DECIMAL(12,2) AS (price * qty) STORED, label VARCHAR(40) AS (CONCAT(id, \':\', secret)) VIRTUAL, ' +
      "created DATETIME(6) NOT NULL DEFAULT (TIMESTAMP'2001-01-01 00:00:00.5'), CONSTRAINT qty_pos CHECK (qty > 0), KEY idx_label (label)) ENGINE=InnoDB",
    virtual: true,
    fill: [
      'INSERT INTO t_generated (id, price, qty, secret) SELECT seq, seq * 1.25, 1 + seq % 9, IF(seq % 4 = 0, NULL, CONCAT(\'sec\', seq)) FROM seq_1_to_400',
      'INSERT INTO t_generated (id, price) VALUES (401, 0)',
    ],
  },
  {
    name: 't_sparse',
    covers: 'types: wide sparse rows (BIGINT key + 40 nullable mostly-NULL columns), LOAD DATA block edges',
    ddl: `(id BIGINT NOT NULL PRIMARY KEY, ${Array.from({ length: 40 }, (_, i) => `c${i} INT NULL`).join(', ')}) ENGINE=InnoDB`,
    fill: [`INSERT INTO t_sparse (id, c${7}, c${39}) SELECT seq, IF(seq % 10 = 0, seq, NULL), IF(seq % 97 = 0, -seq, NULL) FROM seq_1_to_1500`],
  },
];

/** Creates every corpus table (or those named) in `db` on `conn` (the database is created new). */
export async function createCorpus(conn: mysql.Connection, db: string, names?: string[]): Promise<CorpusTable[]> {
  const q = '`' + db.replace(/`/g, '``') + '`';
  const tables = names ? CORPUS.filter((t) => names.includes(t.name)) : CORPUS;
  await conn.query(`CREATE DATABASE ${q} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await conn.query(`USE ${q}`);
  // Zero dates and clipped values are kept (no STRICT); seq - n may go negative (NO_UNSIGNED_SUBTRACTION).
  await conn.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION,NO_UNSIGNED_SUBTRACTION'");
  for (const t of tables) {
    await conn.query(`CREATE TABLE \`${t.name}\` ${t.ddl}`);
    for (const stmt of t.fill) await conn.query(stmt);
  }
  return tables;
}
