/**
 * Pauses this process at its `debugger;` statements through the inspector protocol, as a
 * debugger would, and records what it shows at each pause: the call frames and the async stack
 * trace (V8's async stack tagging: `console.createTask`). A session on the main thread cannot
 * serve its own pause (the thread is stopped), so the session lives in a worker thread
 * (`connectToMainThread`) and resumes the main thread after each pause.
 */
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';

/** One frame: the function, and where it is in the code V8 runs (file URL or path, 1-based line and column). */
export interface PausedFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

/** One async boundary of the async stack trace: its description (a task name) and its frames. */
export interface AsyncSegment {
  description: string;
  frames: PausedFrame[];
}

/** What a debugger shows at a pause. */
export interface Pause {
  frames: PausedFrame[];
  async: AsyncSegment[];
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
const inspector = require('node:inspector');
const session = new inspector.Session();
session.connectToMainThread();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
const urls = new Map();
session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url));
const frame = (f) => {
  const at = f.location ?? f;
  return { functionName: f.functionName, url: f.url || urls.get(at.scriptId) || '', line: at.lineNumber + 1, column: at.columnNumber + 1 };
};
const pauses = [];
session.on('Debugger.paused', ({ params }) => {
  const segments = [];
  for (let s = params.asyncStackTrace; s; s = s.parent) segments.push({ description: s.description ?? '', frames: s.callFrames.map(frame) });
  pauses.push({ frames: params.callFrames.map(frame), async: segments });
  session.post('Debugger.resume');
});
parentPort.on('message', (m) => {
  if (m === 'done') { session.disconnect(); parentPort.postMessage(pauses); }
});
post('Debugger.enable')
  .then(() => post('Debugger.setAsyncCallStackDepth', { maxDepth: 64 }))
  .then(() => parentPort.postMessage('ready'));
`;

/** Runs `body` with a debugger attached; returns the pauses its `debugger;` statements made. */
export async function recordPauses(body: () => Promise<unknown>): Promise<Pause[]> {
  const worker = new Worker(WORKER, { eval: true });
  try {
    await once(worker, 'message'); // 'ready'
    await body();
    worker.postMessage('done');
    const [pauses] = (await once(worker, 'message')) as [Pause[]];
    return pauses;
  } finally {
    await worker.terminate();
  }
}
