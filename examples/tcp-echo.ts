/**
 * TCP echo server and client (asyncio's "TCP echo client/server using streams"): the server
 * echoes what one client sends, then closes the connection. Run: `node --import tsx examples/tcp-echo.ts`.
 */
import type { AddressInfo } from 'node:net';
import { run, type Coro } from '../src/index.ts';
import { openConnection, startServer, type StreamReader, type StreamWriter } from '../src/streams/index.ts';
import { isMain } from './is-main.ts';

function* handleEcho(reader: StreamReader, writer: StreamWriter): Coro<void> {
  const data = yield* reader.read(100);
  console.log(`Server received ${JSON.stringify(data.toString())}`);
  writer.write(data);
  yield* writer.drain();
  console.log('Server closes the connection');
  writer.close();
  yield* writer.waitClosed();
}

function* echoClient(port: number, message: string): Coro<void> {
  const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
  console.log(`Client sends ${JSON.stringify(message)}`);
  writer.write(message);
  yield* writer.drain();
  const data = yield* reader.read(); // until the server closes
  console.log(`Client received ${JSON.stringify(data.toString())}`);
  writer.close();
  yield* writer.waitClosed();
}

export function* main(): Coro<void> {
  const server = yield* startServer(handleEcho, { host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  yield* echoClient(port, 'Hello World!');
  server.close();
  yield* server.waitClosed();
}

async function handleEchoAsync(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const data = await reader.read(100);
  console.log(`Server received ${JSON.stringify(data.toString())}`);
  writer.write(data);
  await writer.drain();
  console.log('Server closes the connection');
  writer.close();
  await writer.waitClosed();
}

async function echoClientAsync(port: number, message: string): Promise<void> {
  const [reader, writer] = await openConnection({ host: '127.0.0.1', port });
  console.log(`Client sends ${JSON.stringify(message)}`);
  writer.write(message);
  await writer.drain();
  const data = await reader.read();
  console.log(`Client received ${JSON.stringify(data.toString())}`);
  writer.close();
  await writer.waitClosed();
}

export async function mainAsync(): Promise<void> {
  await using server = await startServer(handleEchoAsync, { host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  await echoClientAsync(port, 'Hello World!');
}

/** What both styles print. */
export const expected = [
  'Client sends "Hello World!"',
  'Server received "Hello World!"',
  'Server closes the connection',
  'Client received "Hello World!"',
];

if (isMain(import.meta.url)) {
  await run(main);
  await run(mainAsync);
}
