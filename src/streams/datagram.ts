import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { type Coro, getRunningLoop, InlineAwaitable, type Operation, trackResource, untrackResource } from './core.js';
import { checkPort } from './connection.js';
import { describe, ioFuture, toBuffer } from './util.js';
import { Wakeup } from './wakeup.js';

/** A UDP address: where a datagram came from, or where to send one. */
export interface DatagramAddress {
  /** An IP address (`'127.0.0.1'`, `'::1'`) or a host name. */
  host: string;
  /** The UDP port. */
  port: number;
}

/** Options of `openDatagramEndpoint`. */
export interface DatagramEndpointOptions {
  /** Local address to bind (default: any address, a free port). */
  local?: Partial<DatagramAddress>;
  /** Remote address to connect to: `send()` then needs no address, and only its datagrams are received. */
  remote?: DatagramAddress;
  /** `'udp4'` or `'udp6'` (default: from the addresses given, else udp4). */
  type?: 'udp4' | 'udp6';
  /** Datagrams kept until `recv()` takes them (default 1024); more are dropped, as UDP would. */
  maxQueued?: number;
  /** Let several sockets bind the same address (SO_REUSEADDR). */
  reuseAddress?: boolean;
}

/**
 * Opens a UDP endpoint on `node:dgram` (asyncio's `create_datagram_endpoint`, with a
 * `recv()` to await instead of a protocol class) and resolves once it is bound (and
 * connected, with `remote`).
 *
 * @example
 * import { run } from 'aio-ts';
 * import { openDatagramEndpoint } from 'aio-ts/streams';
 *
 * await run(async () => {
 *   const server = await openDatagramEndpoint({ local: { host: '127.0.0.1', port: 0 } });
 *   const client = await openDatagramEndpoint({ remote: server.address() });
 *   client.send('ping');
 *   const [data, from] = await server.recv();
 *   server.send(data, from); // reply to the sender
 *   console.log((await client.recv())[0].toString()); // ping
 *   client.close();
 *   server.close();
 * });
 */
export function openDatagramEndpoint(options: DatagramEndpointOptions = {}): Operation<DatagramEndpoint> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`openDatagramEndpoint() expects an options object, e.g. { local: { host: '127.0.0.1', port: 0 } }, got ${describe(options)}`);
  }
  const { local, remote, maxQueued = 1024 } = options;
  if (local !== undefined) {
    if (local.port !== undefined) checkPort(local.port, 'openDatagramEndpoint() local');
    if (local.host !== undefined && typeof local.host !== 'string') {
      throw new TypeError(`openDatagramEndpoint() expects local.host to be a string, got ${describe(local.host)}`);
    }
  }
  if (remote !== undefined) checkAddress(remote, 'openDatagramEndpoint() remote');
  if (!Number.isInteger(maxQueued) || maxQueued <= 0) {
    throw new RangeError(`openDatagramEndpoint() expects maxQueued to be a positive integer, got ${describe(maxQueued)}`);
  }
  const host = local?.host ?? remote?.host;
  const type = options.type ?? (host !== undefined && isIP(host) === 6 ? 'udp6' : 'udp4');
  return new InlineAwaitable(() => opening(options, type, maxQueued));
}

function* opening(options: DatagramEndpointOptions, type: 'udp4' | 'udp6', maxQueued: number): Coro<DatagramEndpoint> {
  const loop = getRunningLoop();
  const socket = dgram.createSocket({ type, reuseAddr: options.reuseAddress ?? false });
  const endpoint = new DatagramEndpoint(socket, maxQueued, options.remote !== undefined);
  const ready = ioFuture<void>(loop);
  const onError = (error: unknown): void => {
    if (!ready.done()) ready.setException(error);
  };
  socket.once('error', onError);
  let ok = false;
  try {
    socket.bind({ port: options.local?.port ?? 0, ...(options.local?.host !== undefined && { address: options.local.host }) }, () => {
      const remote = options.remote;
      if (remote === undefined) ready.done() || ready.setResult(undefined);
      else socket.connect(remote.port, remote.host, () => ready.done() || ready.setResult(undefined));
    });
    yield* ready;
    ok = true;
  } finally {
    socket.off('error', onError);
    if (!ok) endpoint.close();
  }
  // Closed at the end of run() if still open; its socket's 'close' unregisters it.
  trackResource(loop, endpoint);
  socket.once('close', () => untrackResource(loop, endpoint));
  return endpoint;
}

/**
 * A UDP endpoint made by `openDatagramEndpoint`. `send()` hands a datagram to the system
 * at once; `recv()` waits for the next datagram received. Errors of the socket (an ICMP
 * "port unreachable" on a connected endpoint, …) are thrown by the next `recv()`.
 */
export class DatagramEndpoint {
  readonly #socket: dgram.Socket;
  readonly #connected: boolean;
  readonly #maxQueued: number;
  #queue: [Buffer, DatagramAddress][] = [];
  #head = 0;
  #error: unknown = null;
  #closed = false;
  readonly #arrival = new Wakeup();
  #dropped = 0;

  /** @internal Made by `openDatagramEndpoint`. */
  constructor(socket: dgram.Socket, maxQueued: number, connected: boolean) {
    this.#socket = socket;
    this.#maxQueued = maxQueued;
    this.#connected = connected;
    socket.on('message', (data: Buffer, info: dgram.RemoteInfo) => {
      if (this.#queue.length - this.#head >= this.#maxQueued) {
        this.#dropped++;
        return;
      }
      this.#queue.push([data, { host: info.address, port: info.port }]);
      this.#arrival.wake();
    });
    socket.on('error', (error: unknown) => {
      this.#error = error;
      this.#arrival.wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#arrival.wake();
    });
  }

  /** The local address the endpoint is bound to. */
  address(): DatagramAddress {
    const { address, port } = this.#socket.address();
    return { host: address, port };
  }

  /** The number of datagrams dropped because `maxQueued` were waiting for `recv()`. */
  get droppedCount(): number {
    return this.#dropped;
  }

  /**
   * Sends one datagram: to `addr`, or to the remote address of a connected endpoint (then
   * `addr` must be left out). Does not wait; a failure shows up at the next `recv()`.
   */
  send(data: Uint8Array | string, addr?: DatagramAddress): void {
    const buffer = toBuffer(data, 'send()');
    if (this.#closed) throw new Error('send() called on a closed datagram endpoint');
    if (this.#connected) {
      if (addr !== undefined) throw new RangeError('send() got an address, but the endpoint is connected to its remote address: leave it out');
      this.#socket.send(buffer, this.#sent);
    } else {
      if (addr === undefined) throw new TypeError('send() needs an address { host, port }: the endpoint has no remote address');
      checkAddress(addr, 'send()');
      this.#socket.send(buffer, addr.port, addr.host, this.#sent);
    }
  }

  /** Waits for the next datagram and resolves to `[data, from]`. Throws once the endpoint is closed. */
  recv(): Operation<[Buffer, DatagramAddress]> {
    return new InlineAwaitable(() => this.#recv());
  }

  /** Closes the endpoint; a waiting `recv()` throws. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // Not bound yet / already closed by Node: nothing left to release.
    }
    this.#arrival.wake();
  }

  /** @internal At the end of `run()`: closes it. */
  _closeAtRunEnd(): void {
    this.close();
  }

  /** True once `close()` was called. */
  isClosing(): boolean {
    return this.#closed;
  }

  /** A short description, for logs and error messages. */
  toString(): string {
    return `<DatagramEndpoint${this.#closed ? ' closed' : ''} queued=${this.#queue.length - this.#head}>`;
  }

  readonly #sent = (error: unknown): void => {
    if (error !== null && error !== undefined) {
      this.#error = error;
      this.#arrival.wake();
    }
  };

  *#recv(): Coro<[Buffer, DatagramAddress]> {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const item = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined as never;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        return item;
      }
      const error = this.#error;
      if (error !== null) {
        this.#error = null;
        throw error;
      }
      if (this.#closed) throw new Error('recv() called on a closed datagram endpoint');
      if (this.#arrival.waiting) throw new Error('recv() called while another task is already waiting for a datagram');
      yield* this.#arrival.wait();
    }
  }

}

function checkAddress(addr: unknown, call: string): asserts addr is DatagramAddress {
  const a = addr as Partial<DatagramAddress> | null;
  if (a === null || typeof a !== 'object' || typeof a.host !== 'string') {
    throw new TypeError(`${call} expects an address { host, port }, got ${describe(addr)}`);
  }
  checkPort(a.port, call);
}
