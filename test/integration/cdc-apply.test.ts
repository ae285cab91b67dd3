// The change applier's batching (src/engine/cdc/applier.ts): a batch goes to the target as several
// multi-statement queries (one table's statements per query, about 1 MB each, the next built
// while the server runs the previous; the position and COMMIT ride in the last one). Here batches
// span several queries and several tables, with keys of every kind the single-column key ids have to
// tell apart (BIGINT as numbers and, past 2^53, as strings; bytes; text with quotes, backslashes and
// emoji) and the type corpus; and a duplicate-key failure in a later query of a batch must roll back
// the earlier queries of the same transaction and leave the position where it was.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob } from '../../src/engine/index.js';
import { adminConnect } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture } from '../support/cli.js';
import { allFacts, createKeyTables, createLoadTables, KEY_TABLES, LOAD_TABLES, runLoad, seedLoadTables, writeCorpus, writeKeyChanges } from '../support/cdcLoad.js';

const fx = useCliFixture('cdc_apply', { seed: seedSource });
const { srcDb, dstDb } = fx;
const TABLES = [...LOAD_TABLES, 'wide', ...KEY_TABLES];

interface Trace {
  batches: number;
  queries: number;
}

async function sync(jobId: string, extra: string[] = []): Promise<{ code: number | null; result: Record<string, unknown> | null; trace: Trace | null; text: string }> {
  const run = fx.cli(['sync', jobId, '--to', fx.url('target'), '--json', ...extra], { env: { RW_MIGRATE_CDCTRACE: '1' } });
  const code = await run.exit;
  const result = jsonLines(run).find((e) => e.type === 'result') ?? null;
  const traceLine = run.stderr.join('').split('\n').find((l) => l.includes('"cdctrace"'));
  return { code, result, trace: traceLine ? (JSON.parse(traceLine) as Trace) : null, text: text(run) };
}

async function position(jobId: string): Promise<string> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos, events FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]);
  return r[0] ? `${r[0].binlog_file}:${r[0].binlog_pos} after ${r[0].events} events` : 'none';
}

/** A 12,000-row transaction on `wide` (about 3.5 MB of statement text: 5,000-row INSERTs, three queries or more). */
async function wideInsert(base: number, lastCode?: string): Promise<void> {
  await fx.primary.query(
    `INSERT INTO \`${srcDb}\`.wide SELECT ${base} + seq, IF(seq = 12000 AND ? IS NOT NULL, ?, CONCAT('w', ${base} + seq)), CONCAT(REPEAT('é\\'"\\\\', 40), seq) FROM \`${srcDb}\`.seq_1_to_12000`,
    [lastCode ?? null, lastCode ?? null],
  );
}

/** The load tables and four more: a wide one (multi-query batches) and keys of every kind. */
async function seedSource(primary: mysql.Connection, srcDb: string): Promise<void> {
  await createLoadTables(primary, srcDb);
  await seedLoadTables(primary, srcDb, 500);
  await primary.query(`CREATE TABLE \`${srcDb}\`.wide (id INT NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL, body VARCHAR(300) CHARACTER SET utf8mb4 NOT NULL, UNIQUE KEY uk_wcode (code)) ENGINE=InnoDB`);
  await createKeyTables(primary, srcDb);
}

describe('change applier: batches of several queries', () => {
  let jobId = '';

  it('batches spanning several queries and tables, keys of every kind and the type corpus: equal by CHECKSUM TABLE and count', async () => {
    const copy = await startJob(fx.spec()).done;
    assert.equal(copy.state, 'done', copy.message);
    jobId = copy.jobId;

    await wideInsert(100_000);
    await fx.primary.query(`UPDATE \`${srcDb}\`.wide SET body = CONCAT(body, '✓') WHERE id % 3 = 0`);
    await fx.primary.query(`DELETE FROM \`${srcDb}\`.wide WHERE id % 7 = 0`);
    await writeKeyChanges(fx.primary, srcDb, '9007199254740994');
    const loadConn = await adminConnect(fx.topo.servers.primary);
    await runLoad(loadConn, srcDb, { seed: 23, idBase: 5_000_000, seedRows: 500, stop: () => false, maxOps: 400 });
    await loadConn.end();
    await writeCorpus(fx.primary, srcDb, 300);

    const r = await sync(jobId);
    assert.equal(r.code, 0, r.text);
    assert.ok(r.trace, `the trace line (RW_MIGRATE_CDCTRACE) is printed: ${r.text}`);
    assert.ok(r.trace.queries > r.trace.batches, `some batch went as several queries: ${JSON.stringify(r.trace)}`);
    assert.deepEqual(await allFacts(fx.target, dstDb, TABLES), await allFacts(fx.primary, srcDb, TABLES));
  });

  it('a duplicate-key failure in the last query of a batch: nothing of the batch applied, the position unmoved; after the fix, equal', async () => {
    await fx.target.query(`INSERT INTO \`${dstDb}\`.wide VALUES (900000000, 'clash-apply', 'target only')`);
    const positionBefore = await position(jobId);
    // one source transaction of 12,000 rows (one batch), its last row clashing with the target-only row
    await wideInsert(200_000, 'clash-apply');
    const r = await sync(jobId);
    assert.equal(r.code, 1, r.text);
    assert.match(String(r.result?.message), /wide.*unique key uk_wcode/);
    assert.ok(r.trace && r.trace.queries >= 2, `earlier queries of the failing batch ran before it: ${r.text}`);
    const [applied] = await fx.target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${dstDb}\`.wide WHERE id > 200000 AND id <= 212000`);
    assert.equal(Number(applied[0].n), 0, 'the queries before the failing one were rolled back with it');
    assert.equal(await position(jobId), positionBefore);

    await fx.target.query(`DELETE FROM \`${dstDb}\`.wide WHERE id = 900000000`);
    const again = await sync(jobId);
    assert.equal(again.code, 0, again.text);
    assert.deepEqual(await allFacts(fx.target, dstDb, TABLES), await allFacts(fx.primary, srcDb, TABLES));
  });
});
