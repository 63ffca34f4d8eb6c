/**
 * The repository stands on its own: every relative link in its Markdown files points to a
 * file inside the repository that exists (a link to a document the reader does not have,
 * or to a page moved away, fails here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../../scripts/api-model.ts';

const SKIP = new Set(['node_modules', 'dist', '.git', 'scratch']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(path);
    return e.name.endsWith('.md') ? [path] : [];
  });
}

test('relative links in Markdown files resolve to files in the repository', () => {
  const files = markdownFiles(ROOT);
  assert.ok(files.some((f) => f.endsWith(join('docs', 'README.md'))), 'docs/README.md not found');
  const broken: string[] = [];
  for (const file of files) {
    // Fenced code is not prose: `](` in a code sample is not a link.
    const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue; // https:, mailto:, same page
      const path = resolve(dirname(file), decodeURIComponent(target!.split('#')[0]!));
      const inside = path === ROOT || path.startsWith(ROOT + sep);
      if (!inside || !existsSync(path)) broken.push(`${relative(ROOT, file)}: ${target}${inside ? '' : ' (outside the repository)'}`);
    }
  }
  assert.deepEqual(broken, []);
});
