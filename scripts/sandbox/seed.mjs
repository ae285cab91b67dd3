// Deterministic sample data: `shop` (about 100k rows, replicated) and `bench.orders_large` (1M rows).
import { sqlExec, sqlString, sqlValue } from './client.mjs';
import {
  EVENT_NAMES, FIRST_NAMES, LAST_NAMES, LATIN1_NAMES, SHOP_COUNTS as N, expectedShopRows,
} from './plan.mjs';

/** `ELT(1 + (expr) % n, ...)` over a list of JS strings. @param {string} expr @param {string[]} list */
const elt = (expr, list) => `ELT(1 + (${expr}) % ${list.length}, ${list.map(sqlString).join(', ')})`;

const TABLE_OPTS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** The whole `shop` seed script. */
export function shopSeedSql() {
  const FN = FIRST_NAMES.length;
  return `
SET SESSION time_zone = '+00:00';
SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
DROP DATABASE IF EXISTS shop;
CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE shop;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(191) NOT NULL,
  name VARCHAR(100) NOT NULL,
  nickname VARCHAR(50) NULL,
  phone VARCHAR(32) NULL,
  country CHAR(2) NOT NULL,
  created_at DATETIME NOT NULL,
  KEY idx_email (email)
) ${TABLE_OPTS};
INSERT INTO customers (id, email, name, nickname, phone, country, created_at)
SELECT seq, CONCAT('customer', seq, '@example.com'),
  CONCAT(${elt('seq', FIRST_NAMES)}, ' ', ${elt(`seq DIV ${FN}`, LAST_NAMES)}),
  CASE seq % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN CONCAT('nick', seq, '  ') ELSE CONCAT('nick', seq) END,
  CASE seq % 3 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE CONCAT('+1-555-', LPAD(seq, 7, '0')) END,
  ${elt('seq', ['US', 'DE', 'JP', 'FR', 'BR', 'IN'])},
  TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 3600 SECOND
FROM seq_1_to_${N.customers};

CREATE TABLE products (
  sku VARCHAR(32) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  description TEXT NULL,
  price DECIMAL(10,2) NOT NULL,
  weight_kg DOUBLE NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL
) ${TABLE_OPTS};
INSERT INTO products
SELECT CONCAT('SKU-', LPAD(seq, 6, '0')),
  CONCAT(${elt('seq', ['Widget', 'Gadget', 'Teapot 茶壺', 'Café mug ☕', 'Sprocket'])}, ' #', seq),
  IF(seq % 10 = 0, NULL, CONCAT('Description of item ', seq, ' — ünïcödé ✓')),
  1 + (seq * 7919 % 100000) / 100,
  IF(seq % 9 = 0, NULL, (seq % 500) / 10 + 0.25),
  seq % 13 <> 0,
  TIMESTAMP'2022-06-01 12:00:00' + INTERVAL seq MINUTE
FROM seq_1_to_${N.products};

CREATE TABLE orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('pending','paid','shipped','delivered','cancelled','refunded') NOT NULL DEFAULT 'pending',
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  total DECIMAL(12,2) NOT NULL,
  discount DECIMAL(5,4) NULL,
  ordered_at DATETIME NOT NULL,
  shipped_at DATETIME(3) NULL,
  paid_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_customer (customer_id),
  KEY idx_ordered_at (ordered_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ${TABLE_OPTS};
INSERT INTO orders (id, customer_id, status, currency, total, discount, ordered_at, shipped_at, paid_at, updated_at)
SELECT seq, 1 + (seq * 7919) % ${N.customers},
  ${elt('seq', ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'])},
  ${elt('seq', ['EUR', 'USD', 'JPY', 'GBP'])},
  (seq * 104729 % 1000000) / 100,
  IF(seq % 5 = 0, (seq % 3000) / 10000, NULL),
  TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 1000 SECOND,
  IF(seq % 6 IN (2, 3), TIMESTAMP'2024-01-02 00:00:00' + INTERVAL seq * 1000123 MICROSECOND, NULL),
  IF(seq % 6 = 0, NULL, TIMESTAMP'2024-01-01 00:30:00' + INTERVAL seq * 1000 SECOND),
  TIMESTAMP'2024-09-01 00:00:00' + INTERVAL seq SECOND
FROM seq_1_to_${N.orders};

CREATE TABLE order_items (
  order_id INT UNSIGNED NOT NULL,
  line_no SMALLINT UNSIGNED NOT NULL,
  product_sku VARCHAR(32) NOT NULL,
  quantity INT NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no),
  KEY idx_sku (product_sku),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (product_sku) REFERENCES products (sku)
) ${TABLE_OPTS};
INSERT INTO order_items
SELECT o.seq, l.seq, CONCAT('SKU-', LPAD(1 + (o.seq * 31 + l.seq * 17) % ${N.products}, 6, '0')),
  1 + (o.seq + l.seq) % 5, 1 + ((o.seq * 13 + l.seq * 7) % 20000) / 100
FROM seq_1_to_${N.orders} o JOIN seq_1_to_4 l ON l.seq <= 1 + o.seq % 4;

CREATE TABLE events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  occurred_at DATETIME(6) NOT NULL,
  type VARCHAR(40) NOT NULL,
  payload JSON NULL,
  KEY idx_type (type)
) ${TABLE_OPTS};
INSERT INTO events
SELECT seq, TIMESTAMP'2024-03-01 00:00:00' + INTERVAL seq * 1234567 MICROSECOND,
  ${elt('seq', ['login', 'checkout', 'page_view', 'refund'])},
  IF(seq % 50 = 0, NULL, JSON_OBJECT(
    'user', JSON_OBJECT('id', 1 + seq % ${N.customers}, 'name', ${elt('seq', EVENT_NAMES)}),
    'tags', JSON_ARRAY(${elt('seq', ['new', 'vip', '東京', '🎉'])}, seq % 10, JSON_EXTRACT('[true,false]', CONCAT('$[', seq % 2, ']')), NULL),
    'cart', JSON_OBJECT('items', JSON_ARRAY(JSON_OBJECT('sku', CONCAT('SKU-', LPAD(1 + seq % ${N.products}, 6, '0')), 'qty', 1 + seq % 3)),
                        'total', (seq % 100000) / 100),
    'meta', JSON_OBJECT('unicode', 'ü€😀', 'empty', JSON_OBJECT(), 'list', JSON_ARRAY(), 'deep', JSON_OBJECT('a', JSON_OBJECT('b', JSON_ARRAY(1, JSON_OBJECT('c', seq)))))))
FROM seq_1_to_${N.events};

CREATE TABLE attachments (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  filename VARCHAR(255) NOT NULL,
  mime_type VARCHAR(100) NOT NULL,
  content BLOB NULL,
  sha256 BINARY(32) NULL,
  token VARBINARY(16) NOT NULL,
  size_bytes INT UNSIGNED NULL
) ${TABLE_OPTS};
INSERT INTO attachments (id, filename, mime_type, content, token)
SELECT seq, CONCAT('file-', seq, ${elt('seq', ['.png', '.pdf', '.bin', ' (copy).txt'])}),
  ${elt('seq', ['image/png', 'application/pdf', 'application/octet-stream', 'text/plain'])},
  CASE seq % 100 WHEN 0 THEN NULL WHEN 1 THEN ''
    ELSE CONCAT(UNHEX('00FF00FF'), UNHEX(LPAD(HEX(seq), 8, '0')), REPEAT(UNHEX('000102FEFF805C27'), seq % 200), UNHEX('FF')) END,
  UNHEX(LPAD(HEX(seq * 2654435761 % 4294967296), 32, '0'))
FROM seq_1_to_${N.attachments};
UPDATE attachments SET sha256 = UNHEX(SHA2(content, 256)), size_bytes = LENGTH(content) WHERE content IS NOT NULL;

CREATE TABLE audit_log (
  logged_at DATETIME NOT NULL,
  actor VARCHAR(64) NULL,
  action VARCHAR(32) NOT NULL,
  entity VARCHAR(64) NOT NULL,
  entity_id INT NULL,
  detail TEXT NULL
) ${TABLE_OPTS};
INSERT INTO audit_log
SELECT TIMESTAMP'2024-02-01 00:00:00' + INTERVAL (seq DIV 2) * 60 SECOND,
  IF((seq DIV 2) % 7 = 0, NULL, CONCAT('user', (seq DIV 2) % 50)),
  ${elt('seq DIV 2', ['create', 'update', 'delete', 'login'])},
  ${elt('seq DIV 2', ['order', 'customer', 'product'])},
  (seq DIV 2) % 1000,
  IF((seq DIV 2) % 3 = 0, NULL, CONCAT('duplicate pair ', seq DIV 2, ' — détail'))
FROM seq_1_to_${N.audit_log};

CREATE TABLE measurements (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sensor_id SMALLINT UNSIGNED NOT NULL,
  taken_at DATETIME NOT NULL,
  celsius DECIMAL(6,2) NOT NULL,
  fahrenheit DECIMAL(7,2) AS (celsius * 9 / 5 + 32) VIRTUAL,
  taken_date DATE AS (CAST(taken_at AS DATE)) STORED,
  KEY idx_taken_date (taken_date),
  KEY idx_fahrenheit (fahrenheit)
) ${TABLE_OPTS};
INSERT INTO measurements (id, sensor_id, taken_at, celsius)
SELECT seq, 1 + seq % 25, TIMESTAMP'2024-05-01 00:00:00' + INTERVAL seq * 300 SECOND, ((seq * 37) % 8000) / 100 - 30
FROM seq_1_to_${N.measurements};

CREATE TABLE keywords (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  \`order\` INT NOT NULL,
  \`group\` VARCHAR(40) NOT NULL,
  \`key\` VARCHAR(40) NOT NULL,
  \`select\` TINYINT(1) NOT NULL,
  \`desc\` TEXT NULL,
  UNIQUE KEY \`key\` (\`key\`)
) ${TABLE_OPTS};
INSERT INTO keywords (id, \`order\`, \`group\`, \`key\`, \`select\`, \`desc\`)
SELECT seq, ${N.keywords} - seq, ${elt('seq', ['from', 'where', 'table', 'index'])}, CONCAT('key-', seq), seq % 2,
  IF(seq % 5 = 0, NULL, CONCAT('SELECT * FROM \`order\` WHERE \`group\` = ', seq, ';'))
FROM seq_1_to_${N.keywords};

CREATE TABLE \`order notes\` (
  \`note id\` INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  \`order id\` INT UNSIGNED NOT NULL,
  \`note text\` TEXT NOT NULL,
  CONSTRAINT \`fk order notes\` FOREIGN KEY (\`order id\`) REFERENCES orders (id)
) ${TABLE_OPTS};
INSERT INTO \`order notes\`
SELECT seq, 1 + (seq * 17) % ${N.orders}, CONCAT('Note ', seq, ': please ring twice 🔔')
FROM seq_1_to_${N.order_notes};

CREATE TABLE \`odd\`\`name\` (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  \`back\`\`tick\` VARCHAR(50) NOT NULL,
  \`quote'col\` VARCHAR(50) NULL
) ${TABLE_OPTS};
INSERT INTO \`odd\`\`name\`
SELECT seq, CONCAT('bt\`', seq), IF(seq % 2 = 0, CONCAT('it''s ', seq), NULL)
FROM seq_1_to_${N.odd_name};

CREATE TABLE legacy_latin1 (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  city VARCHAR(100) NULL
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
INSERT INTO legacy_latin1
SELECT seq, CONCAT(${elt('seq', LATIN1_NAMES)}, ' ', seq), ${elt('seq', ['Zürich', 'Malmö', 'São Paulo', 'Kraków?', 'Reykjavík'])}
FROM seq_1_to_${N.legacy_latin1};

SET SESSION sql_mode = '';
CREATE TABLE zero_dates (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  d DATE NOT NULL DEFAULT '0000-00-00',
  dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
  partial_date DATE NULL,
  note VARCHAR(40) NOT NULL
) ${TABLE_OPTS};
INSERT INTO zero_dates
SELECT seq,
  IF(seq % 4 = 0, '0000-00-00', DATE'2024-01-01' + INTERVAL seq DAY),
  IF(seq % 4 IN (0, 1), '0000-00-00 00:00:00', TIMESTAMP'2024-01-01 08:00:00' + INTERVAL seq HOUR),
  CASE seq % 3 WHEN 0 THEN '2024-00-15' WHEN 1 THEN '2024-05-00' ELSE NULL END,
  CONCAT('row ', seq)
FROM seq_1_to_${N.zero_dates};
SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

CREATE TABLE users_by_email (
  email VARCHAR(191) NOT NULL,
  display_name VARCHAR(100) NULL,
  login_count INT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_email (email)
) ${TABLE_OPTS};
INSERT INTO users_by_email
SELECT CONCAT('user', seq, '@', ${elt('seq', ['example.com', 'example.org', 'exämple.de'])}),
  IF(seq % 10 = 0, NULL, ${elt('seq', FIRST_NAMES)}), seq % 97, TIMESTAMP'2023-03-01 00:00:00' + INTERVAL seq HOUR
FROM seq_1_to_${N.users_by_email};
`;
}

/** Whether `shop` is completely seeded (the last table has its rows). @param {string} socket */
export async function shopSeeded(socket) {
  const exists = await sqlValue(socket,
    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='shop' AND TABLE_NAME='users_by_email'");
  if (exists !== '1') return false;
  const n = await sqlValue(socket, 'SELECT COUNT(*) FROM shop.users_by_email');
  return Number(n) === expectedShopRows().users_by_email;
}

/** Seed `shop` on the primary (it replicates). @param {string} socket */
export async function seedShop(socket) {
  await sqlExec(socket, shopSeedSql(), { timeoutMs: 600_000 });
}

export const LARGE_ROWS = 1_000_000;

/**
 * bench.orders_large: 1M rows (~280 MB). The DDL replicates (replicas get an EMPTY table), the rows
 * are written with sql_log_bin=0 on the primary only: the benchmark copies primary -> target, and
 * shipping 280 MB to two replicas would only cost time and disk. Do not UPDATE/DELETE its rows on
 * the primary with binlogging on (replicas would stop with error 1032); DROP/TRUNCATE is fine.
 * @param {string} socket primary socket
 * @returns {Promise<{ skipped: boolean, seconds: number, rows: number, dataMB: number }>}
 */
export async function seedLarge(socket) {
  const t0 = Date.now();
  await sqlExec(socket, `
CREATE DATABASE IF NOT EXISTS bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS bench.orders_large (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('pending','paid','shipped','delivered','cancelled','refunded') NOT NULL,
  currency CHAR(3) NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  tax DECIMAL(10,2) NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  email VARCHAR(191) NOT NULL,
  shipping_address VARCHAR(255) NOT NULL,
  notes TEXT NULL,
  KEY idx_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;`);
  const count = Number(await sqlValue(socket, 'SELECT COUNT(*) FROM bench.orders_large'));
  const skipped = count === LARGE_ROWS;
  if (!skipped) {
    await sqlExec(socket, `
SET SESSION sql_log_bin = 0;
SET SESSION time_zone = '+00:00';
USE bench;
TRUNCATE TABLE bench.orders_large;
INSERT INTO bench.orders_large
SELECT seq, 1 + (seq * 7919) % 200000,
  ${elt('seq', ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'])},
  ${elt('seq', ['EUR', 'USD', 'JPY', 'GBP'])},
  (seq * 104729 % 10000000) / 100, (seq * 104729 % 10000000) / 500,
  TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 30 SECOND,
  TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 30123000 MICROSECOND,
  CONCAT('customer', 1 + (seq * 7919) % 200000, '@example.com'),
  CONCAT(1 + seq % 999, ' ', ${elt('seq', ['Main Street', 'Rue de la Paix', 'Königsallee', '銀座通り', 'Avenida Paulista'])},
    ', Apt ', seq % 97, ', ', ${elt('seq DIV 7', ['Springfield', 'Paris', 'Düsseldorf', '東京', 'São Paulo', 'Oslo'])},
    ' ', LPAD(seq % 99999, 5, '0'), ', floor ', seq % 12, ', building ', CHAR(65 + seq % 26 USING utf8mb4)),
  IF(seq % 4 = 0, NULL, CONCAT('Order ', seq, ': ', REPEAT(${elt('seq', ['leave at the door. ', 'gift wrap please 🎁. ', 'call before delivery. '])}, 2 + seq % 10)))
FROM seq_1_to_${LARGE_ROWS};`, { timeoutMs: 1_800_000 });
  }
  await sqlExec(socket, 'SET SESSION sql_log_bin = 0; ANALYZE TABLE bench.orders_large;');
  const dataLen = Number(await sqlValue(socket,
    "SELECT DATA_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA='bench' AND TABLE_NAME='orders_large'"));
  return { skipped, seconds: (Date.now() - t0) / 1000, rows: LARGE_ROWS, dataMB: Math.round(dataLen / 1048576) };
}
