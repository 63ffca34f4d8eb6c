/** Handling exceptions: errors thrown in a coroutine are caught with try/catch. */
import { run, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

// Python's ValueError maps to RangeError in aio.
// eslint-disable-next-line require-yield
function* faultyFunction(): Coro<never> {
  throw new RangeError('An error occurred');
}

export function* main(): Coro<void> {
  try {
    yield* faultyFunction();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    console.log(`Caught an exception: ${e.message}`);
  }
}

export async function mainAsync(): Promise<void> {
  const faulty = async (): Promise<never> => {
    throw new RangeError('An error occurred');
  };
  try {
    await faulty();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    console.log(`Caught an exception: ${e.message}`);
  }
}

if (isMain(import.meta.url)) await run(main);
