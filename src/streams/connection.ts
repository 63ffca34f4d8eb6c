import * as net from 'node:net';
import * as tls from 'node:tls';
import { type Coro, getRunningLoop, InlineAwaitable, type Operation } from './core.js';
import { StreamReader, checkLimit } from './stream-reader.js';
import { StreamWriter } from './stream-writer.js';
import { describe, ioFuture } from './util.js';

/** Options shared by `openConnection` and `openUnixConnection`. */
export interface ConnectionOptions {
  /** TLS: `true` for Node's defaults (the server is verified), or `tls.connect` options. */
  tls?: boolean | tls.ConnectionOptions;
  /** The reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
  /** Aborts the connection attempt (not the connection once made): the socket is destroyed. */
  signal?: AbortSignal;
}

/** Options of `openConnection`. */
export interface OpenConnectionOptions extends ConnectionOptions {
  /** Host name or address (default `'localhost'`). */
  host?: string;
  /** TCP port. */
  port: number;
  /** Local address to connect from. */
  localAddress?: string;
  /** Address family: 4, 6 or 0 (either, the default). */
  family?: number;
}

/** Options of `openUnixConnection`. */
export interface OpenUnixConnectionOptions extends ConnectionOptions {
  /** Path of the Unix domain socket (a named pipe on Windows). */
  path: string;
}

/**
 * Opens a TCP connection (optionally TLS) and resolves to `[reader, writer]`
 * (asyncio.open_connection). Cancelling it while it connects (or aborting `signal`)
 * destroys the socket: nothing is left open.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { openConnection } from 'aio-ts/streams';
 *
 * // generator coroutine
 * await run(function* () {
 *   const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: 8888 });
 *   writer.write('ping\n');
 *   console.log((yield* reader.readline()).toString());
 *   writer.close();
 *   yield* writer.waitClosed();
 * });
 *
 * // async function
 * await run(async () => {
 *   const [reader, writer] = await openConnection({ host: '127.0.0.1', port: 8888 });
 *   writer.write('ping\n');
 *   console.log((await reader.readline()).toString());
 *   writer.close();
 *   await writer.waitClosed();
 * });
 */
export function openConnection(options: OpenConnectionOptions): Operation<[StreamReader, StreamWriter]> {
  checkOptions(options, 'openConnection');
  const { host = 'localhost', port, localAddress, family } = options;
  if (typeof host !== 'string' || host === '') throw new TypeError(`openConnection() expects host to be a non-empty string, got ${describe(host)}`);
  checkPort(port, 'openConnection()');
  return connect(options, 'openConnection', () => {
    const target = { host, port, ...(localAddress !== undefined && { localAddress }), ...(family !== undefined && { family }) };
    return options.tls ? tls.connect({ ...target, ...tlsOptions(options.tls) }) : net.connect({ ...target, allowHalfOpen: true });
  });
}

/**
 * Opens a connection to a Unix domain socket and resolves to `[reader, writer]`
 * (asyncio.open_unix_connection). Same rules as `openConnection`.
 *
 * @example
 * const [reader, writer] = yield* openUnixConnection({ path: '/tmp/app.sock' });
 */
export function openUnixConnection(options: OpenUnixConnectionOptions): Operation<[StreamReader, StreamWriter]> {
  checkOptions(options, 'openUnixConnection');
  const { path } = options;
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`openUnixConnection() expects path to be the socket's path, got ${describe(path)}`);
  }
  return connect(options, 'openUnixConnection', () =>
    options.tls ? tls.connect({ path, ...tlsOptions(options.tls) }) : net.connect({ path, allowHalfOpen: true }),
  );
}

function connect(
  options: ConnectionOptions,
  call: string,
  makeSocket: () => net.Socket,
): Operation<[StreamReader, StreamWriter]> {
  const limit = checkLimit(options.limit, `${call}()`);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}() expects signal to be an AbortSignal, got ${describe(signal)}`);
  }
  return new InlineAwaitable(() => connecting(makeSocket, limit, signal, options.tls ? 'secureConnect' : 'connect'));
}

function* connecting(
  makeSocket: () => net.Socket,
  limit: number,
  signal: AbortSignal | undefined,
  readyEvent: string,
): Coro<[StreamReader, StreamWriter]> {
  signal?.throwIfAborted();
  const loop = getRunningLoop();
  const socket = makeSocket();
  // Reader and writer listen from the start, so an early error or early data is never lost.
  const reader = new StreamReader({ limit });
  const writer = new StreamWriter(socket, reader);
  const ready = ioFuture<void>(loop);
  const onReady = (): void => {
    if (!ready.done()) ready.setResult(undefined);
  };
  const onError = (error: unknown): void => {
    if (!ready.done()) ready.setException(error);
  };
  const onAbort = (): void => onError(signal!.reason);
  socket.once(readyEvent, onReady);
  socket.once('error', onError);
  signal?.addEventListener('abort', onAbort, { once: true });
  let ok = false;
  try {
    yield* ready;
    ok = true;
  } finally {
    socket.off(readyEvent, onReady);
    socket.off('error', onError);
    signal?.removeEventListener('abort', onAbort);
    if (!ok) socket.destroy();
  }
  writer._trackIn(loop);
  return [reader, writer];
}

function tlsOptions(option: true | tls.ConnectionOptions): tls.ConnectionOptions {
  return option === true ? {} : option;
}

function checkOptions(options: unknown, call: string): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${call}() expects an options object, e.g. ${call}({ host: '127.0.0.1', port: 8888 }), got ${describe(options)}`);
  }
}

/** @internal */
export function checkPort(port: unknown, call: string): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${call} expects port to be an integer from 0 to 65535, got ${describe(port)}`);
  }
}
