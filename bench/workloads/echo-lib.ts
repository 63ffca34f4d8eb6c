// Shared by echo-1 and echo-50: N round trips of a 64-byte message over loopback TCP, spread
// over C connections (N / C each, one after the other on a connection, connections at once).
// Client and server run in the same process, for every system. Verified: every byte echoed
// comes back equal, and the round trips add up to N.
import * as net from 'node:net';
import { Unavailable, loadAio, type Coro } from '../lib/aio.js';
import { runChild, verify, type Round } from '../lib/child.js';

const SIZE = 64;

interface Streams {
  openConnection(o: { host: string; port: number }): PromiseLike<[Reader, Writer]> & { [Symbol.iterator](): Iterator<unknown, [Reader, Writer]> };
  startServer(h: (r: Reader, w: Writer) => unknown, o: { host: string; port: number; backlog?: number }): PromiseLike<Server> & {
    [Symbol.iterator](): Iterator<unknown, Server>;
  };
}
type Op<T> = PromiseLike<T> & { [Symbol.iterator](): Iterator<unknown, T> };
interface Reader {
  readexactly(n: number): Op<Buffer>;
}
interface Writer {
  write(b: Buffer): void;
  drain(): Op<void>;
  close(): void;
}
interface Server {
  address(): net.AddressInfo;
  close(): void;
  closeClients(): void;
  waitClosed(): Op<void>;
}

async function loadStreams(): Promise<Streams> {
  try {
    return (await import(new URL('../../src/streams/index.ts', import.meta.url).href)) as Streams;
  } catch (err) {
    throw new Unavailable(`cannot import src/streams/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

function message(i: number): Buffer {
  return Buffer.alloc(SIZE, i & 0xff);
}

export function echoBench(connections: number): void {
  void runChild({
    expected: (n) => Math.floor(n / connections) * connections,
    systems: {
      'aio-gen': async ({ n }: Round) => {
        const { run, gather, createTask } = await loadAio('run', 'gather', 'createTask');
        const { openConnection, startServer } = await loadStreams();
        const each = Math.floor(n / connections);
        return run(function* (): Coro<number> {
          const server = yield* startServer(
            function* (reader: Reader, writer: Writer): Coro<void> {
              for (let i = 0; i < each; i++) {
                writer.write(yield* reader.readexactly(SIZE));
                yield* writer.drain();
              }
            },
            { host: '127.0.0.1', port: 0, backlog: 1024 },
          );
          const { port } = server.address();
          const client = function* (): Coro<number> {
            const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
            for (let i = 0; i < each; i++) {
              const out = message(i);
              writer.write(out);
              yield* writer.drain();
              verify((yield* reader.readexactly(SIZE)).equals(out), 'echo differs');
            }
            writer.close();
            return each;
          };
          const counts = (yield* gather(...Array.from({ length: connections }, () => createTask(client)))) as number[];
          server.close();
          yield* server.waitClosed();
          return counts.reduce((a, b) => a + b, 0);
        });
      },
      'aio-async': async ({ n }: Round) => {
        const { run } = await loadAio('run');
        const { openConnection, startServer } = await loadStreams();
        const each = Math.floor(n / connections);
        return run(async () => {
          const server = await startServer(
            async (reader: Reader, writer: Writer) => {
              for (let i = 0; i < each; i++) {
                writer.write(await reader.readexactly(SIZE));
                await writer.drain();
              }
            },
            { host: '127.0.0.1', port: 0, backlog: 1024 },
          );
          const { port } = server.address();
          const client = async (): Promise<number> => {
            const [reader, writer] = await openConnection({ host: '127.0.0.1', port });
            for (let i = 0; i < each; i++) {
              const out = message(i);
              writer.write(out);
              await writer.drain();
              verify((await reader.readexactly(SIZE)).equals(out), 'echo differs');
            }
            writer.close();
            return each;
          };
          const counts = await Promise.all(Array.from({ length: connections }, client));
          server.close();
          await server.waitClosed();
          return counts.reduce((a, b) => a + b, 0);
        });
      },
      'raw-net': async ({ n }: Round) => {
        const each = Math.floor(n / connections);
        const server = net.createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
        await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, resolve));
        const { port } = server.address() as net.AddressInfo;
        const client = (): Promise<number> =>
          new Promise((resolve, reject) => {
            const socket = net.connect({ host: '127.0.0.1', port });
            let i = 0;
            let got: Buffer[] = [];
            let size = 0;
            socket.on('error', reject);
            socket.on('connect', () => socket.write(message(0)));
            socket.on('data', (chunk: Buffer) => {
              got.push(chunk);
              size += chunk.length;
              while (size >= SIZE) {
                const all = Buffer.concat(got, size);
                verify(all.subarray(0, SIZE).equals(message(i)), 'echo differs');
                const rest = all.subarray(SIZE);
                got = rest.length > 0 ? [rest] : [];
                size = rest.length;
                if (++i === each) {
                  socket.end();
                  resolve(each);
                  return;
                }
                socket.write(message(i));
              }
            });
          });
        const counts = await Promise.all(Array.from({ length: connections }, client));
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return counts.reduce((a, b) => a + b, 0);
      },
    },
  });
}
