/**
 * A RuleTester for the plugin's rules: node:test's describe/it, typescript-eslint's parser
 * with type information from fixtures/tsconfig.json (`aio-ts` mapped to the repository's src/),
 * each case linted as fixtures/file.ts.
 */
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

/** A RuleTester whose cases are type-checked against aio's real types. */
export function ruleTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: [] }, tsconfigRootDir: fixtures },
    },
    defaultFilenames: { ts: 'file.ts', tsx: 'file.tsx' },
  });
}

/** The imports every case starts with. */
export const IMPORTS = "import { run, sleep, createTask, gather, gatherFrom, ensureFuture, shield, waitFor, asCompleted, timeout, taskGroup, TaskGroup, Lock, Queue, Future, CancelledError, currentTask, type Coro, type Task } from 'aio-ts';\n";
