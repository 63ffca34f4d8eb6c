/**
 * The repository stands on its own: every relative link in its Markdown files points to a
 * file inside the repository that exists (a link to a document the reader does not have,
 * or to a page moved away, fails here), and a `#fragment` into a Markdown file names one of
 * its headings (GitHub's anchors: the generated reference's contents rely on them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../../scripts/api-model.ts';

const SKIP = new Set(['node_modules', 'dist', '.git', 'scratch']);

/** Code is not prose: `](` or `#` in a code sample or an inline code span is neither a link nor a heading. */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const base = heading!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base);
    seen.set(base, (n ?? -1) + 1);
    found.add(n === undefined ? base : `${base}-${n + 1}`);
  }
  return found;
}

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
    const text = prose(readFileSync(file, 'utf8'));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [pathPart, fragment] = target!.split('#') as [string, string | undefined];
      const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
      const inside = path === ROOT || path.startsWith(ROOT + sep);
      if (!inside || !existsSync(path)) {
        broken.push(`${relative(ROOT, file)}: ${target}${inside ? '' : ' (outside the repository)'}`);
      } else if (fragment !== undefined && path.endsWith('.md') && !anchors(readFileSync(path, 'utf8')).has(fragment)) {
        broken.push(`${relative(ROOT, file)}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
