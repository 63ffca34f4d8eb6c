// TLS over loopback with a self-signed certificate made for the test (openssl CLI).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { run, type Coro } from '../../src/index.js';
import { openConnection, startServer, type StreamReader, type StreamWriter } from '../../src/streams/index.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';
import { portOf, selfSignedCertificate } from './helpers.js';

let cert: { key: string; cert: string };
before(() => {
  cert = selfSignedCertificate();
});

function* echoLines(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
    writer.write(r.value);
    yield* writer.drain();
  }
}

describe('TLS', () => {
  test('round trip with a self-signed certificate; peercert and cipher; no half-close', async () => {
    await run(function* () {
      const server = yield* startServer(echoLines, { host: '127.0.0.1', port: 0, tls: { key: cert.key, cert: cert.cert } });
      const [reader, writer] = yield* openConnection({
        host: '127.0.0.1',
        port: portOf(server),
        tls: { ca: cert.cert, servername: 'localhost' },
      });
      writer.write('secret\n');
      assert.equal((yield* reader.readline()).toString(), 'secret\n');
      assert.equal((writer.getExtraInfo('peercert') as PeerCertificate).subject.CN, 'localhost');
      assert.equal(typeof (writer.getExtraInfo('cipher') as { name: string }).name, 'string');
      assert.equal(writer.canWriteEof(), false);
      assert.throws(() => writer.writeEof(), /writeEof\(\) is not possible on a TLS connection/);
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('an untrusted certificate fails the connection with the verification error', async () => {
    await run(async () => {
      const server = await startServer(echoLines, { host: '127.0.0.1', port: 0, tls: { key: cert.key, cert: cert.cert } });
      const error = (await expectRejects(openConnection({ host: '127.0.0.1', port: portOf(server), tls: true }), Error)) as NodeJS.ErrnoException;
      assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      server.close();
      await server.waitClosed();
    });
  });

  test('startTls upgrades a plain connection in place (STARTTLS), both sides', async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          assert.equal((yield* reader.readline()).toString(), 'STARTTLS\n');
          writer.write('GO\n');
          yield* writer.startTls({ key: cert.key, cert: cert.cert }); // server side: accepted by startServer
          yield* echoLines(reader, writer);
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      assert.equal(writer.getExtraInfo('cipher'), null);
      writer.write('STARTTLS\n');
      assert.equal((yield* reader.readline()).toString(), 'GO\n');
      yield* writer.startTls({ ca: cert.cert, servername: 'localhost' });
      assert.notEqual(writer.getExtraInfo('cipher'), null);
      writer.write('now encrypted\n');
      assert.equal((yield* reader.readline()).toString(), 'now encrypted\n');
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('startTls refuses to run with unread bytes in the reader', async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (_reader, writer) {
          writer.write('unexpected');
          yield* writer.drain();
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      yield* reader.readexactly(2);
      const error = yield* expectThrows(writer.startTls({ ca: cert.cert }), Error);
      assert.match(error.message, /startTls\(\) found \d+ unread bytes in the reader/);
      writer.close();
      server.close();
      yield* server.waitClosed();
    });
  });
});
