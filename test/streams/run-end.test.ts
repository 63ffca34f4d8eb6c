// What run() does with the servers, connections, datagram endpoints and child processes still
// open when main returns: it closes them (asyncio leaves them, and Node would stay alive for
// them silently). Real sockets and children; child Node processes show the process exits by itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Runner, run, sleep, type Coro } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { openConnection, startServer, type Server, type StreamReader, type StreamWriter } from '../../src/streams/index.ts';
import { createSubprocessExec, createSubprocessShell, PIPE, type Process } from '../../src/subprocess/index.ts';
import { hasResources } from '../../src/loop/resources.ts';
import { runChild } from '../helpers/child.ts';
import { portOf } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/left-open.ts', import.meta.url));

describe('the end of run() closes what main left open', () => {
  for (const what of ['server', 'connection', 'subprocess', 'stubborn', 'datagram']) {
    for (const style of ['generator', 'async']) {
      test(`a process that leaves a ${what === 'stubborn' ? 'child ignoring SIGTERM' : what} open exits by itself (${style})`, async () => {
        const result = await runChild(FIXTURE, { args: [what, style], timeoutMs: 30_000 });
        assert.equal(result.timedOut, false, `the process was kept alive: ${result.stdout}${result.stderr}`);
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.trim().split('\n');
        assert.equal(lines.at(what === 'subprocess' || what === 'stubborn' ? -2 : -1), 'run ended');
        if (what === 'connection') assert.deepEqual(lines, ['echo hi', 'main returns', 'handler finally', 'run ended']);
        if (what === 'subprocess' || what === 'stubborn') assert.equal(lines.at(-1), 'child gone (ESRCH)');
      });
    }
  }

  test('a server left listening stops listening, and its handlers are cancelled (generator style)', async () => {
    let server: Server | null = null;
    const events: string[] = [];
    await run(function* (): Coro<void> {
      server = yield* startServer(function* (reader: StreamReader, writer: StreamWriter): Coro<void> {
        try {
          writer.write(yield* reader.readline());
          yield* sleep(60_000);
        } finally {
          events.push('handler finally');
        }
      }, { host: '127.0.0.1', port: 0 });
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      writer.write('x\n');
      assert.equal((yield* reader.readline()).toString(), 'x\n');
    });
    const closed = server as unknown as Server;
    assert.equal(closed.isServing(), false);
    assert.equal(closed.address(), null);
    assert.deepEqual(events, ['handler finally']);
  });

  test('a connection left open sends what was written, then closes (the peer reads it and EOF)', async () => {
    const received: Buffer[] = [];
    const ended = new Promise<void>((resolve) => {
      const peer = net.createServer((socket) => {
        socket.on('data', (chunk) => received.push(chunk));
        socket.on('end', () => {
          socket.end();
          peer.close();
          resolve();
        });
      });
      peer.listen(0, '127.0.0.1', async () => {
        const port = (peer.address() as net.AddressInfo).port;
        await run(async () => {
          const [, writer] = await openConnection({ host: '127.0.0.1', port });
          writer.write(Buffer.alloc(1 << 20, 'a')); // more than one write of the socket
          writer.write('end\n');
        });
      });
    });
    await ended;
    const all = Buffer.concat(received);
    assert.equal(all.length, (1 << 20) + 4);
    assert.equal(all.subarray(-4).toString(), 'end\n');
  });

  test('a connection whose peer never reads is dropped after the grace period instead of hanging', async () => {
    const peerSockets: net.Socket[] = [];
    const peer = net.createServer((socket) => {
      socket.pause(); // never reads: our writes back up
      peerSockets.push(socket);
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const port = (peer.address() as net.AddressInfo).port;
    let writer: StreamWriter | null = null;
    await run(async () => {
      [, writer] = await openConnection({ host: '127.0.0.1', port });
      for (let i = 0; i < 64; i++) writer.write(Buffer.alloc(1 << 20)); // 64 MiB: far more than the socket buffers hold
    });
    const w = writer as unknown as StreamWriter;
    assert.equal(w.isClosing(), true);
    assert.equal((w.transport as net.Socket).destroyed, true);
    for (const socket of peerSockets) socket.destroy();
    peer.close();
  });

  test('children still running are terminated (SIGTERM), then killed if they ignore it, and reaped', async () => {
    const procs: Process[] = [];
    await run(async () => {
      procs.push(await createSubprocessExec('sleep', ['60']));
      const stubborn = await createSubprocessShell("trap '' TERM; echo started; while :; do sleep 1; done", { stdout: PIPE });
      await stubborn.stdout!.readline();
      procs.push(stubborn);
    });
    assert.deepEqual(procs.map((p) => p.returncode), [-15, -9]);
  });

  test('a child that already exited, and resources closed by the program, are left alone', async () => {
    const runner = new Runner();
    const exits: (number | null)[] = [];
    await runner.run(function* (): Coro<void> {
      const proc = yield* createSubprocessExec('true');
      exits.push(yield* proc.wait());
      const server = yield* startServer(function* () {}, { host: '127.0.0.1', port: 0 });
      server.close();
      yield* server.waitClosed();
    });
    assert.equal(hasResources(runner.getLoop()), false);
    await runner.close();
    assert.deepEqual(exits, [0]);
  });

  test('with a Runner, what a run() leaves open stays open for the next run() and is closed by close()', async () => {
    const runner = new Runner();
    let server: Server | null = null;
    await runner.run(function* (): Coro<void> {
      server = yield* startServer(function* () {}, { host: '127.0.0.1', port: 0 });
    });
    assert.equal((server as unknown as Server).isServing(), true);
    await runner.run(async () => {
      const [, writer] = await openConnection({ host: '127.0.0.1', port: portOf(server!) });
      writer.close();
    });
    await runner.close();
    assert.equal((server as unknown as Server).isServing(), false);
  });

  test('on a virtual-time loop too: closing waits for the child in real time', async () => {
    let proc: Process | null = null;
    await runVirtual(function* (): Coro<void> {
      proc = yield* createSubprocessExec('sleep', ['60']);
      yield* sleep(3_600_000); // virtual: at once
    });
    assert.equal((proc as unknown as Process).returncode, -15);
  });
});
