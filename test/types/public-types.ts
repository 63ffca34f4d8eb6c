/**
 * Type-level tests of the public API, checked by `npm test`'s typecheck (`tsc -p tsconfig.json`,
 * which includes test/): nothing here runs. Positive cases assert exact types with `Equal`;
 * wrong uses are `@ts-expect-error` lines, and an unused `@ts-expect-error` (a wrong use that
 * compiles) fails the typecheck (TS2578; test/types/expect-error.test.ts checks that it does).
 */
import {
  AsyncExitStack,
  ExceptionGroup,
  Future,
  Lock,
  asCompleted,
  asyncContextManager,
  asyncWith,
  createTask,
  gather,
  run,
  sleep,
  type AsyncContextGuard,
  type AsyncContextManager,
  type CompletedFuture,
  type ContextCoro,
  type ContextGuard,
  type Coro,
  type InlineAwaitable,
  type Task,
  type TaskTarget,
} from '../../src/index.ts';
import { spawnActor, type Actor } from '../../src/actors/index.ts';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
/** Compiles only when its argument is `true`. */
function expectTrue<T extends true>(_proof?: T): void {}

function* work(ms: number, value: string): Coro<string> {
  yield* sleep(ms);
  return value;
}

// ---------------------------------------------------------------------------------------------
// TaskTarget / createTask / run

export function* taskTargets(): Coro<void> {
  const a = createTask(work(1, 'a'));
  expectTrue<Equal<typeof a, Task<string>>>();
  const b = createTask(async () => 42);
  expectTrue<Equal<typeof b, Task<number>>>();
  const c = createTask(function* () {
    yield* sleep(1);
    return true;
  });
  expectTrue<Equal<typeof c, Task<boolean>>>();
  expectTrue<(() => Coro<string>) extends TaskTarget<string> ? true : false>();
  expectTrue<(() => Promise<string>) extends TaskTarget<string> ? true : false>();
  expectTrue<Coro<string> extends TaskTarget<string> ? true : false>();
  expectTrue<(() => string) extends TaskTarget<string> ? false : true>();
  const promise = run(async () => 'done');
  expectTrue<Equal<typeof promise, Promise<string>>>();

  // A function returning a plain value is not a task: make it async, or a function*.
  // @ts-expect-error Type 'number' is not assignable to type 'Iterator<Suspend, unknown, unknown>'
  createTask(() => 42);
  // @ts-expect-error
  void run(() => 'not a coroutine');
  // A Promise is not a TaskTarget either (pass the async function itself).
  // @ts-expect-error
  createTask(Promise.resolve(1));
}

// ---------------------------------------------------------------------------------------------
// yield vs yield*

export function* bareYield(): Coro<void> {
  // A bare `yield` of an awaitable does not await it; the message names the fix:
  // "Property '['to await in a coroutine, use yield*, not yield']' is missing in type 'SleepBase<void>'".
  // @ts-expect-error
  yield sleep(10);
  // @ts-expect-error
  yield new Future<number>();
  yield* sleep(10); // the right way
}

// @ts-expect-error the generator yields a Sleep, which a Task cannot run
createTask(function* () {
  yield sleep(10);
});

// ---------------------------------------------------------------------------------------------
// gather

export function* gatherTuples(): Coro<void> {
  const [s, n, b] = yield* gather(work(1, 'a'), sleep(1, 2), async () => true);
  expectTrue<Equal<[typeof s, typeof n, typeof b], [string, number, boolean]>>();

  const all = yield* gather(work(1, 'a'), createTask(async () => 1), { returnExceptions: false });
  expectTrue<Equal<typeof all, [string, number]>>();

  // With returnExceptions, a slot holds a result or whatever was thrown: `unknown`, to narrow.
  const settled = yield* gather(work(1, 'a'), sleep(1, 2), { returnExceptions: true });
  expectTrue<Equal<typeof settled, [unknown, unknown]>>();
  const first = settled[0];
  if (typeof first === 'string') expectTrue<Equal<typeof first, string>>();
  // @ts-expect-error a failure is not necessarily an Error
  const asError: Error = settled[0];
  void asError;

  const none = yield* gather();
  expectTrue<Equal<typeof none, []>>();
}

// ---------------------------------------------------------------------------------------------
// asCompleted

export function* asCompletedInCoroutines(tasks: Task<string>[]): Coro<void> {
  for (const next of asCompleted(tasks)) {
    expectTrue<Equal<typeof next, InlineAwaitable<string>>>();
    const value = yield* next;
    expectTrue<Equal<typeof value, string>>();
  }
  for (const next of asCompleted([work(1, 'a'), sleep(1, 'b')])) {
    const value = yield* next;
    expectTrue<Equal<typeof value, string>>();
  }
}

export async function asCompletedInAsyncFunctions(tasks: Task<string>[]): Promise<void> {
  for (const next of asCompleted(tasks)) {
    const value = await next;
    expectTrue<Equal<typeof value, string>>();
  }
  // `for await` gives the Futures themselves, done. Typed without `then` (TypeScript would
  // otherwise type the variable as the result): see CompletedFuture. With an annotation the
  // type does not depend on what else the program iterates (see CompletedFuture's note).
  const ac: AsyncIterable<CompletedFuture<string>> = asCompleted(tasks);
  for await (const f of ac) {
    expectTrue<Equal<typeof f, CompletedFuture<string>>>();
    const result: string = f.result();
    void result;
    // The very Task passed in: compare through the wider type.
    void (tasks as readonly CompletedFuture<string>[]).includes(f);
  }
}

// ---------------------------------------------------------------------------------------------
// asyncWith: the body's value is what enter() gives, once awaited

export function* asyncWithInference(): Coro<void> {
  const fromString = yield* asyncWith({ enter: () => 'str', exit: () => {} }, function* (value) {
    expectTrue<Equal<typeof value, string>>();
    return value.length;
  });
  expectTrue<Equal<typeof fromString, number>>();

  yield* asyncWith({ enter: () => [1, 2, 3], exit: () => {} }, function* (value) {
    expectTrue<Equal<typeof value, number[]>>();
  });
  yield* asyncWith({ enter: async () => new Map<string, number>(), exit: async () => true }, function* (value) {
    expectTrue<Equal<typeof value, Map<string, number>>>();
  });
  yield* asyncWith({ enter: () => work(1, 'a'), exit: () => {} }, function* (value) {
    expectTrue<Equal<typeof value, string>>();
  });
  const declared: AsyncContextManager<Date> = { enter: () => new Date(), exit: () => {} };
  yield* asyncWith(declared, function* (value) {
    expectTrue<Equal<typeof value, Date>>();
  });
  const disposable = { n: 1, async [Symbol.asyncDispose]() {} };
  yield* asyncWith(disposable, function* (value) {
    expectTrue<Equal<typeof value, typeof disposable>>();
  });
  yield* asyncWith(new AsyncExitStack(), function* (stack) {
    expectTrue<Equal<typeof stack, AsyncExitStack>>();
  });

  // @ts-expect-error not a context manager
  yield* asyncWith({ enter: () => 1 }, function* () {});
  // @ts-expect-error the body is a generator function (async functions use await using)
  yield* asyncWith(declared, async () => {});
}

// ---------------------------------------------------------------------------------------------
// asyncContextManager / AsyncExitStack

const connect = asyncContextManager(function* (url: string): ContextCoro<{ url: string }> {
  yield* sleep(1);
  yield { url };
});
const session = asyncContextManager(async function* (user: string) {
  yield `session of ${user}`;
});

export function* contextManagersInCoroutines(): Coro<void> {
  yield* asyncWith(connect('db://x'), function* (conn) {
    expectTrue<Equal<typeof conn, { url: string }>>();
  });
  yield* asyncWith(session('ann'), function* (s) {
    expectTrue<Equal<typeof s, string>>();
  });
  const guard = yield* connect('db://y').hold();
  expectTrue<Equal<typeof guard, ContextGuard<{ url: string }>>>();
  {
    using g = yield* connect('db://z').hold();
    expectTrue<Equal<typeof g.value, { url: string }>>();
  }
  // An async generator's cleanup is asynchronous: its guard has no [Symbol.dispose].
  const asyncGuard = yield* session('bob').hold();
  expectTrue<Equal<typeof asyncGuard, AsyncContextGuard<string>>>();
  // @ts-expect-error The initializer of a 'using' declaration must have a '[Symbol.dispose]()' method
  using _bad = asyncGuard;

  // @ts-expect-error the factory keeps the generator's parameters
  connect(42);

  const stack = new AsyncExitStack();
  const url = (yield* stack.enterAsyncContext(connect('db://s'))).url;
  expectTrue<Equal<typeof url, string>>();
  const lockGuard = stack.enterContext(yield* new Lock().hold());
  void lockGuard.held;
  const seven = stack.enterContext({ enter: () => 7, exit: () => {} });
  expectTrue<Equal<typeof seven, number>>();
  const fn = stack.callback((a: number, b: string) => `${a}${b}`, 1, 'x');
  void fn;
  // @ts-expect-error the callback's arguments are checked
  stack.callback((a: number) => a, 'not a number');
  // @ts-expect-error the callback's arguments are checked
  stack.pushAsyncCallback(async (a: number) => a);
  yield* stack.aclose();
}

export async function contextManagersInAsyncFunctions(): Promise<void> {
  await using s = await session('ann').hold();
  expectTrue<Equal<typeof s.value, string>>();
  await using c = await connect('db://x').hold();
  expectTrue<Equal<typeof c.value, { url: string }>>();
  await using stack = new AsyncExitStack();
  const value = await stack.enterAsyncContext(session('bob'));
  expectTrue<Equal<typeof value, string>>();
}

// A context generator yields its value once with a bare `yield`; the value type excludes the
// runtime's suspensions (`yield*` inside it).
const typed = asyncContextManager(function* () {
  yield* sleep(1);
  yield 42 as const;
});
expectTrue<Equal<ReturnType<typeof typed>, import('../../src/index.ts').GeneratorContextManager<42>>>();

// ---------------------------------------------------------------------------------------------
// ExceptionGroup.split / subgroup

export function exceptionGroups(eg: ExceptionGroup): void {
  const [matching, rest] = eg.split(TypeError);
  expectTrue<Equal<typeof matching, ExceptionGroup | null>>();
  expectTrue<Equal<typeof rest, ExceptionGroup | null>>();
  const [byPredicate] = eg.split((e) => e instanceof RangeError);
  expectTrue<Equal<typeof byPredicate, ExceptionGroup | null>>();
  const sub = eg.subgroup(RangeError);
  expectTrue<Equal<typeof sub, ExceptionGroup | null>>();
  const errors: readonly unknown[] = eg.errors;
  void errors;
  // @ts-expect-error a matcher is an error class, a list of them, or a predicate
  eg.split('TypeError');
}

// ---------------------------------------------------------------------------------------------
// aio-ts/actors: message and reply types inferred from the handler, in every style

export function* actorTypes(): Coro<void> {
  type Msg = { add: number } | 'total';
  const plain = spawnActor(() => (msg: string) => msg.length);
  expectTrue<Equal<typeof plain, Actor<string, number>>>();
  const gen = spawnActor(() => function* (n: number): Coro<string> {
    yield* sleep(1);
    return String(n);
  });
  expectTrue<Equal<typeof gen, Actor<number, string>>>();
  const asyncHandler = spawnActor(async (ctx) => {
    expectTrue<Equal<typeof ctx.restarts, number>>();
    return async (msg: Msg) => (msg === 'total' ? 0 : msg.add);
  });
  expectTrue<Equal<typeof asyncHandler, Actor<Msg, number>>>();
  const reply = asyncHandler.ask('total');
  expectTrue<Equal<typeof reply, Future<number>>>();
  const total: number = yield* reply;
  expectTrue<Equal<typeof total, number>>();
  // @ts-expect-error: a message of the wrong type
  asyncHandler.tellNowait({ sub: 1 });
  // @ts-expect-error: the behavior is a factory returning the handler, not the handler itself
  spawnActor((msg: string) => msg.length);
}
