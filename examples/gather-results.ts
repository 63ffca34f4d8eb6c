/**
 * Gathering results: they come back in argument order, typed as a tuple,
 * after the slowest one (three seconds).
 */
import { gather, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

export function* fetchData<T>(delay: number, data: T): Coro<T> {
  yield* sleep(delay);
  return data;
}

export function* main(): Coro<void> {
  const result1 = yield* gather(fetchData(1000, 'Data 1'), fetchData(2000, 'Data 2'), fetchData(3000, 'Data 3'));
  console.log(result1);
}

export async function mainAsync(): Promise<void> {
  const fetchDataAsync = async <T>(delay: number, data: T): Promise<T> => {
    await sleep(delay);
    return data;
  };
  const result1 = await gather(
    () => fetchDataAsync(1000, 'Data 1'),
    () => fetchDataAsync(2000, 'Data 2'),
    () => fetchDataAsync(3000, 'Data 3'),
  );
  console.log(result1);
}

if (isMain(import.meta.url)) await run(main);
