import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { getRunningLoop, run, toThread } from '../../src/index.ts';
import { ProcessPoolExecutor, ThreadPoolExecutor, move } from '../../src/executors/index.ts';

describe('move(): transfer instead of copy', { timeout: 60_000 }, () => {
  test("an argument's buffer moves to the worker (the sender's is detached) and a result's moves back", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bytes = new Uint8Array(1024 * 1024).fill(7);
    const result = await pool.submit((data: Uint8Array) => {
      for (let i = 0; i < data.length; i++) data[i] = data[i]! + 1;
      (globalThis as { kept?: Uint8Array }).kept = data;
      return move(data); // `move` is in scope in a job (here it is also the imported one)
    }, move(bytes));
    assert.equal(bytes.byteLength, 0); // moved, not copied
    assert.equal(result.byteLength, 1024 * 1024);
    assert.equal(result[0], 8);
    assert.equal(result[result.length - 1], 8);
    // The worker's side was detached when the result left: the same worker sees it empty.
    assert.equal(await pool.submit(() => (globalThis as { kept?: Uint8Array }).kept!.byteLength), 0);
    // A copy, for contrast: without move() both sides keep their buffer.
    const copied = new Float64Array([1, 2, 3]);
    assert.deepEqual(await pool.submit((a: Float64Array) => a.length, copied), 3);
    assert.equal(copied.length, 3);
  });

  test('an ArrayBuffer and a MessagePort move; several arguments and map items may be moved; toThread too', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const buffer = new ArrayBuffer(16);
    const { port1, port2 } = new MessageChannel();
    const got = new Promise((resolve) => port1.once('message', resolve));
    const sizes = await pool.submit(
      (b: ArrayBuffer, port: import('node:worker_threads').MessagePort, plain: number) => {
        port.postMessage(`hello from the worker, ${b.byteLength} bytes`);
        port.close();
        return plain;
      },
      move(buffer),
      move(port2),
      5,
    );
    assert.equal(sizes, 5);
    assert.equal(await got, 'hello from the worker, 16 bytes');
    port1.close();
    assert.equal(buffer.byteLength, 0);
    const items = [new Uint8Array(4), new Uint8Array(8), new Uint8Array(2)];
    const lengths: number[] = [];
    for await (const n of pool.map((a: Uint8Array) => a.length, items.map((a) => move(a)), { chunksize: 2 })) lengths.push(n);
    assert.deepEqual(lengths, [4, 8, 2]);
    assert.deepEqual(items.map((a) => a.byteLength), [0, 0, 0]);
    await run(async () => {
      const data = new Uint16Array(10);
      assert.equal(await toThread((a: Uint16Array) => a.length, move(data)), 10);
      assert.equal(await getRunningLoop().runInExecutor(pool, (a: Uint16Array) => a.length, move(new Uint16Array(3))), 3);
      assert.equal(data.byteLength, 0);
    });
  });

  test('what cannot be moved is a TypeError; a process pool copies', async () => {
    assert.throws(() => move({} as never), { name: 'TypeError', message: /^move\(\) expects an ArrayBuffer, a typed array, a DataView or a MessagePort, got Object/ });
    assert.throws(() => move(new Int32Array(new SharedArrayBuffer(4))), { name: 'TypeError', message: /SharedArrayBuffer: it is shared with workers already/ });
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const bytes = new Uint8Array([1, 2, 3]);
    assert.deepEqual(await pool.submit((a: Uint8Array) => move(a.map((x) => x * 2)), move(bytes)), new Uint8Array([2, 4, 6]));
    assert.equal(bytes.byteLength, 3); // copied: processes share no buffers
  });
});
