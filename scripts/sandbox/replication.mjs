// Users and GTID replication of the sandbox.
import os from 'node:os';
import { sqlExec, sqlRows, sqlString, sqlValue } from './client.mjs';
import { HOST, USERS, serverPaths } from './config.mjs';

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Create (idempotently) the sandbox users on one server with sql_log_bin=0, and remove every
 * root account but root@localhost (reachable only through the unix socket with skip-name-resolve).
 * @param {string} socket
 */
export async function setupUsers(socket) {
  const { admin, repl, reader } = USERS;
  const host = os.hostname();
  const lines = [
    'SET SESSION sql_log_bin=0;',
    `DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@${sqlString(host)}, ''@'localhost', ''@${sqlString(host)};`,
  ];
  for (const h of [HOST, 'localhost']) {
    lines.push(
      `CREATE USER IF NOT EXISTS ${sqlString(admin.user)}@'${h}' IDENTIFIED BY ${sqlString(admin.password)};`,
      `GRANT ALL PRIVILEGES ON *.* TO ${sqlString(admin.user)}@'${h}' WITH GRANT OPTION;`,
      `CREATE USER IF NOT EXISTS ${sqlString(reader.user)}@'${h}' IDENTIFIED BY ${sqlString(reader.password)};`,
      `GRANT SELECT, REPLICATION CLIENT, PROCESS ON *.* TO ${sqlString(reader.user)}@'${h}';`,
    );
  }
  lines.push(
    `CREATE USER IF NOT EXISTS ${sqlString(repl.user)}@'${HOST}' IDENTIFIED BY ${sqlString(repl.password)};`,
    `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ${sqlString(repl.user)}@'${HOST}';`,
    'FLUSH PRIVILEGES;',
  );
  await sqlExec(socket, lines.join('\n'));
}

/**
 * `SHOW SLAVE STATUS` as an object, or null when replication is not configured.
 * @param {string} socket
 */
export async function slaveStatus(socket) {
  const rows = await sqlRows(socket, 'SHOW SLAVE STATUS');
  return rows[0] ?? null;
}

/**
 * Configure (first time) or restart replication of a replica from the primary.
 * @param {string} replicaSocket @param {number} primaryPort
 */
export async function ensureReplicating(replicaSocket, primaryPort) {
  const st = await slaveStatus(replicaSocket);
  const configured = st && st.Master_Port === String(primaryPort) && st.Master_Host === HOST;
  if (!configured) {
    const { repl } = USERS;
    await sqlExec(replicaSocket, [
      'STOP SLAVE;',
      'RESET SLAVE ALL;',
      "SET GLOBAL gtid_slave_pos='';",
      `CHANGE MASTER TO MASTER_HOST='${HOST}', MASTER_PORT=${primaryPort}, MASTER_USER=${sqlString(repl.user)},`,
      `  MASTER_PASSWORD=${sqlString(repl.password)}, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;`,
      'START SLAVE;',
    ].join('\n'));
  } else if (st.Slave_IO_Running !== 'Yes' || st.Slave_SQL_Running !== 'Yes') {
    await sqlExec(replicaSocket, 'START SLAVE;');
  }
}

/**
 * Wait until IO and SQL threads both run.
 * @param {string} name @param {string} socket
 */
export async function waitReplicating(name, socket, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  /** @type {Record<string, string | null> | null} */ let st = null;
  while (Date.now() < deadline) {
    st = await slaveStatus(socket);
    if (st && st.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes') return st;
    if (st && st.Last_SQL_Error) break;
    await sleep(100);
  }
  throw new Error(`${name} is not replicating: IO=${st?.Slave_IO_Running} SQL=${st?.Slave_SQL_Running} ` +
    `Last_IO_Error=${st?.Last_IO_Error || '-'} Last_SQL_Error=${st?.Last_SQL_Error || '-'}. ` +
    `Check ${socket.replace(/mariadbd\.sock$/, 'error.log')}`);
}

/**
 * Wait until every replica applied everything the primary has binlogged (MASTER_GTID_WAIT).
 * @param {string} dir @param {string[]} replicas
 */
export async function waitCaughtUp(dir, replicas, timeoutSec = 120) {
  const pos = await sqlValue(serverPaths(dir, 'primary').socket, 'SELECT @@GLOBAL.gtid_binlog_pos');
  if (!pos) return;
  await Promise.all(replicas.map(async (name) => {
    const res = await sqlValue(serverPaths(dir, name).socket, `SELECT MASTER_GTID_WAIT(${sqlString(pos)}, ${timeoutSec})`);
    if (res !== '0') throw new Error(`${name} did not reach primary GTID position ${pos} within ${timeoutSec} s`);
  }));
}
