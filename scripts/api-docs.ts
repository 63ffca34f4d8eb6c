/**
 * `npm run docs`: writes the API reference, `docs/api/<entry>.md`, one page per public entry
 * point of package.json `exports`, from the doc comments in `src/` (via scripts/api-model.ts).
 * `npm run docs -- --check` writes nothing and exits 1 if a page is not current;
 * test/api/exports.test.ts runs the same check.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectApi, tagText, ROOT, type ApiMember, type ApiModule, type ApiSymbol } from './api-model.ts';
import type ts from 'typescript';

export const API_DIR = join(ROOT, 'docs', 'api');

const KIND_TITLE: Record<string, string> = {
  class: 'class',
  function: 'function',
  interface: 'interface',
  type: 'type',
  const: 'constant',
  enum: 'enum',
  other: '',
};

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function code(lines: string[]): string {
  return ['```ts', ...lines, '```'].join('\n');
}

/** An `@example` body as a code block (a body already fenced is kept as written). */
function example(text: string): string {
  const body = text.replace(/^\n+|\s+$/g, '');
  return body.startsWith('```') ? body : code([body]);
}

/** The doc text and its tags, as Markdown. */
function docBlock(doc: string, tags: readonly ts.JSDocTagInfo[]): string[] {
  const out: string[] = [];
  if (doc) out.push(doc);
  const params = tags.filter((t) => t.name === 'param');
  if (params.length > 0) {
    out.push(['Parameters:', ...params.map((t) => `- ${tagText(t).replace(/^(\S+)\s*(?:-\s*)?/, '`$1`: ')}`)].join('\n'));
  }
  for (const tag of tags) {
    const text = tagText(tag).trim();
    switch (tag.name) {
      case 'param':
      case 'internal':
        break;
      case 'example':
        out.push(`Example:\n\n${example(tagText(tag))}`);
        break;
      case 'returns':
        out.push(`Returns: ${text}`);
        break;
      case 'throws':
        out.push(`Throws: ${text}`);
        break;
      case 'deprecated':
        out.push(`**Deprecated.** ${text}`);
        break;
      case 'see':
        out.push(`See: ${text}`);
        break;
      default:
        out.push(`**@${tag.name}** ${text}`);
    }
  }
  return out;
}

/** The module overview: the entry file's leading comment, its `@example` as code. */
function moduleDoc(doc: string): string[] {
  const [text, ...examples] = doc.split(/^@example[ \t]*$/m);
  return [text!.trim(), ...examples.map((e) => `Example:\n\n${example(e)}`)].filter(Boolean);
}

function firstSentence(doc: string): string {
  const flat = doc.split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  const end = flat.search(/(?<!\b(?:e\.g|i\.e|etc|vs))\.(\s|$)/); // not at "e.g." and the like
  const sentence = end < 0 ? flat : flat.slice(0, end + 1);
  return sentence.replace(/\|/g, '\\|');
}

/** GitHub's anchors for the headings of one page, in order: a repeated heading gets `-1`, `-2`, … */
class Anchors {
  #used = new Map<string, number>();
  take(heading: string): string {
    const base = anchor(heading);
    const n = this.#used.get(base);
    this.#used.set(base, (n ?? -1) + 1);
    return n === undefined ? base : `${base}-${n + 1}`;
  }
}

/** Where each exported name is described: `page.md#anchor`; filled before any page is written. */
type Links = Map<string, Map<string, string>>;

function memberHeading(owner: ApiSymbol, member: ApiMember): string {
  if (member.kind === 'constructor') return `new ${owner.name}()`;
  const receiver = member.isStatic ? owner.name : owner.name[0]!.toLowerCase() + owner.name.slice(1);
  return `${receiver}.${member.name}${member.kind === 'method' ? '()' : ''}`;
}

/** The headings of a page, in order, with their anchors; the anchor of each symbol is recorded. */
function headings(module: ApiModule): { symbolAnchors: Map<string, string>; memberAnchors: Map<ApiMember, string> } {
  const anchors = new Anchors();
  for (const fixed of [module.entry.specifier, 'Contents', 'Reference']) anchors.take(fixed);
  const symbolAnchors = new Map<string, string>();
  const memberAnchors = new Map<ApiMember, string>();
  for (const symbol of module.symbols) {
    symbolAnchors.set(symbol.name, anchors.take(symbol.name));
    for (const m of symbol.members) if (m.inheritedFrom === null) memberAnchors.set(m, anchors.take(memberHeading(symbol, m)));
  }
  return { symbolAnchors, memberAnchors };
}

function linkTo(name: string, page: string, links: Links): string {
  const here = links.get(page)?.get(name);
  if (here) return `[${name}](#${here})`;
  for (const [other, anchors] of links) {
    const there = anchors.get(name);
    if (there) return `[${name}](${other}#${there})`;
  }
  return name;
}

function renderSymbol(symbol: ApiSymbol, page: string, links: Links): string[] {
  const out = [`### ${symbol.name}`, code(symbol.signatures), ...docBlock(symbol.doc, symbol.tags)];
  const inherited = new Map<string, string[]>();
  for (const m of symbol.members) {
    if (m.inheritedFrom !== null) inherited.set(m.inheritedFrom, [...(inherited.get(m.inheritedFrom) ?? []), m.name]);
  }
  for (const [from, names] of inherited) {
    out.push(`Inherited from ${linkTo(from, page, links)}: ${names.map((n) => `\`${n}\``).join(', ')}.`);
  }
  for (const member of symbol.members) {
    if (member.inheritedFrom !== null) continue;
    out.push(`#### ${memberHeading(symbol, member)}`, code(member.signatures), ...docBlock(member.doc, member.tags));
  }
  return out;
}

/** One page of the reference. */
export function renderModule(module: ApiModule, links: Links, all: ApiModule[] = [module]): string {
  const { entry, doc, symbols } = module;
  const page = `${entry.docName}.md`;
  const here = links.get(page)!;
  const pages = all.map((m) => (m === module ? `**${m.entry.specifier}**` : `[${m.entry.specifier}](${m.entry.docName}.md)`));
  const out = [
    `# ${entry.specifier}`,
    `<!-- Generated by \`npm run docs\` (scripts/api-docs.ts) from the doc comments in src/. Do not edit. -->`,
    `API reference: ${pages.join(' · ')} · [about](../README.md)`,
    ...moduleDoc(doc),
    '## Contents',
    [
      '| name | kind | summary |',
      '|---|---|---|',
      ...symbols.map((s) => `| [${s.name}](#${here.get(s.name)}) | ${KIND_TITLE[s.kind]} | ${firstSentence(s.doc)} |`),
    ].join('\n'),
    '## Reference',
  ];
  for (const symbol of symbols) out.push(...renderSymbol(symbol, page, links));
  return out.join('\n\n') + '\n';
}

/** Every page, by file name. */
export function renderAll(api: ApiModule[] = collectApi()): Map<string, string> {
  const links: Links = new Map(api.map((m) => [`${m.entry.docName}.md`, headings(m).symbolAnchors]));
  return new Map(api.map((m) => [`${m.entry.docName}.md`, renderModule(m, links, api)]));
}

/** Pages that differ from what is checked in, and checked-in pages no entry point produces. */
export function stalePages(pages: Map<string, string>): string[] {
  const stale: string[] = [];
  for (const [name, text] of pages) {
    const path = join(API_DIR, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(`docs/api/${name}`);
  }
  if (existsSync(API_DIR)) {
    for (const name of readdirSync(API_DIR)) if (!pages.has(name)) stale.push(`docs/api/${name} (no such entry point)`);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pages = renderAll();
  if (process.argv.includes('--check')) {
    const stale = stalePages(pages);
    if (stale.length > 0) {
      console.error(`API reference not current (run npm run docs):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
  } else {
    mkdirSync(API_DIR, { recursive: true });
    for (const name of readdirSync(API_DIR)) if (!pages.has(name)) rmSync(join(API_DIR, name));
    for (const [name, text] of pages) writeFileSync(join(API_DIR, name), text);
    console.log(`wrote ${[...pages.keys()].map((n) => `docs/api/${n}`).join(', ')}`);
  }
}


