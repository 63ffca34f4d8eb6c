import { addOutermostCoroutines } from './coroutines.js';
import { CliError, Session, checkProcess, listTargets, openInspector } from './inspector-client.js';
import { SNAPSHOT_VERSION, type Snapshot } from '../introspect.js';


/** Where the target's inspector listens, and how long to wait for it. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** How long the inspector may take to open after SIGUSR1. */
  waitMs: number;
  /** Outside debug mode, look up each task's outermost coroutine through the inspector. */
  coroutines: boolean;
}

/**
 * The expression evaluated in the target: aio's registered function called with `options`, or
 * null without aio (then, with `close`, the inspector is closed through
 * `process.getBuiltinModule` where Node has it).
 */
function expression(options: { close: boolean; snapshot: boolean }): string {
  return `(() => {
  const introspect = globalThis[Symbol.for('aio.introspect')];
  if (typeof introspect === 'function') return introspect(${JSON.stringify(options)});
  const inspector = ${options.close} && process.getBuiltinModule ? process.getBuiltinModule('node:inspector') : undefined;
  if (inspector !== undefined) setTimeout(() => inspector.close(), 200).unref();
  return null;
})()`;
}

/**
 * The task snapshot of process `pid`: opens its inspector if nothing listens at host:port yet
 * (and closes it after), checks that the inspector found is that process's, and calls the
 * function aio registered there.
 */
export async function readSnapshot(pid: number, options: ConnectOptions): Promise<Snapshot> {
  const { host, port, waitMs } = options;
  checkProcess(pid);
  const listed = await listTargets(host, port);
  const opened = listed === null;
  const targets = listed ?? (await openInspector(pid, host, port, waitMs));
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new CliError(`the inspector at ${host}:${port} lists no target (is a debugger attached already?)`);
  const session = await Session.connect(url);
  let answer: unknown;
  let snapshot: Snapshot | undefined;
  let ours = false;
  try {
    const remotePid = await session.evaluate('process.pid');
    if (remotePid !== pid) {
      throw new CliError(
        `${host}:${port} is taken by the inspector of process ${String(remotePid)}, not ${pid}: start the target ` +
          `with --inspect-port=N and pass --port N`,
      );
    }
    ours = true;
    answer = await session.evaluate(expression({ close: false, snapshot: true }));
    if (typeof answer === 'string') {
      snapshot = parse(pid, answer);
      if (options.coroutines && snapshot.loops.some((loop) => !loop.debug)) await addOutermostCoroutines(session, snapshot);
    }
  } finally {
    // The command opened the inspector: close it again (also after a failure, where possible).
    if (opened && ours) await session.evaluate(expression({ close: true, snapshot: false })).catch(() => {});
    session.close();
  }
  if (snapshot === undefined) {
    throw new CliError(`process ${pid} does not use aio: no aio-ts module is loaded in it (or one too old to be introspected)`);
  }
  return snapshot;
}

function parse(pid: number, text: string): Snapshot {
  const snapshot = JSON.parse(text) as Snapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new CliError(`process ${pid} runs another version of aio-ts (snapshot version ${snapshot.version}, this command reads ${SNAPSHOT_VERSION})`);
  }
  return snapshot;
}
