/**
 * The `@example`s of src/pool/ run, and print what they say they print (in a child process,
 * importing `aio-ts` and `aio-ts/pool` from src/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runChild } from '../helpers/child.ts';

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

async function runExample(code: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-example-'));
  try {
    const file = path.join(dir, 'example.mts');
    writeFileSync(
      file,
      code
        .replaceAll("from 'aio-ts/pool'", `from ${JSON.stringify(path.join(ROOT, 'src', 'pool', 'index.ts'))}`)
        .replaceAll("from 'aio-ts'", `from ${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))}`),
    );
    const result = await runChild(file);
    assert.equal(result.code, 0, `the example failed:\n${result.stderr}`);
    return result.stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the @example of ResourcePool', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pool/resource-pool.ts', 'export class ResourcePool')), [
    '[',
    "  'query 1 on connection 1',",
    "  'query 2 on connection 2',",
    "  'query 3 on connection 1'",
    ']',
    'query 4 on connection 2',
    'closing 1',
    'closing 2',
  ]);
});

test('the @example of the aio-ts/pool overview', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pool/index.ts', 'export {')), ['true']);
});

test("the README's resource pool example", async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Resource pools'));
  const start = section.indexOf('```ts') + 5;
  assert.deepEqual(await runExample(section.slice(start, section.indexOf('```\n', start))), [
    '[',
    "  'query 1 on connection 1',",
    "  'query 2 on connection 2',",
    "  'query 3 on connection 1'",
    ']',
    '2',
  ]);
});
