import type { Snapshot, TaskSnapshot } from '../introspect.js';

/** `aio ps`: one row per pending task of each loop. */
export function formatPs(snapshot: Snapshot): string {
  const lines = [header(snapshot)];
  for (const loop of snapshot.loops) {
    const byId = new Map(loop.tasks.map((t) => [t.id, t]));
    const rows = loop.tasks.map((t) => [
      String(t.id),
      t.name,
      state(t),
      t.awaitedBy.map((a) => `${a.id} ${byId.get(a.id)?.name ?? '?'}${via(a.via)}`).join(', ') || '-',
      coroutines(t) || '-',
    ]);
    lines.push(`${loop.tasks.length} pending task${loop.tasks.length === 1 ? '' : 's'}${loop.debug ? '' : noStacks(loop.tasks)}:`);
    lines.push(...table([['ID', 'NAME', 'STATE', 'AWAITED BY', 'COROUTINE STACK'], ...rows]));
  }
  return lines.join('\n');
}

/** `aio pstree`: the tasks as a tree, each under the tasks that await it (roots: awaited by none). */
export function formatPstree(snapshot: Snapshot): string {
  const lines = [header(snapshot)];
  for (const loop of snapshot.loops) {
    const children = new Map<number, { task: TaskSnapshot; via: string[] }[]>();
    for (const task of loop.tasks) {
      for (const a of task.awaitedBy) {
        const list = children.get(a.id) ?? [];
        list.push({ task, via: a.via });
        children.set(a.id, list);
      }
    }
    const shown = new Set<number>();
    const walk = (task: TaskSnapshot, via: string[], prefix: string, last: boolean, path: Set<number>): void => {
      shown.add(task.id);
      const stack = coroutines(task);
      lines.push(`${prefix}${last ? '└── ' : '├── '}${describe(task)}${via.length > 0 ? ` (via ${via.join(' → ')})` : ''}${stack ? ` in ${stack}` : ''}`);
      const below = (children.get(task.id) ?? []).filter((c) => !path.has(c.task.id));
      below.forEach((c, i) => walk(c.task, c.via, prefix + (last ? '    ' : '│   '), i === below.length - 1, new Set([...path, c.task.id])));
    };
    const roots = loop.tasks.filter((t) => t.awaitedBy.length === 0);
    roots.forEach((t, i) => walk(t, [], '', i === roots.length - 1, new Set([t.id])));
    // Tasks only in cycles of awaiting (none is a root): shown from the first one met.
    for (const t of loop.tasks) if (!shown.has(t.id)) walk(t, [], '', true, new Set([t.id]));
  }
  return lines.join('\n');
}

function header(snapshot: Snapshot): string {
  const script = snapshot.argv[1] ?? '';
  const loops = snapshot.loops.length === 0 ? ': no aio loop is running' : '';
  return `process ${snapshot.pid}${script ? ` (${script})` : ''}${loops}`;
}

function describe(task: TaskSnapshot): string {
  return `(T) ${task.name} [${task.id}] ${state(task)}`;
}

function state(task: TaskSnapshot): string {
  const waits = task.waitsOn === 'ready' ? 'ready to run' : task.waitsOn === 'async code outside aio' ? 'running async code outside aio' : `waiting on ${task.waitsOn}`;
  return task.cancelling > 0 ? `${waits} (cancelling ×${task.cancelling})` : waits;
}

function via(path: string[]): string {
  return path.length > 0 ? ` (via ${path.join(' → ')})` : '';
}

/** Coroutine functions, outermost first: `main > fetch > read (file:line)`. */
function coroutines(task: TaskSnapshot): string {
  const frames = task.stack;
  if (frames.length === 0) return '';
  const inner = frames[frames.length - 1]!;
  const where = inner.file ? ` (${inner.file.replace(/^file:\/\//, '')}${inner.line > 0 ? `:${inner.line}` : ''})` : '';
  return frames.map((f) => f.functionName).join(' > ') + where;
}

function noStacks(tasks: TaskSnapshot[]): string {
  return tasks.length > 0 ? ' (outermost coroutines only: whole stacks are recorded in debug mode, AIO_DEBUG=1)' : '';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
