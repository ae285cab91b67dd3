import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildCopySpec, parseTableList } from '../../src/cli/options';
import { progressLine } from '../../src/cli/render';
import { emptyJobView, reduceJobView } from '../../src/engine/jobs/jobView.js';
import { EXIT } from '../../src/cli/exit-codes';

const base = { from: 'mysql://u@a:1/src', to: 'mysql://u@b:2/dst' };

describe('cli: copy options', () => {
  it('builds a spec with defaults', () => {
    const s = buildCopySpec({ ...base, tables: 'a, b,,c' });
    assert.deepEqual(s.tables, ['a', 'b', 'c']);
    assert.equal(s.sourceDatabase, 'src');
    assert.equal(s.targetDatabase, 'dst');
    assert.equal(s.ifExists, 'abort');
    assert.equal(s.method, 'load');
    assert.equal(s.source.password, undefined);
  });

  it('takes numbers and replicas', () => {
    const s = buildCopySpec({ ...base, all: true, writers: '4', chunkTime: '0.25', maxLag: '2', maxLoad: '30', replica: ['mysql://u@r1:3306', 'mysql://u@r2:3307'] });
    assert.equal(s.tables, 'all');
    assert.equal(s.writers, 4);
    assert.equal(s.chunkTimeSeconds, 0.25);
    assert.equal(s.maxLagSeconds, 2);
    assert.equal(s.maxLoad, 30);
    assert.deepEqual(s.replicas?.map((r) => `${r.host}:${r.port}`), ['r1:3306', 'r2:3307']);
  });

  it('rejects ambiguous or unsafe combinations', () => {
    assert.throws(() => buildCopySpec({ ...base }), /--tables a,b or --all/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', all: true }), /either/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', ifExists: 'truncate' }), /--yes/);
    assert.equal(buildCopySpec({ ...base, tables: 'a', ifExists: 'truncate', yes: true }).confirmTruncate, true);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', ifExists: 'merge' }), /abort, truncate or upsert/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', writers: '0' }), /--writers/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', writers: '1.5' }), /integer/);
    assert.throws(() => buildCopySpec({ ...base, tables: 'a', mode: 'live' }), /not supported/);
    assert.throws(() => buildCopySpec({ ...base, to: 'mysql://u@b:2', tables: 'a' }), /needs a database/);
    assert.throws(() => parseTableList(' , '), /at least one/);
  });

  it('documents distinct exit codes', () => {
    assert.deepEqual(Object.values(EXIT), [0, 1, 2, 3, 4]);
  });

  it('renders a progress line with throttle reason and ETA', () => {
    const line = progressLine(reduceJobView(emptyJobView('j', 0), {
      type: 'progress', jobId: 'j', rows: 500, bytes: 2048, rowsPerSecond: 100, totalRows: 1000, totalIsEstimate: true,
      etaSeconds: 5, table: 'orders', chunk: 3, chunkRows: 100, throttle: { throttled: true, reason: 'replica1: lag 3 s > 1 s' }, state: 'copying',
    }, 1000));
    assert.match(line, /50\.0%/);
    assert.match(line, /~1,000 rows/);
    assert.match(line, /ETA 5 s/);
    assert.match(line, / 2\.0 KiB /);
    assert.match(line, /WAITING: replica1: lag 3 s > 1 s/);
  });
});
