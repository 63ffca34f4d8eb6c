/**
 * A minimal client of Node's inspector protocol for the `aio` command: wakes the inspector of
 * a process (SIGUSR1, through `process._debugProcess`, which works on every platform), finds
 * its WebSocket (`/json/list`) and sends protocol calls over it.
 */

/** An error whose message is meant for the command's user as it is. */
export class CliError extends Error {
  override name = 'CliError';
}

/** What the command needs of a WebSocket (the global one of Node 22+, or undici's on Node 20). */
interface Socket {
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

type SocketClass = new (url: string) => Socket;

async function webSocketClass(): Promise<SocketClass> {
  const global = (globalThis as { WebSocket?: SocketClass }).WebSocket;
  if (global !== undefined) return global;
  // Node 20 has no global WebSocket without a flag; undici (a dependency of aio-ts/http) has one.
  const undici = (await import('undici')) as unknown as { WebSocket: SocketClass };
  return undici.WebSocket;
}

/** Throws a CliError unless a process `pid` exists (and may be signalled by this user). */
export function checkProcess(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new CliError(`no process with pid ${pid}`);
    if (code === 'EPERM') throw new CliError(`process ${pid} belongs to another user: run aio as that user`);
    throw error;
  }
}

/** One inspector target as `/json/list` describes it. */
interface Target {
  webSocketDebuggerUrl?: string;
  url?: string;
}

/** The targets listed at host:port, or null when nothing answers there. */
export async function listTargets(host: string, port: number): Promise<Target[] | null> {
  try {
    const response = await fetch(`http://${host}:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
    return (await response.json()) as Target[];
  } catch {
    return null;
  }
}

/** Opens the inspector of `pid` (SIGUSR1) and waits until host:port lists a target. */
export async function openInspector(pid: number, host: string, port: number, waitMs: number): Promise<Target[]> {
  (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const targets = await listTargets(host, port);
    if (targets !== null && targets.length > 0) return targets;
    if (Date.now() > deadline) {
      throw new CliError(
        `the inspector of process ${pid} did not open at ${host}:${port}: the port may be taken by another ` +
          `process (the target then prints "address already in use"), or the target was started with ` +
          `--inspect-port=N (pass --port N)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A connection to one inspector target. */
export class Session {
  #socket: Socket;
  #nextId = 0;
  #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** Called with each protocol event (a message without an id). */
  onEvent: ((method: string, params: any) => void) | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.onmessage = (event) => this.#receive(String(event.data));
    socket.onclose = () => {
      for (const { reject } of this.#pending.values()) reject(new CliError('the target closed the inspector connection'));
      this.#pending.clear();
    };
  }

  static async connect(url: string): Promise<Session> {
    const WebSocket = await webSocketClass();
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new CliError(`could not connect to the inspector at ${url}`));
    });
    socket.onerror = null;
    return new Session(socket);
  }

  /** Sends one protocol call; resolves with its result. */
  call(method: string, params: object = {}): Promise<any> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates `expression` in the target and returns its value (JSON-able). */
  async evaluate(expression: string): Promise<unknown> {
    const answer = await this.call('Runtime.evaluate', { expression, returnByValue: true });
    if (answer.exceptionDetails !== undefined) {
      throw new CliError(`evaluation failed in the target: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`);
    }
    return answer.result.value;
  }

  close(): void {
    this.#socket.close();
  }

  #receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
    if (message.id === undefined) {
      if (message.method !== undefined) this.onEvent?.(message.method, message.params);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (message.error !== undefined) pending.reject(new CliError(`inspector error: ${message.error.message}`));
    else pending.resolve(message.result);
  }
}
