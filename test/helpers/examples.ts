/** Running documentation examples as users would: `@example`s of doc comments and README sections. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runChild } from './child.ts';

/** The last `@example` of the doc comments in `file` before `marker`, without its ` * ` margins. */
export function exampleBefore(file: string, marker: string): string {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const doc = text.slice(0, text.indexOf(marker));
  const start = doc.lastIndexOf('@example') + '@example'.length;
  return doc
    .slice(start, doc.lastIndexOf('*/'))
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
}

/** The first TypeScript block of the README section whose heading starts with `heading`. */
export function readmeExample(heading: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const start = section.indexOf('```ts') + 5;
  return section.slice(start, section.indexOf('```\n', start));
}

/**
 * Runs `code` in a child process, its imports of `aio-ts` and `aio-ts/<subpath>` pointed at
 * src/ (`src/index.ts`, `src/<subpath>/index.ts`); returns the lines it printed.
 */
export async function runExample(code: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-example-'));
  try {
    const file = path.join(dir, 'example.mts');
    const source = code.replace(/from '(aio-ts)(?:\/([a-z-]+))?'/g, (_, _pkg: string, sub?: string) =>
      `from ${JSON.stringify(path.join(ROOT, 'src', ...(sub ? [sub] : []), 'index.ts'))}`,
    );
    writeFileSync(file, source);
    const result = await runChild(file);
    assert.equal(result.code, 0, `the example failed:\n${result.stderr}`);
    return result.stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
