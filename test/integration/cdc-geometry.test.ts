// Spatial columns through the copy and the change stream: GEOMETRY, POINT (with a SPATIAL key),
// LINESTRING, POLYGON, MULTIPOINT and GEOMETRYCOLLECTION values with several SRIDs, a collection of
// points next to the equal-looking MULTIPOINT, an empty collection and -0 / tiny / huge coordinates.
// After the copy and after a sync of inserts, updates (including an SRID-only change) and deletes,
// the target equals the source by CHECKSUM TABLE and by HEX() of every stored value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { startJob } from '../../src/engine/index.js';
import { syncJob } from '../../src/engine/cdc/index.js';
import { adminSpec } from '../support/sandbox.js';
import { useCliFixture } from '../support/cli.js';
import { tableFacts } from '../support/cdcLoad.js';

const fx = useCliFixture('geo', {
  seed: async (primary, db) => {
    await primary.query(`CREATE TABLE \`${db}\`.geo (
      id INT NOT NULL PRIMARY KEY,
      g GEOMETRY NULL, p POINT NOT NULL, ls LINESTRING NULL, pg POLYGON NULL, mp MULTIPOINT NULL, gc GEOMETRYCOLLECTION NULL,
      SPATIAL KEY sp_p (p)
    ) ENGINE=InnoDB`);
    await insertRows(1, 60, (n) => [0, 4326, 3857][n % 3]);
  },
});
const { srcDb, dstDb } = fx;
const COLS = ['g', 'p', 'ls', 'pg', 'mp', 'gc'];

/** One row's values as SQL expressions, varied by n. */
function row(n: number, srid: number): string {
  const geoms = [
    `ST_GeomFromText('GEOMETRYCOLLECTION(POINT(${n} 1), POINT(2 ${n}))', ${srid})`,
    `ST_GeomFromText('MULTIPOINT(${n} 1, 2 ${n})', ${srid})`,
    `ST_GeomFromText('GEOMETRYCOLLECTION EMPTY', ${srid})`,
    `ST_GeomFromText('POLYGON((0 0, ${n} 0, ${n} ${n}, 0 0))', ${srid})`,
    'NULL',
  ];
  return (
    `(${n}, ${geoms[n % geoms.length]}, ST_GeomFromText('POINT(${n / 3} ${-n / 7})', ${srid}), ` +
    `ST_GeomFromText('LINESTRING(-0 0, ${n}e-300 1e300, ${n} ${n + 0.5})', ${srid}), ` +
    `${n % 3 === 0 ? 'NULL' : `ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1))', ${srid})`}, ` +
    `ST_GeomFromText('MULTIPOINT(1 1, ${n} 2)', ${srid}), ` +
    `${n % 4 === 0 ? 'NULL' : `ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, ${n} ${n}), POLYGON((0 0, 1 0, 1 1, 0 0)))', ${srid})`})`
  );
}

async function insertRows(from: number, to: number, srid: (n: number) => number): Promise<void> {
  const tuples: string[] = [];
  for (let n = from; n <= to; n++) tuples.push(row(n, srid(n)));
  await fx.primary.query(`INSERT INTO \`${srcDb}\`.geo (id, ${COLS.join(', ')}) VALUES ${tuples.join(', ')}`);
}

/** Every stored value as hex (the server's SRID + WKB bytes) and its SRID, per row. */
async function hexRows(conn: mysql.Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT CONCAT_WS('|', id, ${COLS.map((c) => `IFNULL(HEX(\`${c}\`), 'null'), IFNULL(ST_SRID(\`${c}\`), '-')`).join(', ')}) AS r FROM \`${db}\`.geo ORDER BY id`,
  );
  return rows.map((r) => String(r.r));
}

async function assertEqual(): Promise<void> {
  assert.equal(await tableFacts(fx.target, dstDb, 'geo'), await tableFacts(fx.primary, srcDb, 'geo'));
  const [s, t] = [await hexRows(fx.primary, srcDb), await hexRows(fx.target, dstDb)];
  assert.equal(t.length, s.length);
  assert.deepEqual(t, s);
}

describe('spatial columns', () => {
  let jobId = '';

  it('the full copy moves every spatial value byte for byte, SRIDs included', async () => {
    const r = await startJob(fx.spec({ tables: ['geo'], maxChunkRows: 16, initialChunkRows: 16 })).done;
    assert.equal(r.state, 'done', r.message);
    jobId = r.jobId;
    await assertEqual();
  });

  it('inserts, updates (an SRID-only change among them) and deletes arrive exactly through the change stream', async () => {
    const t = `\`${srcDb}\`.geo`;
    await insertRows(61, 120, (n) => [4326, 0, 2154][n % 3]);
    await fx.primary.query(`UPDATE ${t} SET p = ST_GeomFromText(ST_AsText(p), 3857) WHERE id BETWEEN 1 AND 30`);
    await fx.primary.query(`UPDATE ${t} SET g = ST_GeomFromText('GEOMETRYCOLLECTION(MULTIPOINT(1 1, 2 2), POINT(-0 5e-324))', 4326), pg = NULL WHERE id % 5 = 0`);
    await fx.primary.query(`UPDATE ${t} SET gc = ST_GeomFromText('GEOMETRYCOLLECTION EMPTY'), mp = ST_GeomFromText('MULTIPOINT(9 9)', 4326), id = id + 1000 WHERE id BETWEEN 40 AND 45`);
    await fx.primary.query(`DELETE FROM ${t} WHERE id % 7 = 0`);
    const r = await syncJob(adminSpec(fx.topo, fx.topo.servers.target), jobId, { source: fx.topo.users.admin.password, target: fx.topo.users.admin.password }).done;
    assert.equal(r.state, 'done', r.message);
    assert.ok(r.events >= 100, `row events applied: ${r.events}`);
    await assertEqual();
    const [srids] = await fx.target.query<RowDataPacket[]>(`SELECT COUNT(DISTINCT ST_SRID(p)) AS n FROM \`${dstDb}\`.geo`);
    assert.ok(Number(srids[0].n) >= 3, 'several SRIDs made it to the target');
  });
});
