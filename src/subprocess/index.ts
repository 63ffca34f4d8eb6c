/**
 * aio-ts/subprocess: child processes with asyncio's API, on `node:child_process`. Pipes are
 * aio-ts/streams readers and writers; every wait is an operation (`yield*` or `await`).
 *
 * @example
 * import { run } from 'aio-ts';
 * import { createSubprocessExec, PIPE } from 'aio-ts/subprocess';
 *
 * // generator coroutine
 * await run(function* () {
 *   const proc = yield* createSubprocessExec('sort', [], { stdin: PIPE, stdout: PIPE });
 *   const [out] = yield* proc.communicate('b\na\n');
 *   console.log(out!.toString()); // a\nb\n
 * });
 *
 * // async function
 * await run(async () => {
 *   await using proc = await createSubprocessExec('cat', [], { stdin: PIPE, stdout: PIPE });
 *   proc.stdin!.write('hello\n');
 *   console.log((await proc.stdout!.readline()).toString()); // hello
 * }); // the block's end kills cat if it still runs, and waits for it
 */
export { createSubprocessExec, createSubprocessShell, PIPE, STDOUT, DEVNULL, type StdioSpec, type SubprocessOptions } from './create.js';
export { Process } from './process.js';
