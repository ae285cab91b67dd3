// TLS material for the sandbox servers: a CA of its own and one server certificate it signs, made
// once per sandbox folder with openssl. The certificate names `rw-migrate-sandbox`, not 127.0.0.1, so a
// client that checks host names fails while one that checks only the CA (verify-ca) connects.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TLS_SERVER_NAME = 'rw-migrate-sandbox';

/** @param {string} dir */
export function tlsPaths(dir) {
  const base = path.join(dir, 'tls');
  return {
    base,
    ca: path.join(base, 'ca.pem'),
    caKey: path.join(base, 'ca-key.pem'),
    cert: path.join(base, 'server-cert.pem'),
    key: path.join(base, 'server-key.pem'),
  };
}

function openssl(/** @type {string[]} */ args) {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A CA (`subject`) and a server certificate signed by it, into `base`. Also used by the tests to make
 * a second, unrelated CA.
 * @param {string} base @param {string} subject
 */
export function makeCa(base, subject) {
  fs.mkdirSync(base, { recursive: true });
  const ca = path.join(base, 'ca.pem');
  const caKey = path.join(base, 'ca-key.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', `/CN=${subject}`, '-keyout', caKey, '-out', ca]);
  return { ca, caKey };
}

/** Creates the sandbox's CA and server certificate unless they exist. @param {string} dir */
export function ensureTls(dir) {
  const p = tlsPaths(dir);
  if ([p.ca, p.cert, p.key].every((f) => fs.existsSync(f))) return p;
  fs.rmSync(p.base, { recursive: true, force: true });
  makeCa(p.base, 'RW Migrate sandbox CA');
  const csr = path.join(p.base, 'server.csr');
  const ext = path.join(p.base, 'server.ext');
  fs.writeFileSync(ext, `subjectAltName=DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${TLS_SERVER_NAME}`, '-keyout', p.key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', p.ca, '-CAkey', p.caKey, '-CAcreateserial', '-days', '3650', '-extfile', ext, '-out', p.cert]);
  fs.rmSync(csr);
  fs.rmSync(ext);
  return p;
}
