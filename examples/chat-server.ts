/**
 * A line-based chat server: a client sends its name, then lines; every line goes to every
 * client. Each connection runs a TaskGroup of two tasks: one reads the client's lines and
 * broadcasts them, one writes what the client's Queue receives (so a slow client only delays
 * itself; past 100 queued messages it misses some). Run: `node --import tsx examples/chat-server.ts`.
 */
import type { AddressInfo } from 'node:net';
import { Queue, QueueFull, run, taskGroup, type Coro } from '../src/index.ts';
import { openConnection, startServer, type Server, type StreamReader, type StreamWriter } from '../src/streams/index.ts';
import { isMain } from './is-main.ts';

/** Starts the chat server on a free port of 127.0.0.1. */
export function* startChatServer(): Coro<Server> {
  const clients = new Map<string, Queue<string>>();
  const broadcast = (line: string): void => {
    for (const queue of clients.values()) {
      try {
        queue.putNowait(line);
      } catch (error) {
        if (!(error instanceof QueueFull)) throw error; // too slow: this client misses the line
      }
    }
  };

  function* handleClient(reader: StreamReader, writer: StreamWriter): Coro<void> {
    const name = (yield* reader.readline()).toString().trim();
    if (name === '') return;
    const outbox = new Queue<string>(100);
    clients.set(name, outbox);
    broadcast(`* ${name} joined`);
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          for (let r = yield* outbox.next(); !r.done; r = yield* outbox.next()) {
            writer.write(`${r.value}\n`);
            yield* writer.drain();
          }
        });
        for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
          broadcast(`${name}: ${r.value.toString().trimEnd()}`);
        }
        outbox.shutdown(); // the client left: the writer task sends what is queued, then ends
      });
    } finally {
      clients.delete(name);
      broadcast(`* ${name} left`);
    }
  }

  return yield* startServer(handleClient, { host: '127.0.0.1', port: 0 });
}

/** A chat client: its name, the reader and the writer. */
export function* join(port: number, name: string): Coro<[StreamReader, StreamWriter]> {
  const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
  writer.write(`${name}\n`);
  return [reader, writer];
}

export function* main(): Coro<void> {
  const server = yield* startChatServer();
  const { port } = server.address() as AddressInfo;
  const show = function* (who: string, reader: StreamReader): Coro<void> {
    console.log(`${who} sees: ${(yield* reader.readline()).toString().trimEnd()}`);
  };
  const [alice, aliceOut] = yield* join(port, 'alice');
  yield* show('alice', alice);
  const [bob, bobOut] = yield* join(port, 'bob');
  yield* show('alice', alice);
  yield* show('bob', bob);
  aliceOut.write('hi bob\n');
  yield* show('alice', alice);
  yield* show('bob', bob);
  bobOut.write('hello alice, bye\n');
  bobOut.writeEof();
  yield* show('alice', alice);
  yield* show('bob', bob);
  yield* show('alice', alice);
  aliceOut.close();
  bobOut.close();
  server.close();
  yield* server.waitClosed();
}

/** The same server in the async-function style. */
export async function startChatServerAsync(): Promise<Server> {
  const clients = new Map<string, Queue<string>>();
  const broadcast = (line: string): void => {
    for (const queue of clients.values()) {
      try {
        queue.putNowait(line);
      } catch (error) {
        if (!(error instanceof QueueFull)) throw error;
      }
    }
  };

  async function handleClient(reader: StreamReader, writer: StreamWriter): Promise<void> {
    const name = (await reader.readline()).toString().trim();
    if (name === '') return;
    const outbox = new Queue<string>(100);
    clients.set(name, outbox);
    broadcast(`* ${name} joined`);
    try {
      await taskGroup(async (tg) => {
        tg.createTask(async () => {
          for await (const line of outbox) {
            writer.write(`${line}\n`);
            await writer.drain();
          }
        });
        for await (const line of reader) broadcast(`${name}: ${line.toString().trimEnd()}`);
        outbox.shutdown();
      });
    } finally {
      clients.delete(name);
      broadcast(`* ${name} left`);
    }
  }

  return await startServer(handleClient, { host: '127.0.0.1', port: 0 });
}

export async function mainAsync(): Promise<void> {
  const server = await startChatServerAsync();
  const { port } = server.address() as AddressInfo;
  const show = async (who: string, reader: StreamReader): Promise<void> => {
    console.log(`${who} sees: ${(await reader.readline()).toString().trimEnd()}`);
  };
  const [alice, aliceOut] = await openConnection({ host: '127.0.0.1', port });
  aliceOut.write('alice\n');
  await show('alice', alice);
  const [bob, bobOut] = await openConnection({ host: '127.0.0.1', port });
  bobOut.write('bob\n');
  await show('alice', alice);
  await show('bob', bob);
  aliceOut.write('hi bob\n');
  await show('alice', alice);
  await show('bob', bob);
  bobOut.write('hello alice, bye\n');
  bobOut.writeEof();
  await show('alice', alice);
  await show('bob', bob);
  await show('alice', alice);
  aliceOut.close();
  bobOut.close();
  server.close();
  await server.waitClosed();
}

/** What both styles print. */
export const expected = [
  'alice sees: * alice joined',
  'alice sees: * bob joined',
  'bob sees: * bob joined',
  'alice sees: alice: hi bob',
  'bob sees: alice: hi bob',
  'alice sees: bob: hello alice, bye',
  'bob sees: bob: hello alice, bye',
  'alice sees: * bob left',
];

if (isMain(import.meta.url)) {
  await run(main);
  await run(mainAsync);
}
