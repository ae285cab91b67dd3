import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitDeferrableKeys } from '../../src/engine/schema/deferredKeys.js';

// SHOW CREATE TABLE text as MariaDB 10.11 prints it for the sandbox's shop.order_items and bench table.
const ORDER_ITEMS = [
  'CREATE TABLE `order_items` (',
  '  `order_id` int(10) unsigned NOT NULL,',
  '  `line_no` smallint(5) unsigned NOT NULL,',
  '  `product_sku` varchar(32) NOT NULL,',
  '  `note` varchar(100) DEFAULT NULL,',
  '  PRIMARY KEY (`order_id`,`line_no`),',
  '  KEY `idx_sku` (`product_sku`),',
  '  KEY `idx_note` (`note`(10)) COMMENT \'a, b\',',
  '  CONSTRAINT `fk_items_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE,',
  '  CONSTRAINT `fk_items_product` FOREIGN KEY (`product_sku`) REFERENCES `products` (`sku`)',
  ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
].join('\n');

const ORDERS_LARGE = [
  'CREATE TABLE `orders_large` (',
  '  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,',
  '  `customer_id` int(10) unsigned NOT NULL,',
  '  `email` varchar(191) NOT NULL,',
  '  `odd``col` int NOT NULL,',
  '  PRIMARY KEY (`id`),',
  '  UNIQUE KEY `uq_email` (`email`),',
  '  FULLTEXT KEY `ft_email` (`email`),',
  '  KEY `idx_customer` (`customer_id`,`id` DESC),',
  '  KEY `odd``key` (`odd``col`)',
  ') ENGINE=InnoDB AUTO_INCREMENT=1000001 DEFAULT CHARSET=utf8mb4',
].join('\n');

test('defers plain keys, keeps primary, unique and fulltext keys, and leaves valid SQL (no dangling comma)', () => {
  const { create, deferred } = splitDeferrableKeys(ORDERS_LARGE);
  assert.deepEqual(deferred, ['KEY `idx_customer` (`customer_id`,`id` DESC)', 'KEY `odd``key` (`odd``col`)']);
  // The input without its last two keys, and without the comma that now has nothing after it.
  const lines = ORDERS_LARGE.split('\n');
  assert.equal(create, [...lines.slice(0, 7), lines[7].replace(/,$/, ''), lines[10]].join('\n'));
});

test('keeps a key that a foreign key of the table needs; defers one that only looks similar; keeps key options', () => {
  const { create, deferred } = splitDeferrableKeys(ORDER_ITEMS);
  assert.deepEqual(deferred, ["KEY `idx_note` (`note`(10)) COMMENT 'a, b'"]);
  assert.match(create, /KEY `idx_sku` \(`product_sku`\),\n {2}CONSTRAINT/);
  assert.doesNotMatch(create, /idx_note/);
});

test('keeps a key whose leading columns other tables reference', () => {
  const { deferred } = splitDeferrableKeys(ORDERS_LARGE, [['CUSTOMER_ID']]);
  assert.deepEqual(deferred, ['KEY `odd``key` (`odd``col`)']);
});

test('a table with nothing to defer comes back unchanged', () => {
  const plain = 'CREATE TABLE `t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB';
  assert.deepEqual(splitDeferrableKeys(plain), { create: plain, deferred: [] });
});
