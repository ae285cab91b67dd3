// SQL checks throughput: statements/s through checkSql (lexer + every rule) on a mixed 1,000-statement
// script, against node-sql-parser's MariaDB grammar parsing the same script (parse only, no rules) in
// the same run. Also counts the statements the parser rejects.
//   node --import tsx bench/sqlchecks.ts
import { createRequire } from 'node:module';
import { checkSql, splitStatements } from '../src/engine/sqlcheck/index.js';

const require = createRequire(import.meta.url);
const { Parser } = require('node-sql-parser/build/mariadb') as { Parser: new () => { astify(sql: string, o: { database: string }): unknown } };

const SAMPLES = [
  "UPDATE orders SET status = 'paid', note = 'WHERE id = 1' WHERE id = 42",
  'DELETE FROM sessions WHERE expires_at < NOW() ORDER BY id LIMIT 1000',
  'INSERT INTO audit (id, who, at) VALUES (UUID(), USER(), NOW())',
  'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 100 ORDER BY o.id LIMIT 50',
  'INSERT INTO archive SELECT * FROM orders WHERE created_at < 20240101',
  'ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT',
  '/* nightly */ UPDATE counters SET n = n + 1 WHERE 1 = 1',
  'LOCK TABLES orders WRITE',
  'FLUSH TABLES WITH READ LOCK',
  "-- by type\nSELECT COUNT(*) FROM events WHERE type IN ('login', 'checkout')",
];
const statements = Array.from({ length: 1000 }, (_, i) => SAMPLES[i % SAMPLES.length]);
const script = statements.join(';\n') + ';\n';
const ROUNDS = 20;

function rate(fn: () => void): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  return (ROUNDS * statements.length) / ((performance.now() - t0) / 1000);
}

const ours = rate(() => checkSql(script));
const parser = new Parser();
let rejected = 0;
const theirs = rate(() => {
  rejected = 0;
  for (const s of statements) {
    try {
      parser.astify(s, { database: 'MariaDB' });
    } catch {
      rejected++;
    }
  }
});
console.log(JSON.stringify({
  statements: splitStatements(script).length,
  checkSqlStatementsPerSecond: Math.round(ours),
  nodeSqlParserStatementsPerSecond: Math.round(theirs),
  ratio: Number((ours / theirs).toFixed(2)),
  nodeSqlParserRejected: `${rejected} of ${statements.length}`,
}));
