// Helpers of the stream tests: raw Node peers (to control exactly what the other side does),
// a self-signed certificate, and waiting on Node events from coroutines.
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event, InlineAwaitable, sleep, type Coro } from '../../src/index.js';
import type { Server } from '../../src/streams/index.js';

/** The TCP port a stream server listens on. */
export function portOf(server: Server | net.Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`not a TCP server: ${String(address)}`);
  return address.port;
}

/** A raw Node TCP server on 127.0.0.1 that hands every accepted socket to `onSocket`, and tracks them. */
export class RawPeer {
  readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  /** Set each time a socket is accepted; tests clear it. */
  readonly accepted = new Event();
  /** Set each time an accepted socket closes. */
  readonly closedOne = new Event();
  accepts = 0;
  closes = 0;

  constructor(onSocket: (socket: net.Socket) => void = () => {}) {
    this.server = net.createServer((socket) => {
      this.accepts++;
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.closes++;
        this.sockets.delete(socket);
        this.closedOne.set();
      });
      this.accepted.set();
      onSocket(socket);
    });
  }

  get port(): number {
    return portOf(this.server);
  }

  listen(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#listen());
  }

  *#listen(): Coro<void> {
    const ready = new Event();
    this.server.listen(0, '127.0.0.1', () => ready.set());
    yield* ready.wait();
  }

  /** Waits until `n` sockets were accepted (yield* or await; likewise the other waits). */
  waitAccepted(n: number): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#waitAccepted(n));
  }

  *#waitAccepted(n: number): Coro<void> {
    while (this.accepts < n) {
      this.accepted.clear();
      yield* this.accepted.wait();
    }
  }

  /** Waits until no accepted socket is open. */
  waitAllClosed(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#waitAllClosed());
  }

  *#waitAllClosed(): Coro<void> {
    while (this.sockets.size > 0) {
      this.closedOne.clear();
      yield* this.closedOne.wait();
    }
  }

  close(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#close());
  }

  *#close(): Coro<void> {
    for (const socket of this.sockets) socket.destroy();
    const done = new Event();
    this.server.close(() => done.set());
    yield* done.wait();
  }
}

/** A self-signed certificate for `localhost` / 127.0.0.1, made with the openssl CLI. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aio-streams-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes to `writer` until Node's buffer stays above its high-water mark across a turn of
 * Node's event loop: the kernel buffers are full (the peer does not read), so a drain() now
 * really waits. Returns the bytes written.
 */
export function fillUntilBlocked(writer: { write(b: Buffer): void; transport: { writableNeedDrain: boolean } }): InlineAwaitable<number> {
  return new InlineAwaitable(function* (): Coro<number> {
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    for (;;) {
      while (!writer.transport.writableNeedDrain) {
        writer.write(chunk);
        written += chunk.length;
      }
      yield* sleep(5); // lets libuv flush what the kernel takes
      if (writer.transport.writableNeedDrain) return written;
    }
  });
}
