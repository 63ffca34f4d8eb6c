// Streams on a virtual-time loop (aio-ts/testing): connecting and listening hold the clock
// (real I/O that completes by itself); waiting for the peer does not, so a peer that sleeps
// in virtual time does not deadlock a reader waiting for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { getRunningLoop, sleep, waitFor, TimeoutError } from '../../src/index.js';
import { runVirtual } from '../../src/testing/index.js';
import { openConnection, startServer } from '../../src/streams/index.js';
import { expectThrows } from '../helpers/primitives.js';

test('a server handler sleeping 5 s of virtual time answers a waiting reader (no deadlock); a read timeout still fires', async () => {
  const [line, elapsed] = await runVirtual(function* () {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const server = yield* startServer(
      function* (reader, writer) {
        const got = yield* reader.readline();
        yield* sleep(5000);
        writer.write(got);
        yield* reader.read(); // keeps the connection open until the client is done
      },
      { host: '127.0.0.1', port: 0 },
    );
    const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    assert.equal(loop.time(), t0); // connecting took no virtual time
    writer.write('hello\n');
    const reply = (yield* reader.readline()).toString();
    assert.equal(loop.time() - t0, 5000);
    // Nobody answers now: the clock is free to reach the deadline.
    yield* expectThrows(waitFor(reader.readline(), 1000), TimeoutError);
    writer.close();
    server.close();
    yield* server.waitClosed();
    return [reply, loop.time() - t0] as const;
  });
  assert.equal(line, 'hello\n');
  assert.equal(elapsed, 6000);
});
