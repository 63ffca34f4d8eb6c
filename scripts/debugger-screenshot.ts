/**
 * Makes docs/images/debugger.png: what a debugger shows when paused in a task, in debug mode.
 *
 * Runs scripts/debugger-demo.ts with a debugger attached through the inspector protocol
 * (test/helpers/inspector-pause.ts), takes the paused call frames and the async stack trace,
 * renders them as a page styled like a debugger's source and call-stack panes (frames of the
 * runtime and of Node collapsed, as Chrome DevTools does for ignore-listed code such as
 * node_modules), and screenshots it with headless Chromium.
 *
 *   node --import tsx scripts/debugger-screenshot.ts [out.png]   (needs chromium on the PATH or CHROMIUM=…)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordPauses, type PausedFrame } from '../test/helpers/inspector-pause.ts';
import { demo } from './debugger-demo.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs/images/debugger.png'));

/** A frame as shown: its function, file and line in the source (through the source map). */
interface Row {
  name: string;
  file: string;
  line: number;
  runtime: boolean;
}

function toRow(frame: PausedFrame): Row {
  let { url, line } = frame;
  const entry = (url.startsWith('file:') ? findSourceMap(url)?.findEntry(line - 1, frame.column - 1) : undefined) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    url = entry.originalSource;
    line = entry.originalLine + 1;
  }
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  const runtime = file === '' || file.startsWith('node:') || file.startsWith(path.join(ROOT, 'src') + path.sep) || file.includes('/test/helpers/');
  return { name: frame.functionName || '(anonymous)', file: path.relative(ROOT, file) || file, line, runtime };
}

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Call-stack rows; runs of runtime frames collapse into one grey line, as ignore-listed frames do. */
function frameRows(rows: Row[]): string {
  const out: string[] = [];
  for (let i = 0; i < rows.length; ) {
    if (rows[i]!.runtime) {
      let j = i;
      while (j < rows.length && rows[j]!.runtime) j++;
      out.push(`<div class="ignored">${j - i} ignore-listed frame${j - i === 1 ? '' : 's'} (aio-ts, node)</div>`);
      i = j;
      continue;
    }
    const row = rows[i]!;
    out.push(`<div class="frame${out.length === 0 ? ' top' : ''}"><span>${escape(row.name)}</span><span class="loc">${escape(path.basename(row.file))}:${row.line}</span></div>`);
    i++;
  }
  return out.join('\n');
}

function sourcePane(row: Row): string {
  const lines = readFileSync(path.join(ROOT, row.file), 'utf8').split('\n');
  const first = Math.max(1, row.line - 9);
  const shown = lines.slice(first - 1, row.line + 8);
  return shown
    .map((text, k) => {
      const n = first + k;
      return `<div class="src${n === row.line ? ' paused' : ''}"><span class="ln">${n}</span>${escape(text) || ' '}</div>`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const pauses = await recordPauses(demo);
  const pause = pauses[0];
  if (pause === undefined) throw new Error('the demo did not pause');
  const sync = pause.frames.map(toRow);
  const sections = [frameRows(sync)];
  for (const segment of pause.async) {
    sections.push(`<div class="async">${escape(segment.description)}</div>`, frameRows(segment.frames.map(toRow)));
  }
  const top = sync[0]!;
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; font: 12px system-ui, sans-serif; color: #202124; background: #fff; display: flex; height: 100vh; }
    .banner { background: #fffbe5; border-bottom: 1px solid #f0e2a8; padding: 5px 10px; color: #5c3c00; }
    .pause { display: inline-block; width: 3px; height: 9px; border: solid #5c3c00; border-width: 0 3px; margin-right: 7px; }
    .left { flex: 1; border-right: 1px solid #cbcdd1; overflow: hidden; }
    .right { width: 360px; overflow: hidden; }
    .tab { background: #f1f3f4; border-bottom: 1px solid #cbcdd1; padding: 6px 10px; font-weight: 500; }
    .src { font: 12px/18px ui-monospace, 'DejaVu Sans Mono', monospace; white-space: pre; }
    .src .ln { display: inline-block; width: 36px; padding-right: 10px; text-align: right; color: #80868b; }
    .paused { background: #e6f0ff; outline: 1px solid #a8c7fa; }
    .frame { display: flex; justify-content: space-between; padding: 3px 10px 3px 22px; }
    .frame.top { background: #e6f0ff; }
    .loc { color: #5f6368; }
    .ignored { color: #9aa0a6; padding: 2px 22px; font-style: italic; }
    .async { color: #5f6368; padding: 4px 10px; border-top: 1px solid #e0e0e0; margin-top: 2px; font-weight: 500; }
  </style>
  <div class="left"><div class="tab">${escape(top.file)}</div>${sourcePane(top)}</div>
  <div class="right"><div class="banner"><span class="pause"></span>Paused on debugger statement</div><div class="tab">Call Stack</div>${sections.join('\n')}</div>`;
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-debugger-'));
  try {
    const page = path.join(dir, 'page.html');
    writeFileSync(page, html);
    execFileSync(
      process.env.CHROMIUM ?? 'chromium',
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', `--user-data-dir=${path.join(dir, 'profile')}`, '--hide-scrollbars',
        `--screenshot=${OUT}`, '--window-size=900,600', pathToFileURL(page).href,
      ],
      { stdio: 'ignore', timeout: 120_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}

await main();
