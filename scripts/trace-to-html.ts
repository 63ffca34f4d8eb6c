/**
 * Docs tool (not shipped): renders a trace file written by `run(main, { trace })` as an HTML
 * page holding an SVG timeline, one row per track (task), for the README's screenshot —
 * Perfetto needs the network and chrome://tracing does not run headless.
 *
 *   node --import tsx scripts/trace-to-html.ts trace.json trace.html [title]
 *   chromium --headless --no-sandbox --disable-gpu --screenshot=docs/images/trace.png \
 *     --window-size=1200,500 file://$PWD/trace.html
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: number;
  args?: Record<string, unknown>;
}

interface Row {
  label: string;
  slices: TraceEvent[];
  instants: TraceEvent[];
}

const WIDTH = 1180;
const LABEL = 130;
const ROW = 44;
const TOP = 50;
const COLORS: Record<string, string> = { task: '#dbe7f3', await: '#9ec5e8', step: '#1f5f99', job: '#e3a857' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rows in track order (thread_sort_index), then one for executor jobs if any. */
function rows(events: TraceEvent[]): Row[] {
  const names = new Map<number, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, String(e.args?.['name']));
  const byTid = new Map<number, Row>();
  for (const [tid, label] of [...names].sort((a, b) => a[0] - b[0])) byTid.set(tid, { label, slices: [], instants: [] });
  for (const e of events) {
    const row = byTid.get(e.tid);
    if (row === undefined) continue;
    if (e.ph === 'X') row.slices.push(e);
    else if (e.ph === 'i') row.instants.push(e);
  }
  const jobs: Row = { label: 'executor jobs', slices: [], instants: [] };
  const begins = new Map<number, TraceEvent>();
  for (const e of events) {
    if (e.ph === 'b') begins.set(e.id!, e);
    else if (e.ph === 'e' && begins.has(e.id!)) {
      const b = begins.get(e.id!)!;
      jobs.slices.push({ ...b, ph: 'X', cat: 'job', dur: e.ts - b.ts });
    }
  }
  return jobs.slices.length > 0 ? [...byTid.values(), jobs] : [...byTid.values()];
}

function render(events: TraceEvent[], title: string): string {
  const all = rows(events);
  const timed = events.filter((e) => e.ph !== 'M');
  const start = Math.min(...timed.map((e) => e.ts));
  const end = Math.max(...timed.map((e) => e.ts + (e.dur ?? 0)));
  const span = Math.max(end - start, 1);
  const x = (ts: number): number => LABEL + ((ts - start) / span) * (WIDTH - LABEL - 50);
  const height = TOP + all.length * ROW + 40;
  const parts: string[] = [];
  // Time axis: about 6 ticks on round milliseconds.
  const ms = span / 1000;
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((s) => ms / s <= 6) ?? 10000;
  for (let t = 0; t <= ms + 1e-9; t += step) {
    const px = x(start + t * 1000);
    parts.push(`<line x1="${px}" y1="${TOP - 8}" x2="${px}" y2="${height - 30}" stroke="#ddd"/>`);
    parts.push(`<text x="${px}" y="${TOP - 14}" class="tick">${t} ms</text>`);
  }
  all.forEach((row, i) => {
    const y = TOP + i * ROW;
    parts.push(`<text x="8" y="${y + ROW / 2 + 4}" class="label">${escape(row.label)}</text>`);
    const order = ['task', 'job', 'await', 'step'];
    for (const s of [...row.slices].sort((a, b) => order.indexOf(a.cat ?? '') - order.indexOf(b.cat ?? ''))) {
      const cat = s.cat ?? 'task';
      const inset = cat === 'task' || cat === 'job' ? 4 : cat === 'await' ? 12 : 10;
      const x0 = x(s.ts);
      const w = Math.max(x(s.ts + (s.dur ?? 0)) - x0, cat === 'step' ? 2 : 1);
      const tip = `${s.name} (${((s.dur ?? 0) / 1000).toFixed(3)} ms)${s.args ? ' ' + JSON.stringify(s.args) : ''}`;
      parts.push(`<rect x="${x0}" y="${y + inset}" width="${w}" height="${ROW - 2 * inset}" fill="${COLORS[cat] ?? '#ccc'}" rx="2"><title>${escape(tip)}</title></rect>`);
      if (cat === 'await' || cat === 'job') {
        if (w > s.name.length * 6.5 + 8) parts.push(`<text x="${x0 + 5}" y="${y + ROW / 2 + 4}" class="slice">${escape(s.name)}</text>`);
      }
    }
    for (const e of row.instants) {
      const px = x(e.ts);
      const color = e.name === 'timeout' ? '#c62828' : e.name === 'cancel' ? '#ef6c00' : '#6a1b9a';
      parts.push(`<path d="M${px - 5} ${y + 2} L${px + 5} ${y + 2} L${px} ${y + 10} Z" fill="${color}"><title>${escape(`${e.name} ${JSON.stringify(e.args ?? {})}`)}</title></path>`);
      parts.push(`<text x="${px + 6}" y="${y + 10}" class="instant" fill="${color}">${escape(e.name)}</text>`);
    }
  });
  const present = new Set(all.flatMap((row) => row.slices.map((s) => s.cat)));
  const legend = [['task', 'lifetime'], ['await', 'awaiting'], ['step', 'step (running)'], ['job', 'executor job']]
    .filter(([cat]) => present.has(cat))
    .map(([cat, text], i) => `<rect x="${LABEL + i * 150}" y="${height - 22}" width="14" height="10" fill="${COLORS[cat!]}"/><text x="${LABEL + i * 150 + 20}" y="${height - 13}" class="tick">${text}</text>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>
body { margin: 0; font-family: sans-serif; background: #fff; }
h1 { font-size: 15px; margin: 8px 10px 0; color: #333; }
.label { font-size: 13px; fill: #222; } .tick { font-size: 11px; fill: #666; }
.slice { font-size: 11px; fill: #0d2a45; } .instant { font-size: 11px; font-weight: bold; }
</style></head><body><h1>${escape(title)}</h1>
<svg width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('\n')}${legend}</svg></body></html>\n`;
}

const [input, output, title] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error('usage: node --import tsx scripts/trace-to-html.ts trace.json trace.html [title]');
  process.exit(2);
}
const { traceEvents } = JSON.parse(readFileSync(input, 'utf8')) as { traceEvents: TraceEvent[] };
writeFileSync(output, render(traceEvents, title ?? input));
