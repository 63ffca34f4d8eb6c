import { noPromiseToTask } from '../../eslint-plugin/src/rules/no-promise-to-task.ts';
import { IMPORTS, ruleTester } from './rule-tester.ts';

const code = (body: string): string =>
  `${IMPORTS}async function fetchAll(): Promise<number> { await sleep(1); return 1; }\n` +
  'const fetchOne = async (url: string): Promise<string> => url;\n' +
  'function* work(): Coro<number> { yield* sleep(1); return 1; }\n' +
  body;

const error = (fix: string, output: string) => ({ messageId: 'promise' as const, suggestions: [{ messageId: 'passFunction' as const, data: { fix }, output: code(output) }] });

ruleTester().run('no-promise-to-task', noPromiseToTask, {
  valid: [
    // The function itself, a coroutine, a wrapper: the runtime runs them as Tasks.
    code('await run(function* () { createTask(fetchAll); createTask(work()); yield* gather(fetchAll, () => fetchOne("a"), work()); });'),
    code('await run(async () => { await ensureFuture(fetchAll); await waitFor(() => fetchOne("a"), 100); });'),
    // A Promise from a function not declared async (a foreign API): only a Future can await it.
    code('import { readFile } from "node:fs/promises";\nawait run(function* () { yield* ensureFuture(readFile("x", "utf8")); });'),
    // Where only a Promise is accepted, there is no function to pass instead.
    code('await run(async () => { await Promise.all([fetchAll(), fetchOne("a")]); await fetchAll(); });'),
    code('function take(p: Promise<number>) { return p; }\ntake(fetchAll());'),
    // A function that is not a Task target (no coroutine accepted): assert.rejects(fn()) is fine.
    code('import assert from "node:assert/strict";\nawait assert.rejects(fetchAll());'),
  ],
  invalid: [
    {
      code: code('await run(function* () { yield* gather(fetchAll(), work()); });'),
      errors: [error('fetchAll', 'await run(function* () { yield* gather(fetchAll, work()); });')],
    },
    {
      code: code('await run(function* () { yield* ensureFuture(fetchOne("a")); });'),
      errors: [error('() => fetchOne("a")', 'await run(function* () { yield* ensureFuture(() => fetchOne("a")); });')],
    },
    {
      code: code('await run(async () => { await shield(fetchAll()); await waitFor(fetchAll(), 10); });'),
      errors: [
        error('fetchAll', 'await run(async () => { await shield(fetchAll); await waitFor(fetchAll(), 10); });'),
        error('fetchAll', 'await run(async () => { await shield(fetchAll()); await waitFor(fetchAll, 10); });'),
      ],
    },
    {
      // Not assignable (TaskTarget takes no Promise), still reported: plain JavaScript compiles it.
      code: code('await run(function* () { createTask(fetchAll()); });'),
      errors: [error('fetchAll', 'await run(function* () { createTask(fetchAll); });')],
    },
    {
      code: code('await run(function* () { yield* taskGroup(function* (tg) { tg.createTask(fetchOne("b")); }); });'),
      errors: [error('() => fetchOne("b")', 'await run(function* () { yield* taskGroup(function* (tg) { tg.createTask(() => fetchOne("b")); }); });')],
    },
    {
      // The elements of an iterable argument.
      code: code('await run(function* () { for (const f of asCompleted([fetchAll()])) yield* f; });'),
      errors: [error('fetchAll', 'await run(function* () { for (const f of asCompleted([fetchAll])) yield* f; });')],
    },
    {
      code: code('await run(function* () { yield* gatherFrom([fetchOne("a")]); });'),
      errors: [error('() => fetchOne("a")', 'await run(function* () { yield* gatherFrom([() => fetchOne("a")]); });')],
    },
  ],
});
