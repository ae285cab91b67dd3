// Tables the job creates are InnoDB whatever the source engine; ENUM members MariaDB cannot print are refused.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { asInnoDb, createdMessage } from '../../src/engine/schema/schema';
import { unrecreatable } from '../../src/engine/copy/planner';
import { codecFor } from '../../src/engine/db/sql';
import type { TableDefinition } from '../../src/engine/schema/inspector';

describe('schema: created tables are InnoDB', () => {
  it('rewrites the engine and drops options only Aria/MyISAM know', () => {
    const aria = 'CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `engine_note` varchar(9) DEFAULT \'ENGINE=x\',\n  PRIMARY KEY (`id`)\n) ENGINE=Aria DEFAULT CHARSET=utf8mb4 PAGE_CHECKSUM=1 TRANSACTIONAL=1 ROW_FORMAT=PAGE';
    assert.equal(
      asInnoDb(aria),
      'CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `engine_note` varchar(9) DEFAULT \'ENGINE=x\',\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    );
    assert.match(asInnoDb('CREATE TABLE `m` (\n  `id` int\n) ENGINE=MyISAM DELAY_KEY_WRITE=1 ROW_FORMAT=FIXED'), /\) ENGINE=InnoDB$/);
    const partitioned = 'CREATE TABLE `p` (\n  `id` int\n) ENGINE=MyISAM\n PARTITION BY HASH (`id`)\n(PARTITION `p0` ENGINE = MyISAM,\n PARTITION `p1` ENGINE = MyISAM)';
    assert.equal((asInnoDb(partitioned).match(/ENGINE=InnoDB/g) ?? []).length, 3);
    const innodb = 'CREATE TABLE `i` (\n  `id` int\n) ENGINE=InnoDB ROW_FORMAT=DYNAMIC';
    assert.equal(asInnoDb(innodb), innodb);
  });

  it('says what it created', () => {
    assert.match(createdMessage('t', { convertedFrom: 'Aria' }), /^t: created on the target as InnoDB, not Aria like the source/);
    assert.match(createdMessage('t', { convertedFrom: null }), /as InnoDB \(triggers are not copied\)/);
  });
});

describe('planner: ENUM/SET members that cannot be recreated', () => {
  const table = (columnType: string, charset: string): TableDefinition => ({
    database: 'd', name: 't', engine: 'InnoDB', estimatedRows: 0, avgRowLength: 0, indexes: [], createStatement: '', key: null,
    columns: [{ name: 'e', dataType: 'enum', columnType, nullable: true, charset, collation: null, generated: false, generationExpression: null, codec: codecFor('enum', charset, null) }],
  });
  it("refuses a utf8mb4 member printed with '?', not latin1 or plain ones", () => {
    assert.equal(unrecreatable(table("enum('a','?')", 'utf8mb4')).length, 1);
    assert.deepEqual(unrecreatable(table("enum('a','b')", 'utf8mb4')), []);
    assert.deepEqual(unrecreatable(table("enum('a','?')", 'latin1')), []);
  });
});
