// The network examples print what they say they print, in both styles, over real sockets;
// the chat server also serves many clients at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { format } from 'node:util';
import type { AddressInfo } from 'node:net';
import { gather, run, type Coro } from '../../src/index.js';
import * as echo from '../../examples/tcp-echo.ts';
import * as chat from '../../examples/chat-server.ts';
import * as pipeline from '../../examples/subprocess-pipeline.ts';
import { PIPE, createSubprocessExec } from '../../src/subprocess/index.js';

async function printed(main: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    await run(main as () => Coro<void>);
  } finally {
    console.log = original;
  }
  return lines;
}

for (const [title, example] of [['TCP echo', echo], ['chat server', chat], ['subprocess pipeline', pipeline]] as const) {
  describe(`example: ${title}`, () => {
    test('generator style prints the expected lines', async () => {
      assert.deepEqual(await printed(example.main), example.expected);
    });
    test('async-function style prints the same', async () => {
      assert.deepEqual(await printed(example.mainAsync), example.expected);
    });
  });
}

test('chat server: 50 clients at once, every line reaches every client exactly once', async () => {
  await run(function* () {
    const server = yield* chat.startChatServer();
    const { port } = server.address() as AddressInfo;
    const n = 50;
    const clients = yield* gather(...Array.from({ length: n }, (_, i) => chat.join(port, `c${i}`)));
    const seen: string[][] = clients.map(() => []);
    const readUntil = function* (i: number, predicate: (line: string) => boolean): Coro<void> {
      const reader = clients[i]![0];
      for (;;) {
        const line = (yield* reader.readline()).toString().trimEnd();
        seen[i]!.push(line);
        if (predicate(line)) return;
      }
    };
    // A client's own join is broadcast once it is registered: when each has seen its own,
    // all n are registered and every line sent from now on reaches all of them.
    yield* gather(...clients.map((_, i) => readUntil(i, (line) => line === `* c${i} joined`)));
    for (const [i, [, writer]] of clients.entries()) writer.write(`hello from ${i}\n`);
    const messages = (i: number): number => seen[i]!.filter((l) => l.includes(': hello from ')).length;
    yield* gather(...clients.map((_, i) => readUntil(i, () => messages(i) === n)));
    const all = Array.from({ length: n }, (_, k) => `c${k}: hello from ${k}`).sort();
    for (let i = 0; i < n; i++) assert.deepEqual(seen[i]!.filter((l) => l.includes(': hello from ')).sort(), all);
    for (const [, writer] of clients) writer.close();
    server.close();
    yield* server.waitClosed();
  });
});

for (const style of ['generator', 'async']) {
  test(`example: read stdin line by line (${style} style), run as a real process with piped input`, async () => {
    await run(function* () {
      const args = ['--import', 'tsx', 'examples/read-stdin.ts', ...(style === 'async' ? ['--async'] : [])];
      const proc = yield* createSubprocessExec(process.execPath, args, { stdin: PIPE, stdout: PIPE });
      const [out] = yield* proc.communicate('first\nsecond\nno newline at the end');
      assert.equal(out!.toString(), '1: first\n2: second\n3: no newline at the end\n3 lines\n');
      assert.equal(proc.returncode, 0);
    });
  });
}
