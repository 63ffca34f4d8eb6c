import { noSwallowedCancel } from '../../eslint-plugin/src/rules/no-swallowed-cancel.ts';
import { IMPORTS, ruleTester } from './rule-tester.ts';

const code = (body: string): string => `${IMPORTS}${body}`;

ruleTester().run('no-swallowed-cancel', noSwallowedCancel, {
  valid: [
    code('function* f(): Coro<void> { try { yield* sleep(1); } catch (e) { if (e instanceof CancelledError) throw e; console.log(e); } }'),
    code('async function f() { try { await sleep(1); } catch (e) { if (!(e instanceof RangeError)) throw e; } }'),
    // Any throw counts: a wrapped re-throw too.
    code('async function f() { try { await sleep(1); } catch (e) { throw new Error("failed", { cause: e }); } }'),
    // Ignoring the cancel on purpose.
    code('async function f() { try { await sleep(1); } catch { currentTask()!.uncancel(); } }'),
    // Nothing awaited in the try (the await in a nested function is not this try\'s).
    code('function f() { try { JSON.parse("x"); } catch { return null; } }'),
    code('async function f() { try { const g = async () => { await sleep(1); }; void g; } catch { return null; } }'),
    // Kept to be re-thrown after the cleanup.
    code('function* f(): Coro<void> { let failure: unknown = null; try { yield* sleep(1); } catch (e) { failure = e; } console.log("cleanup"); if (failure !== null) throw failure; }'),
    // No catch at all.
    code('async function f() { try { await sleep(1); } finally { console.log("done"); } }'),
  ],
  invalid: [
    { code: code('function* f(): Coro<void> { try { yield* sleep(1); } catch (e) { console.log(e); } }'), errors: [{ messageId: 'swallowed' }] },
    { code: code('async function f() { try { await sleep(1); } catch { return null; } }'), errors: [{ messageId: 'swallowed' }] },
    { code: code('async function f(it: AsyncIterable<number>) { try { for await (const x of it) console.log(x); } catch {} }'), errors: [{ messageId: 'swallowed' }] },
    // Stored somewhere else than a variable: still swallowed here.
    { code: code('async function f(log: unknown[]) { try { await sleep(1); } catch (e) { log.push(e); } }'), errors: [{ messageId: 'swallowed' }] },
    // A throw only in a nested function does not re-throw.
    { code: code('async function f() { try { await sleep(1); } catch (e) { setTimeout(() => { throw e; }); } }'), errors: [{ messageId: 'swallowed' }] },
    // The retry loop that ran past its deadline.
    {
      code: code('function* f(): Coro<void> { for (;;) { try { yield* sleep(10); return; } catch (error) { console.log("retry", error); } } }'),
      errors: [{ messageId: 'swallowed', line: 2 }],
    },
  ],
});
