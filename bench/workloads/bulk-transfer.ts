// bulk-transfer: N MiB sent over one loopback TCP connection, in 64 KiB blocks. The sender is
// the same for every system (a raw node:net server piping a Readable of blocks into its
// socket); the receiver is the system measured: aio's `read(65536)` until EOF, or the raw
// socket piped into a counting Writable. Client and sender in one process. Verified: the byte
// count adds up to N MiB and each block's fill byte is as sent.
import * as net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Unavailable, loadAio, type Coro } from '../lib/aio.js';
import { runChild, verify, type Round } from '../lib/child.js';

const MiB = 1024 * 1024;
const BLOCK = 64 * 1024;
const BLOCKS = Array.from({ length: 16 }, (_, i) => Buffer.alloc(BLOCK, i));

type Op<T> = PromiseLike<T> & { [Symbol.iterator](): Iterator<unknown, T> };
interface Reader {
  read(n: number): Op<Buffer>;
}
interface Writer {
  close(): void;
}
interface Streams {
  openConnection(o: { host: string; port: number }): Op<[Reader, Writer]>;
}

async function loadStreams(): Promise<Streams> {
  try {
    return (await import(new URL('../../src/streams/index.ts', import.meta.url).href)) as Streams;
  } catch (err) {
    throw new Unavailable(`cannot import src/streams/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

/** A server that sends `mib` MiB to each connection, then ends it. */
async function sender(mib: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const blocks = (mib * MiB) / BLOCK;
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < blocks; i++) yield BLOCKS[i & 15]!;
      })(),
      { objectMode: false },
    );
    pipeline(source, socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server;
}

/** Checks the fill byte of every byte position that starts a block. */
class Counter {
  total = 0;
  add(chunk: Buffer): void {
    // The first whole-block boundary inside the chunk: its byte tells the block number.
    const offset = (BLOCK - (this.total % BLOCK)) % BLOCK;
    if (offset < chunk.length) verify(chunk[offset] === ((this.total + offset) / BLOCK) % 16, 'bytes differ');
    this.total += chunk.length;
  }
}

void runChild({
  expected: (n) => n,
  systems: {
    'aio-gen': async ({ n, start }: Round) => {
      const { run } = await loadAio('run');
      const { openConnection } = await loadStreams();
      const server = await sender(n);
      const { port } = server.address() as net.AddressInfo;
      start();
      const total = await run(function* (): Coro<number> {
        const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
        const counter = new Counter();
        for (let block = yield* reader.read(BLOCK); block.length > 0; block = yield* reader.read(BLOCK)) counter.add(block);
        writer.close();
        return counter.total;
      });
      server.close();
      return total / MiB;
    },
    'aio-async': async ({ n, start }: Round) => {
      const { run } = await loadAio('run');
      const { openConnection } = await loadStreams();
      const server = await sender(n);
      const { port } = server.address() as net.AddressInfo;
      start();
      const total = await run(async () => {
        const [reader, writer] = await openConnection({ host: '127.0.0.1', port });
        const counter = new Counter();
        for (let block = await reader.read(BLOCK); block.length > 0; block = await reader.read(BLOCK)) counter.add(block);
        writer.close();
        return counter.total;
      });
      server.close();
      return total / MiB;
    },
    'raw-pipe': async ({ n, start }: Round) => {
      const server = await sender(n);
      const { port } = server.address() as net.AddressInfo;
      start();
      const counter = new Counter();
      const socket = net.connect({ host: '127.0.0.1', port });
      await pipeline(
        socket,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            counter.add(chunk);
            callback();
          },
        }),
      );
      server.close();
      return counter.total / MiB;
    },
  },
});
