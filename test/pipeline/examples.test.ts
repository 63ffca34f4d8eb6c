/**
 * The README's pipeline example and the `@example`s of src/pipeline/ run, and print what
 * they say they print. Each runs in a child process, importing `aio-ts` and
 * `aio-ts/pipeline` from src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runChild } from '../helpers/child.ts';

const INDEX = path.join(ROOT, 'src', 'index.ts');
const PIPELINE = path.join(ROOT, 'src', 'pipeline', 'index.ts');

/** The first `@example` of a doc comment in `file` that precedes `marker`. */
function exampleBefore(file: string, marker: string): string {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const doc = text.slice(0, text.indexOf(marker));
  const start = doc.lastIndexOf('@example') + '@example'.length;
  return doc
    .slice(start, doc.lastIndexOf('*/'))
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
}

function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Pipelines'));
  const start = section.indexOf('```ts') + 5;
  return section.slice(start, section.indexOf('```\n', start));
}

async function runExample(code: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-example-'));
  try {
    const file = path.join(dir, 'example.mts');
    writeFileSync(
      file,
      code.replaceAll("from 'aio-ts/pipeline'", `from ${JSON.stringify(PIPELINE)}`).replaceAll("from 'aio-ts'", `from ${JSON.stringify(INDEX)}`),
    );
    const result = await runChild(file);
    assert.equal(result.code, 0, `the example failed:\n${result.stderr}`);
    return result.stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the README's pipeline example prints what its comments say", async () => {
  assert.deepEqual(await runExample(readmeExample()), [
    "[ 'page 1', 'page 2', 'page 3', 'page 5' ]",
    '[ 0, 1, 4 ]',
    '[ 9, 16, 25 ]',
    '2 pipeline stage map #1 failed on item number 2: bad item',
  ]);
});

test('the @example of pipeline()', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pipeline/pipeline.ts', 'export function pipeline')), [
    "[ 'page 2', 'page 4', 'page 6' ]",
    "[ 'A', 'B' ]",
    "[ 'C', 'D' ]",
    "[ 'E' ]",
  ]);
});

test('the @example of the aio-ts/pipeline overview', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pipeline/index.ts', 'export {')), ['[ 1, 4, 9 ]']);
});
