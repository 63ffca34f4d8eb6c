import { noAwaitCoroutine } from '../../eslint-plugin/src/rules/no-await-coroutine.ts';
import { IMPORTS, ruleTester } from './rule-tester.ts';

const code = (body: string): string => `${IMPORTS}function* work(): Coro<number> { yield* sleep(1); return 1; }\n${body}`;

ruleTester().run('no-await-coroutine', noAwaitCoroutine, {
  valid: [
    // Runtime awaitables, Tasks and Promises are awaited for real.
    code('async function f() { await sleep(1); await createTask(work()); await gather(work(), sleep(1)); await Promise.resolve(1); }'),
    code('async function f() { await timeout(100, function* () { return yield* work(); }); }'),
    // yield* runs it.
    code('function* f(): Coro<number> { return yield* work(); }'),
    // A generator function may return a coroutine; an async function may return a Task.
    code('function make() { return work(); }\nasync function f() { return createTask(work()); }'),
    code('const f = async () => createTask(work());'),
    // An async generator is not a coroutine.
    code('async function* ag() { yield 1; }\nasync function f() { for await (const x of ag()) console.log(x); }'),
  ],
  invalid: [
    { code: code('async function f() { return await work(); }'), errors: [{ messageId: 'await' }] },
    { code: code('await run(async () => { const n = await work(); });'), errors: [{ messageId: 'await' }] },
    // A user's function* with an inferred type.
    { code: code('function* mine() { yield* sleep(1); return "x"; }\nasync function f() { await mine(); }'), errors: [{ messageId: 'await' }] },
    // Returning one from an async function resolves to the generator, unrun.
    { code: code('async function f() { return work(); }'), errors: [{ messageId: 'return' }] },
    { code: code('createTask(async () => work());'), errors: [{ messageId: 'return' }] },
  ],
});
