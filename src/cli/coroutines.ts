import type { Session } from './inspector-client.js';
import type { Snapshot, TaskSnapshot } from '../introspect.js';

/** At most this many tasks get their coroutine looked up (a few protocol calls each). */
const MAX_LOOKUPS = 2000;

interface Internal {
  name: string;
  value?: { description?: string; value?: { scriptId: string; lineNumber: number; columnNumber: number } };
}

/**
 * Outside debug mode a task's stack is unknown to aio itself; the inspector sees a little of
 * it: a generator object's function and where it is suspended (V8's internal properties
 * `[[GeneratorFunction]]` and `[[GeneratorLocation]]`), an async function's name and where it
 * is defined. Fills the stack of each task that has none with that one frame, the outermost
 * coroutine. Scripts are named through `Debugger.enable` (its `scriptParsed` events), switched
 * off again at once.
 */
export async function addOutermostCoroutines(session: Session, snapshot: Snapshot): Promise<void> {
  const tasks = snapshot.loops.flatMap((loop) => loop.tasks).filter((task) => task.stack.length === 0).slice(0, MAX_LOOKUPS);
  if (tasks.length === 0) return;
  const group = { objectGroup: 'aio-ps' };
  try {
    const table = await session.call('Runtime.evaluate', {
      expression: `globalThis[Symbol.for('aio.introspect')].coroutines?.()`,
      ...group,
    });
    const tableId: string | undefined = table.result?.objectId;
    if (tableId === undefined) return;
    const entries = (await session.call('Runtime.getProperties', { objectId: tableId, ownProperties: true })).result as {
      name: string;
      value?: { objectId?: string; description?: string; type: string };
    }[];
    const byId = new Map(entries.map((e) => [Number(e.name), e.value]));
    const found = await Promise.all(tasks.map((task) => lookUp(session, task, byId.get(task.id))));
    const scripts = found.some((f) => f !== null && f.scriptId !== '') ? await scriptUrls(session) : new Map<string, { url: string; mapped: boolean }>();
    for (const f of found) {
      if (f === null) continue;
      const script = scripts.get(f.scriptId);
      // Positions in a compiled script (tsx, a bundler) are not the source's: the file only.
      const exact = script !== undefined && !script.mapped;
      f.task.stack = [{ functionName: f.name, file: script?.url ?? '', line: exact ? f.line : 0, column: exact ? f.column : 0 }];
    }
  } finally {
    await session.call('Runtime.releaseObjectGroup', group).catch(() => {});
  }
}

interface Found {
  task: TaskSnapshot;
  name: string;
  scriptId: string;
  line: number;
  column: number;
}

async function lookUp(
  session: Session,
  task: TaskSnapshot,
  coro: { objectId?: string; description?: string; type: string } | undefined,
): Promise<Found | null> {
  if (coro?.objectId === undefined) return null;
  const answer = await session.call('Runtime.getProperties', { objectId: coro.objectId, ownProperties: true });
  const internal = (answer.internalProperties ?? []) as Internal[];
  const get = (name: string): Internal['value'] => internal.find((p) => p.name === name)?.value;
  const isFunction = coro.type === 'function';
  const source = isFunction ? coro.description : get('[[GeneratorFunction]]')?.description;
  const location = get(isFunction ? '[[FunctionLocation]]' : '[[GeneratorLocation]]')?.value;
  if (source === undefined) return null;
  return {
    task,
    name: functionName(source),
    scriptId: location?.scriptId ?? '',
    line: (location?.lineNumber ?? -1) + 1,
    column: (location?.columnNumber ?? -1) + 1,
  };
}

/** The name in a function's source text (`function* crawl(`, `async fetch(`, `*[name](`…), or `<anonymous>`. */
export function functionName(source: string): string {
  const m = /^\s*(async\s+)?(?:function\s*\*?\s*([\w$]+)|\*?\s*([\w$]+)\s*\()/.exec(source);
  let name = m?.[2] ?? m?.[3];
  if (name === 'async' || name === 'function') name = undefined; // `async () =>`, `function* (`
  return `${m?.[1] !== undefined ? 'async ' : ''}${name ?? '<anonymous>'}`;
}

/** scriptId → path (or URL) of every script of the target, and whether it has a source map (the events `Debugger.enable` sends first). */
async function scriptUrls(session: Session): Promise<Map<string, { url: string; mapped: boolean }>> {
  const urls = new Map<string, { url: string; mapped: boolean }>();
  session.onEvent = (method, params: { scriptId: string; url: string; sourceMapURL?: string }) => {
    if (method !== 'Debugger.scriptParsed' || !params.url) return;
    urls.set(params.scriptId, { url: params.url.replace(/^file:\/\//, ''), mapped: Boolean(params.sourceMapURL) });
  };
  try {
    await session.call('Debugger.enable', {});
    await session.call('Debugger.disable', {});
  } finally {
    session.onEvent = null;
  }
  return urls;
}
