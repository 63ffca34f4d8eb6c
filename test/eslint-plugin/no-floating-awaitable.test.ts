import { noFloatingAwaitable } from '../../eslint-plugin/src/rules/no-floating-awaitable.ts';
import { IMPORTS, ruleTester } from './rule-tester.ts';

const code = (body: string): string => `${IMPORTS}function* work(): Coro<number> { yield* sleep(1); return 1; }\n${body}`;

ruleTester().run('no-floating-awaitable', noFloatingAwaitable, {
  valid: [
    code('await run(function* () { yield* sleep(10); yield* work(); });'),
    code('await run(async () => { await sleep(10); });'),
    // Assigned, returned, passed on, discarded on purpose.
    code('await run(function* () { const s = sleep(10); yield* s; });'),
    code('function later() { return sleep(10); }'),
    code('await run(function* () { createTask(work()); void sleep(1); });'),
    // Futures and Tasks run anyway: dropping one is allowed by default.
    code('await run(function* () { createTask(work); const f = new Future<number>(); f; });'),
    code('await run(function* () { yield* taskGroup(function* (tg) { tg.createTask(work()); }); });'),
    // Not a runtime awaitable: a Promise (typescript-eslint's no-floating-promises), an array iterator.
    code('async function f() { return 1; }\nf();\n[1, 2].values();'),
    // `await x;` of something giving back a coroutine: reported by no-await-coroutine, not here.
    code('async function f() { await sleep(1); }'),
  ],
  invalid: [
    { code: code('await run(function* () { sleep(10); });'), errors: [{ messageId: 'awaitable' }] },
    { code: code('await run(async () => { sleep(10, "x"); });'), errors: [{ messageId: 'awaitable' }] },
    { code: code('await run(function* () { work(); });'), errors: [{ messageId: 'coroutine' }] },
    // A primitive's operation and an inline awaitable are lazy too.
    { code: code('const lock = new Lock();\nawait run(function* () { lock.acquire(); });'), errors: [{ messageId: 'awaitable' }] },
    { code: code('const q = new Queue<number>();\nasync function f() { q.get(); }'), errors: [{ messageId: 'awaitable' }] },
    { code: code('function* f(): Coro<void> { timeout(100, function* () { yield* sleep(1); }); }'), errors: [{ messageId: 'awaitable' }] },
    // A user's own function* with an inferred type, and a conditional one.
    { code: code('function* mine() { yield* sleep(1); }\nfunction* g(ok: boolean) { ok && mine(); }'), errors: [{ messageId: 'coroutine' }] },
    {
      code: code('await run(function* () { createTask(work); });'),
      options: [{ checkFutures: true }],
      errors: [{ messageId: 'future' }],
    },
  ],
});
