import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../../src/index.ts';
import { ClientConnectorCertificateError, ClientConnectorError, ClientSession, Response, serve } from '../../src/http/index.ts';

/** A self-signed certificate for 127.0.0.1, made with the openssl command (the test is skipped without it). */
let cert: { key: string; cert: string } | null = null;
let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aio-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    cert = { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } catch {
    cert = null;
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('serve({ tls }) and a ClientSession trusting its certificate (tls.ca); an untrusted one is refused', async (t) => {
  if (cert === null) {
    t.skip('the openssl command is not available to make a certificate');
    return;
  }
  const { key, cert: pem } = cert;
  await run(async () => {
    await using server = await serve((request) => Response.json({ secure: request.url.protocol }), { port: 0, tls: { key, cert: pem } });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    await using trusting = new ClientSession({ tls: { ca: pem } });
    assert.deepEqual(await (await trusting.get(server.url)).json(), { secure: 'https:' });
    await using plain = new ClientSession();
    await assert.rejects(async () => plain.get(server.url), (e: unknown) => e instanceof ClientConnectorCertificateError && e instanceof ClientConnectorError && /certificate not trusted/.test(e.message));
  });
});
