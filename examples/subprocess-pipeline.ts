/**
 * A pipeline of two child processes with `communicate`: the first prints lines, the second
 * (`sort`) gets them on stdin and its output is read back. Run: `node --import tsx examples/subprocess-pipeline.ts`.
 */
import { run, type Coro } from '../src/index.ts';
import { createSubprocessExec, PIPE } from '../src/subprocess/index.ts';
import { isMain } from './is-main.ts';

const PRODUCER = ['-e', 'for (const w of ["pear", "apple", "fig"]) console.log(w)'];

export function* main(): Coro<void> {
  const producer = yield* createSubprocessExec(process.execPath, PRODUCER, { stdout: PIPE });
  const [words] = yield* producer.communicate();
  const sort = yield* createSubprocessExec('sort', [], { stdin: PIPE, stdout: PIPE, env: { ...process.env, LC_ALL: 'C' } });
  const [sorted] = yield* sort.communicate(words);
  console.log(sorted!.toString().trimEnd().split('\n').join(', '));
  console.log(`exit codes: ${producer.returncode} ${sort.returncode}`);
}

export async function mainAsync(): Promise<void> {
  const producer = await createSubprocessExec(process.execPath, PRODUCER, { stdout: PIPE });
  const [words] = await producer.communicate();
  const sort = await createSubprocessExec('sort', [], { stdin: PIPE, stdout: PIPE, env: { ...process.env, LC_ALL: 'C' } });
  const [sorted] = await sort.communicate(words);
  console.log(sorted!.toString().trimEnd().split('\n').join(', '));
  console.log(`exit codes: ${producer.returncode} ${sort.returncode}`);
}

/** What both styles print. */
export const expected = ['apple, fig, pear', 'exit codes: 0 0'];

if (isMain(import.meta.url)) {
  await run(main);
  await run(mainAsync);
}
