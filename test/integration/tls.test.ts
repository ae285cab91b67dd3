// TLS modes of a profile's server against the sandbox, whose servers offer TLS with a certificate for
// `rw-migrate-sandbox` signed by the sandbox's own CA: off stays plain, required encrypts, verify-ca checks
// the CA (not the host name: we connect to 127.0.0.1), a wrong CA or a missing CA file is refused with
// a message that names the fix. A copy job runs over verified TLS on both ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { adminConnect, loadSandbox, type SandboxServer, type Topology } from '../support/sandbox.js';
import { classifyError, connectServer } from '../../src/engine/topology/connect.js';
import { toServerSpec } from '../../src/engine/topology/serverRef.js';
import { closeQuietly, queryRows } from '../../src/engine/db/connection.js';
import { startJob } from '../../src/engine/index.js';
import type { ServerRef, TlsMode } from '../../src/engine/topology/types.js';
import { makeCa } from '../../scripts/sandbox/tls.mjs';

let topo: Topology;
let target: mysql.Connection;
const runId = `${Date.now().toString(36)}${process.pid}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwm-tls-'));

function ref(server: SandboxServer, tls: TlsMode, caFile?: string): ServerRef {
  return { name: server.name, host: server.host, port: server.port, user: topo.users.admin.user, password: topo.users.admin.password, tls, caFile };
}

async function cipherOf(r: ServerRef): Promise<string> {
  const conn = await connectServer(r);
  try {
    const rows = await queryRows(conn, "SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return String(rows[0]?.Value ?? '');
  } finally {
    await closeQuietly(conn);
  }
}

before(async () => {
  topo = loadSandbox();
  target = await adminConnect(topo.servers.target);
});

after(async () => {
  await target?.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('TLS modes against the sandbox', () => {
  it('off stays plain; required and verify-ca (the sandbox CA, a certificate for another host name) encrypt', async () => {
    const { primary } = topo.servers;
    assert.equal(await cipherOf(ref(primary, 'off')), '');
    assert.match(await cipherOf(ref(primary, 'required')), /\w/);
    assert.match(await cipherOf(ref(primary, 'verify-ca', topo.tls.caFile)), /\w/, 'verify-ca checks the CA only, as --ssl-mode=VERIFY_CA does');
  });

  it('verify-ca refuses a server whose certificate another CA signed, and says what to check', async () => {
    const other = makeCa(path.join(tmp, 'other'), 'Some other CA');
    const r = ref(topo.servers.primary, 'verify-ca', other.ca);
    const err = await cipherOf(r).then(
      () => assert.fail('connected with the wrong CA'),
      (e: unknown) => e,
    );
    const info = classifyError(err, r);
    assert.equal(info.kind, 'tls');
    assert.match(info.message, /127\.0\.0\.1:\d+: TLS: the server's certificate is not signed by the CA in .*other\/ca\.pem/);
    assert.match(info.message, /caFile/);
  });

  it('verify-ca without a readable CA file is refused before connecting, naming the file', () => {
    const missing = path.join(tmp, 'nope.pem');
    assert.throws(() => toServerSpec(ref(topo.servers.primary, 'verify-ca', missing)), new RegExp(`cannot read CA file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.throws(() => toServerSpec(ref(topo.servers.primary, 'verify-ca')), /verify-ca needs a CA file/);
  });

  it('copies a table over verified TLS on the source and required TLS on the target', async () => {
    const db = `tls_copy_${runId}`;
    const result = await startJob({
      source: toServerSpec(ref(topo.servers.primary, 'verify-ca', topo.tls.caFile)),
      target: toServerSpec(ref(topo.servers.target, 'required')),
      sourceDatabase: 'shop',
      targetDatabase: db,
      tables: ['products'],
      mode: 'full',
    }).done;
    assert.equal(result.state, 'done', result.message);
    const [n] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db}\`.products`);
    assert.equal(Number(n[0].n), result.rows);
    assert.ok(result.rows >= 2000, `rows copied: ${result.rows}`);
  });
});
