/**
 * The `@example`s of src/contextlib/ and the README's context-manager example run, and print
 * what they say they print. Each runs in a child process, importing `aio-ts` from src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runChild } from '../helpers/child.ts';

const INDEX = path.join(ROOT, 'src', 'index.ts');

/** The `@example` blocks of a source file, keyed by the name declared after each doc comment. */
function examplesOf(file: string): Map<string, string> {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found = new Map<string, string>();
  for (const match of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*export (?:declare )?(?:abstract )?(?:class|function|type|interface) (\w+)/g)) {
    const doc = match[1]!;
    const at = doc.indexOf('@example');
    if (at < 0) continue;
    const code = doc
      .slice(at + '@example'.length)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    found.set(match[2]!, code);
  }
  return found;
}

function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Context managers'));
  return section.slice(section.indexOf('```ts') + 5, section.indexOf('```\n', section.indexOf('```ts') + 5));
}

async function runExample(code: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-example-'));
  try {
    const file = path.join(dir, 'example.mts');
    writeFileSync(file, code.replaceAll("from 'aio-ts'", `from ${JSON.stringify(INDEX)}`));
    const result = await runChild(file);
    assert.equal(result.code, 0, `the example failed:\n${result.stderr}`);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expected: Record<string, string[]> = {
  asyncContextManager: ['using db://a', 'closed db://a', 'session of ann'],
  ContextGuard: ['enter a', 'inside a', 'exit a'],
  AsyncExitStack: [
    'got a',
    'got b',
    'callbacks run too, LIFO',
    'released b',
    'released a',
    'got a',
    'async callback',
    'released a',
  ],
};

test('the @examples of src/contextlib/ run and print what they say', async () => {
  const examples = new Map([
    ...examplesOf('src/contextlib/context-manager.ts'),
    ...examplesOf('src/contextlib/exit-stack.ts'),
  ]);
  assert.deepEqual([...examples.keys()].sort(), Object.keys(expected).sort());
  for (const [name, code] of examples) {
    const out = await runExample(code);
    assert.deepEqual(out.trim().split('\n'), expected[name], `output of ${name}'s example`);
  }
});

test('the README’s context-manager example runs', async () => {
  const out = await runExample(readmeExample());
  assert.deepEqual(out.trim().split('\n'), ['db://a', 'closing b, then a']);
});
