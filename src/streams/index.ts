/**
 * aio-ts/streams: asyncio's streams on Node's sockets. `openConnection()` and
 * `startServer()` give a `StreamReader` (`read`, `readline`, `readuntil`, `readexactly`,
 * line iteration) and a `StreamWriter` (`write`, `drain`, `close`, `startTls`); every wait is
 * an operation awaitable from generator coroutines (`yield*`) and async functions (`await`),
 * and cancellable. Also: streams over any Node Readable/Writable (`fromReadable`,
 * `fromWritable`, `fromDuplex`) and UDP endpoints (`openDatagramEndpoint`).
 *
 * @example
 * import { run } from 'aio-ts';
 * import { openConnection, startServer } from 'aio-ts/streams';
 *
 * await run(async () => {
 *   const server = await startServer(async (reader, writer) => {
 *     writer.write(await reader.readline()); // echo one line
 *   }, { host: '127.0.0.1', port: 0 });
 *   const { port } = server.address() as { port: number };
 *   const [reader, writer] = await openConnection({ host: '127.0.0.1', port });
 *   writer.write('hello\n');
 *   console.log((await reader.readline()).toString()); // hello
 *   writer.close();
 *   server.close();
 *   await server.waitClosed();
 * });
 */
export { IncompleteReadError, LimitOverrunError, ConnectionResetError } from './errors.js';
export { StreamReader, DEFAULT_LIMIT, type StreamReaderOptions, type ReaderSource, type Separator } from './stream-reader.js';
export { StreamWriter, type ExtraInfoName, type StartTlsOptions } from './stream-writer.js';
export {
  openConnection,
  openUnixConnection,
  type ConnectionOptions,
  type OpenConnectionOptions,
  type OpenUnixConnectionOptions,
} from './connection.js';
export { startServer, Server, type ClientConnectedHandler, type StartServerOptions } from './server.js';
export { fromReadable, fromWritable, fromDuplex, type FromStreamOptions } from './node-streams.js';
export { openDatagramEndpoint, DatagramEndpoint, type DatagramAddress, type DatagramEndpointOptions } from './datagram.js';
