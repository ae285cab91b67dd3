import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatServerUrl, parseServerUrl } from '../../src/cli/url';
import { UsageError } from '../../src/cli/exit-codes';

describe('cli: server URLs', () => {
  it('parses user, host, port and database', () => {
    const p = parseServerUrl('mysql://rw%40admin@db.example:3307/shop%20x', '--from', true);
    assert.deepEqual(p.server, { host: 'db.example', port: 3307, user: 'rw@admin' });
    assert.equal(p.database, 'shop x');
  });

  it('defaults the port to 3306 and accepts mariadb:// and ssl=true', () => {
    const p = parseServerUrl('mariadb://u@h/db?ssl=true', '--to', true);
    assert.equal(p.server.port, 3306);
    assert.equal(p.server.ssl, true);
  });

  it('rejects a password in the URL without echoing it', () => {
    assert.throws(
      () => parseServerUrl('mysql://u:secret@h:3306/db', '--from', true),
      (err: Error) => err instanceof UsageError && /password/.test(err.message) && !err.message.includes('secret'),
    );
  });

  it('requires a user, a database when asked, and a sane port', () => {
    assert.throws(() => parseServerUrl('mysql://h:3306/db', '--from', true), /needs a user/);
    assert.throws(() => parseServerUrl('mysql://u@h:3306', '--from', true), /needs a database/);
    assert.equal(parseServerUrl('mysql://u@h:3306', '--replica', false).database, null);
    assert.throws(() => parseServerUrl('postgres://u@h/db', '--from', true), /mysql:\/\//);
    assert.throws(() => parseServerUrl('not a url', '--from', true), /not a URL/);
  });

  it('formats back without any password', () => {
    assert.equal(formatServerUrl({ host: '127.0.0.1', port: 3306, user: 'a b', password: 'x' }, 'db'), 'mysql://a%20b@127.0.0.1:3306/db');
  });
});
