import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  detectFlavor, parseDiscovery, parseReplicaStatus, parseServerFacts, parseVersion, replicaHostsSql, replicaStatusSql, type Row,
} from '../../src/engine/topology/dialect.js';
import { checkPrivileges, databasePatternMatches, parseGrants } from '../../src/engine/topology/privileges.js';

interface Fixture {
  primaryVariables: Row[];
  replicaVariables: Row[];
  replicaStatusRunning: Row[];
  replicaStatusSqlStopped: Row[];
  replicaStatusIoConnecting: Row[];
  replicaStatusSqlError?: Row[];
  replicaHosts: Row[];
  dumpThreads: Row[];
  grants: Record<string, string[]>;
}

const load = (name: string): Fixture => JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')) as Fixture;
const maria = load('mariadb-10.11.json');
const mysql = load('mysql-8.0.json');

describe('server facts', () => {
  test('MariaDB 10.11 primary and replica', () => {
    const p = parseServerFacts(maria.primaryVariables);
    assert.equal(p.flavor, 'mariadb');
    assert.deepEqual(p.versionNumber, [10, 11, 19]);
    assert.equal(p.serverId, 1);
    assert.equal(p.readOnly, false);
    assert.equal(p.binlogFormat, 'ROW');
    assert.equal(p.gtidMode, 'ON (strict)');
    assert.equal(p.gtidPosition, '0-1-31');
    const r = parseServerFacts(maria.replicaVariables);
    assert.equal(r.readOnly, true);
    assert.equal(r.serverId, 2);
  });

  test('MySQL 8.0 primary: gtid_mode and a multi-line gtid_executed', () => {
    const p = parseServerFacts(mysql.primaryVariables);
    assert.equal(p.flavor, 'mysql');
    assert.deepEqual(p.versionNumber, [8, 0, 36]);
    assert.equal(p.gtidMode, 'ON');
    assert.equal(p.gtidPosition, '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5081,8f2ab2c0-71cb-11e1-9e33-c80aa9429562:1-12');
    assert.equal(parseServerFacts(mysql.replicaVariables).readOnly, true);
  });

  test('binlog format is null without a binlog', () => {
    const rows = maria.primaryVariables.map((r) => (r.Variable_name === 'log_bin' ? { ...r, Value: 'OFF' } : r));
    assert.equal(parseServerFacts(rows).binlogFormat, null);
  });

  test('flavor and version from odd version strings', () => {
    assert.equal(detectFlavor('10.6.16-MariaDB-1:10.6.16+maria~ubu2204-log'), 'mariadb');
    assert.equal(detectFlavor('8.0.36-28', 'Percona Server (GPL), Release 28'), 'mysql');
    assert.deepEqual(parseVersion('5.5.5-10.11.6-MariaDB'), [10, 11, 6]);
    assert.deepEqual(parseVersion('garbage'), [0, 0, 0]);
  });
});

describe('statements by flavor', () => {
  test('replica status', () => {
    assert.equal(replicaStatusSql('mariadb', [10, 11, 19]), 'SHOW ALL SLAVES STATUS');
    assert.equal(replicaStatusSql('mysql', [8, 0, 36]), 'SHOW REPLICA STATUS');
    assert.equal(replicaStatusSql('mysql', [8, 0, 21]), 'SHOW SLAVE STATUS');
  });
  test('replica hosts', () => {
    assert.equal(replicaHostsSql('mariadb', [10, 6, 0]), 'SHOW SLAVE HOSTS');
    assert.equal(replicaHostsSql('mysql', [8, 0, 36]), 'SHOW REPLICAS');
  });
});

describe('replica status rows', () => {
  test('MariaDB running', () => {
    const s = parseReplicaStatus(maria.replicaStatusRunning[0]);
    assert.deepEqual(
      { io: s.ioRunning, sql: s.sqlRunning, lag: s.secondsBehind, host: s.sourceHost, id: s.sourceServerId, gtid: s.usingGtid, ch: s.channel },
      { io: 'yes', sql: true, lag: 0, host: '127.0.0.1', id: 1, gtid: true, ch: '' },
    );
    assert.ok(s.sourcePort > 0);
  });
  test('MariaDB SQL thread stopped: lag is null, IO still running', () => {
    const s = parseReplicaStatus(maria.replicaStatusSqlStopped[0]);
    assert.equal(s.sqlRunning, false);
    assert.equal(s.ioRunning, 'yes');
    assert.equal(s.secondsBehind, null);
  });
  test('MariaDB IO connecting and SQL error carry their messages', () => {
    const io = parseReplicaStatus(maria.replicaStatusIoConnecting[0]);
    assert.equal(io.ioRunning, 'connecting');
    assert.match(io.lastIoError, /Connection refused/);
    const sql = parseReplicaStatus((maria.replicaStatusSqlError as Row[])[0]);
    assert.match(sql.lastSqlError, /Duplicate entry '42'/);
  });
  test('MySQL 8.0 running with Seconds_Behind_Source', () => {
    const s = parseReplicaStatus(mysql.replicaStatusRunning[0]);
    assert.deepEqual(
      { io: s.ioRunning, sql: s.sqlRunning, lag: s.secondsBehind, host: s.sourceHost, port: s.sourcePort, id: s.sourceServerId, gtid: s.usingGtid },
      { io: 'yes', sql: true, lag: 3, host: '10.0.0.11', port: 3306, id: 1, gtid: true },
    );
  });
  test('MySQL 8.0 stopped and connecting', () => {
    const sql = parseReplicaStatus(mysql.replicaStatusSqlStopped[0]);
    assert.equal(sql.sqlRunning, false);
    assert.match(sql.lastSqlError, /Worker 1 failed/);
    const io = parseReplicaStatus(mysql.replicaStatusIoConnecting[0]);
    assert.equal(io.ioRunning, 'connecting');
    assert.match(io.lastIoError, /Can't connect/);
  });
});

describe('replica discovery', () => {
  test('MariaDB: slave hosts and dump threads merge by host', () => {
    const found = parseDiscovery(maria.replicaHosts, maria.dumpThreads);
    assert.equal(found.length, 2);
    assert.deepEqual(found.map((f) => f.serverId).sort(), [2, 3]);
    assert.ok(found.every((f) => f.port !== null && f.host === '127.0.0.1'));
    assert.ok(found.every((f) => f.seenIn.includes('replica-hosts') && f.seenIn.includes('processlist')));
  });
  test('MySQL: an empty report_host is filled from the processlist', () => {
    const found = parseDiscovery(mysql.replicaHosts, mysql.dumpThreads);
    assert.deepEqual(
      found.map((f) => [f.host, f.port, f.serverId]),
      [
        ['10.0.0.12', 3306, 2],
        ['10.0.0.13', 3306, 3],
      ],
    );
  });
  test('a dump thread alone is reported without a port', () => {
    assert.deepEqual(parseDiscovery([], [{ ID: '1', USER: 'repl', HOST: '10.1.1.1:5555' }]), [{ host: '10.1.1.1', port: null, serverId: null, seenIn: ['processlist'] }]);
  });
});

describe('privileges', () => {
  const ctx = (f: Fixture, database?: string) => ({ ...parseServerFacts(f.primaryVariables), database });
  const report = (f: Fixture, who: string, database?: string) => {
    const c = ctx(f, database);
    const { checks, notes } = checkPrivileges(f.grants[who], { flavor: c.flavor, version: c.versionNumber, database });
    return { map: Object.fromEntries(checks.map((x) => [x.feature, x.missing])), notes };
  };

  test('MariaDB admin (ALL PRIVILEGES) misses nothing', () => {
    const { map } = report(maria, 'admin', 'shop');
    assert.deepEqual(map, { read: [], lag: [], binlog: [], target: [], heartbeat: [] });
  });
  test('MariaDB rwreader: BINLOG MONITOR is not SLAVE MONITOR', () => {
    const { map } = report(maria, 'reader', 'shop');
    assert.deepEqual(map.read, []);
    assert.deepEqual(map.lag, ['SLAVE MONITOR ON *.*']);
    assert.deepEqual(map.binlog, ['REPLICATION SLAVE ON *.*']);
    assert.deepEqual(map.target, ['INSERT ON shop.*', 'CREATE ON shop.*', 'DROP ON shop.*']);
  });
  test('MariaDB repl can stream but not read', () => {
    const { map } = report(maria, 'repl', 'shop');
    assert.deepEqual(map.binlog, []);
    assert.deepEqual(map.read, ['SELECT ON shop.*']);
  });
  test('MySQL reader: db-level SELECT, column grants do not count, roles noted', () => {
    const { map, notes } = report(mysql, 'reader', 'shop');
    assert.deepEqual(map.read, []);
    assert.deepEqual(map.lag, ['REPLICATION CLIENT ON *.*']);
    assert.deepEqual(report(mysql, 'reader', 'crm').map.read, ['SELECT ON crm.*']);
    assert.match(notes.join(), /app_read/);
  });
  test('MySQL migrator: escaped and wildcard database patterns', () => {
    assert.deepEqual(report(mysql, 'migrator', 'shop_copy').map.target, []);
    assert.deepEqual(report(mysql, 'migrator', 'shopXcopy').map.target, ['INSERT ON shopXcopy.*', 'CREATE ON shopXcopy.*', 'DROP ON shopXcopy.*']);
    assert.deepEqual(report(mysql, 'migrator', 'stage_7').map.target, []);
    assert.deepEqual(report(mysql, 'migrator', 'shop').map.lag, []);
    assert.deepEqual(report(mysql, 'admin', 'any').map, { read: [], lag: [], binlog: [], target: [], heartbeat: [] });
  });
  test('grant parsing details', () => {
    const g = parseGrants(['GRANT SELECT (`id`, `email`), UPDATE (`email`) ON `crm`.`customers` TO `reader`@`%`']);
    assert.deepEqual(g.grants[0], { privileges: ['SELECT', 'UPDATE'], database: 'crm', table: 'customers', columns: true });
    assert.equal(databasePatternMatches('shop\\_copy', 'shop_copy'), true);
    assert.equal(databasePatternMatches('shop\\_copy', 'shopXcopy'), false);
    assert.equal(databasePatternMatches('stage%', 'stage'), true);
  });
});
