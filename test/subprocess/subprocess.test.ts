// aio-ts/subprocess with real child processes (node itself, /bin/sh, cat).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, asyncWith, createTask, run, sleep } from '../../src/index.js';
import { DEVNULL, PIPE, STDOUT, createSubprocessExec, createSubprocessShell } from '../../src/subprocess/index.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';

const NODE = process.execPath;

describe('subprocess', () => {
  test('communicate: 10 MB through stdin and stdout at once, no deadlock (generator)', async () => {
    await run(function* () {
      const proc = yield* createSubprocessExec('cat', [], { stdin: PIPE, stdout: PIPE });
      const input = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < input.length; i++) input[i] = (i * 7) & 0xff;
      const [out, err] = yield* proc.communicate(input);
      assert.equal(err, null);
      assert.equal(out!.length, input.length);
      assert.ok(out!.equals(input));
      assert.equal(proc.returncode, 0);
    });
  });

  test('stdout and stderr read separately, exit code (async function)', async () => {
    await run(async () => {
      const proc = await createSubprocessExec(
        NODE,
        ['-e', 'process.stdout.write("to out"); process.stderr.write("to err"); process.exitCode = 3'],
        { stdout: PIPE, stderr: PIPE },
      );
      const [out, err] = await proc.communicate();
      assert.equal(out!.toString(), 'to out');
      assert.equal(err!.toString(), 'to err');
      assert.equal(await proc.wait(), 3);
      assert.equal(proc.returncode, 3);
      assert.equal(typeof proc.pid, 'number');
    });
  });

  test('stderr: STDOUT merges both into proc.stdout', async () => {
    await run(function* () {
      const proc = yield* createSubprocessExec(NODE, ['-e', 'console.log("a"); console.error("b")'], { stdout: PIPE, stderr: STDOUT });
      assert.equal(proc.stderr, null);
      const [out] = yield* proc.communicate();
      assert.deepEqual(out!.toString().split('\n').filter(Boolean).sort(), ['a', 'b']);
    });
  });

  test('shell: the command line is interpreted by /bin/sh; exec arguments are not', async () => {
    await run(function* () {
      const shell = yield* createSubprocessShell('echo hello | tr a-z A-Z', { stdout: PIPE });
      assert.equal((yield* shell.communicate())[0]!.toString(), 'HELLO\n');
      const exec = yield* createSubprocessExec('echo', ['$HOME; echo injected'], { stdout: PIPE });
      assert.equal((yield* exec.communicate())[0]!.toString(), '$HOME; echo injected\n');
    });
  });

  test('terminate and kill: returncode is minus the signal number', async () => {
    await run(function* () {
      const sleeper = yield* createSubprocessExec(NODE, ['-e', 'setInterval(() => {}, 1000)'], { stdout: DEVNULL });
      sleeper.terminate();
      assert.equal(yield* sleeper.wait(), -15);
      const stubborn = yield* createSubprocessExec(
        NODE,
        ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'],
        { stdout: PIPE },
      );
      assert.equal((yield* stubborn.stdout!.readline()).toString(), 'ready\n'); // its handler is installed
      stubborn.terminate(); // ignored
      stubborn.kill();
      assert.equal(yield* stubborn.wait(), -9);
      stubborn.kill(); // after exit: nothing happens
      assert.throws(() => stubborn.sendSignal('SIGNOPE' as never), /sendSignal\(\) expects a signal name/);
    });
  });

  test('a program that does not exist fails with a clear error naming it', async () => {
    await run(function* () {
      const error = (yield* expectThrows(createSubprocessExec('no-such-program-aio', ['x']), Error)) as NodeJS.ErrnoException;
      assert.equal(error.code, 'ENOENT');
      assert.match(error.message, /createSubprocessExec\(\) could not start "no-such-program-aio"/);
      assert.match(error.message, /check the name, PATH and cwd/);
    });
  });

  test('line by line from a child, and cancelling a wait leaves the process usable', async () => {
    await run(async () => {
      const proc = await createSubprocessExec('cat', [], { stdin: PIPE, stdout: PIPE });
      const waiting = createTask(async () => await proc.wait());
      await sleep(0);
      waiting.cancel();
      await expectRejects(waiting, CancelledError);
      proc.stdin!.write('one\ntwo\n');
      await proc.stdin!.drain();
      assert.equal((await proc.stdout!.readline()).toString(), 'one\n');
      assert.equal((await proc.stdout!.readline()).toString(), 'two\n');
      proc.stdin!.close();
      assert.equal((await proc.stdout!.read()).length, 0);
      assert.equal(await proc.wait(), 0);
    });
  });

  test('await using kills a child still running and waits for it', async () => {
    let pid = 0;
    await run(async () => {
      {
        await using proc = await createSubprocessExec(NODE, ['-e', 'setInterval(() => {}, 1000)']);
        pid = proc.pid;
        assert.equal(proc.returncode, null);
      }
    });
    assert.throws(() => process.kill(pid, 0), /ESRCH/); // gone, and reaped
  });

  test('asyncWith(proc, …) in a coroutine kills the child when the body is cancelled', async () => {
    await run(function* () {
      let proc: { returncode: number | null } | null = null;
      const body = createTask(
        asyncWith(yield* createSubprocessExec(NODE, ['-e', 'setInterval(() => {}, 1000)']), function* (p) {
          proc = p;
          yield* sleep(60_000);
        }),
      );
      yield* sleep(0);
      body.cancel();
      yield* expectThrows(body, CancelledError);
      assert.equal(proc!.returncode, -9);
    });
  });

  test('communicate to a child that exits without reading its input is not an error', async () => {
    await run(function* () {
      const proc = yield* createSubprocessExec(NODE, ['-e', 'process.exit(0)'], { stdin: PIPE, stdout: PIPE });
      const [out] = yield* proc.communicate(Buffer.alloc(4 * 1024 * 1024));
      assert.equal(out!.length, 0);
      assert.equal(proc.returncode, 0);
    });
  });

  test('bad arguments are rejected with messages naming the call', () => {
    assert.throws(() => createSubprocessExec('' as never), /expects the program as a non-empty string/);
    assert.throws(() => createSubprocessExec('ls', '-l' as never), /args to be an array of strings/);
    assert.throws(() => createSubprocessExec('ls', [], { stdout: STDOUT }), /STDOUT is only valid for stderr/);
    assert.throws(() => createSubprocessShell(42 as never), /expects the command as a non-empty string/);
  });
});
