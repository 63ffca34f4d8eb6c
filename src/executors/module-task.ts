import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe } from '../values.js';
import type { ModuleRef } from './job.js';

/** What each module task names: its function is only the handle. */
const refs = new WeakMap<Function, ModuleRef>();

/**
 * A function exported by a module file, as a job for an executor: `pool.submit(task, ...args)`
 * imports `module` in a worker and calls its export `name` with `args`, so the function can use the
 * imports and helpers of its module. Calling it directly does the same on the calling thread
 * (it then returns a Promise).
 */
export type ModuleTask<F extends (...args: any[]) => unknown> = ((...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>) & {
  /** The module's URL. */
  readonly module: string;
  /** The name of the export it calls. */
  readonly exportName: string;
};

/**
 * Names an exported function of a module file as a job: the worker imports the module (once
 * per worker) and calls the export, so, unlike a function submitted by value, it may use
 * everything its module imports. `module` is a `file:` URL or an absolute path; resolve a
 * sibling with `new URL('./jobs.js', import.meta.url)`. The arguments and result still cross
 * by structured clone.
 *
 * TypeScript files (`.ts`, `.mts`, `.cts`) load through tsx when tsx can be resolved from the
 * module's directory (in development under `tsx` or `node --import tsx`); without it they need
 * a Node that strips types. Ship the compiled `.js` file in production.
 *
 * @example
 * import { ThreadPoolExecutor, moduleTask } from 'aio-ts/executors';
 *
 * // jobs.js: export function fib(n) { … }; its type is given here (or `typeof import('./jobs.js').fib`)
 * const fib = moduleTask<(n: number) => number>(new URL('./jobs.js', import.meta.url), 'fib');
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit(fib, 30)); // 832040, computed by jobs.js's fib in a worker
 */
export function moduleTask<F extends (...args: any[]) => unknown>(module: URL | string, name = 'default'): ModuleTask<F> {
  const href = moduleHref(module);
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`moduleTask() expects the name of an exported function, such as 'fib' or 'default', got ${describe(name)}`);
  }
  const ref: ModuleRef = { module: href, name, tsx: /\.[cm]?tsx?$/.test(href) ? tsxApiFor(href) : null };
  const task = async (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> => {
    const namespace = (await import(href)) as Record<string, unknown>;
    const fn = namespace[name];
    if (typeof fn !== 'function') throw new TypeError(`moduleTask(): ${href} has no exported function named ${JSON.stringify(name)}`);
    return (await (fn as F)(...args)) as Awaited<ReturnType<F>>;
  };
  Object.defineProperty(task, 'name', { value: name });
  Object.defineProperties(task, { module: { value: href, enumerable: true }, exportName: { value: name, enumerable: true } });
  refs.set(task, ref);
  return task as ModuleTask<F>;
}

/** @internal The module and export of a module task, or undefined for any other value. */
export function moduleRefOf(value: unknown): ModuleRef | undefined {
  return typeof value === 'function' ? refs.get(value) : undefined;
}

function moduleHref(module: unknown): string {
  if (module instanceof URL) {
    if (module.protocol === 'file:' || module.protocol === 'data:') return module.href;
  } else if (typeof module === 'string') {
    if (path.isAbsolute(module)) return pathToFileURL(module).href;
    if (/^(file|data):/.test(module)) return new URL(module).href;
  }
  throw new TypeError(
    `moduleTask() expects a file: URL or an absolute path of the module, got ${describe(module)}: a relative path would be ` +
      "read from the worker's working directory; pass new URL('./jobs.js', import.meta.url)",
  );
}

/** tsx's ESM API as resolved from each directory (null: not installed there). */
const tsxApis = new Map<string, string | null>();

/**
 * The URL of tsx's `tsx/esm/api` as seen from the module's directory, or null. Node 20 runs
 * the process's `--import tsx` in the main thread only, so workers register tsx themselves.
 */
function tsxApiFor(href: string): string | null {
  if (!href.startsWith('file:')) return null;
  const dir = path.dirname(fileURLToPath(href));
  let api = tsxApis.get(dir);
  if (api !== undefined) return api;
  api = null;
  try {
    // require.resolve gives the CommonJS entry; its package.json names the ESM one.
    const entry = createRequire(path.join(dir, 'noop.js')).resolve('tsx/esm/api');
    for (let at = path.dirname(entry); at !== path.dirname(at); at = path.dirname(at)) {
      const manifest = path.join(at, 'package.json');
      let pkg: { name?: string; exports?: Record<string, { import?: string | { default?: string } }> };
      try {
        pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg;
      } catch {
        continue;
      }
      if (pkg.name !== 'tsx') continue;
      const target = pkg.exports?.['./esm/api']?.import;
      const file = typeof target === 'string' ? target : target?.default;
      if (file !== undefined) api = pathToFileURL(path.join(at, file)).href;
      break;
    }
  } catch {
    // not installed: the worker imports the file as it is
  }
  tsxApis.set(dir, api);
  return api;
}
