// http-client: N GETs at concurrency 64 against a local node:http server (another process):
// 64 workers, each sending its next request once its last response body was read.
// Verified: every response is 200 with the body "ok" (the result is the number of them).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { Unavailable } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const CONCURRENCY = 64;
const TARGET = fileURLToPath(new URL('../lib/http-target.mjs', import.meta.url));

/** Starts the target server; it exits when this process does (its stdin closes). */
function startTarget(): Promise<string> {
  const child = spawn(process.execPath, [TARGET], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', (line: string) => {
      // Listening: from now on the server must not keep this process alive.
      child.unref();
      (child.stdout as unknown as { unref(): void }).unref();
      (child.stdin as unknown as { unref(): void }).unref();
      const match = /^PORT (\d+)/.exec(line);
      if (match === null) reject(new Error(`http-target said ${JSON.stringify(line)}`));
      else resolve(`http://127.0.0.1:${match[1]}/`);
    });
    child.once('error', reject);
  });
}

const url = await startTarget();

/** The promise-based shape: 64 async workers pulling request numbers until N. */
async function workers(n: number, one: () => Promise<string>): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const body = await one();
      verify(body === 'ok', `body ${JSON.stringify(body)}`);
      ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ok;
}

// Loaded at run time, like loadAio: a missing module makes the aio rows "unavailable".
async function loadHttp(): Promise<typeof import('../../src/http/index.ts') & typeof import('../../src/index.ts')> {
  try {
    const core = await import('../../src/index.ts');
    const http = await import('../../src/http/index.ts');
    return { ...core, ...http };
  } catch (err) {
    throw new Unavailable(`cannot import src/http/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

await runChild({
  expected: (n) => n,
  systems: {
    'aio-gen': async ({ n }) => {
      const { run, gather, ClientSession } = await loadHttp();
      return run(function* () {
        const session = new ClientSession({ limit: CONCURRENCY });
        let next = 0;
        let ok = 0;
        function* worker() {
          while (next < n) {
            next++;
            const response = yield* session.get(url);
            verify(response.status === 200 && (yield* response.text()) === 'ok', 'response');
            ok++;
          }
        }
        yield* gather(...Array.from({ length: CONCURRENCY }, worker));
        yield* session.close();
        return ok;
      });
    },

    'aio-async': async ({ n }) => {
      const { run, ClientSession } = await loadHttp();
      return run(async () => {
        const session = new ClientSession({ limit: CONCURRENCY });
        const ok = await workers(n, async () => (await session.get(url)).text());
        await session.close();
        return ok;
      });
    },

    'undici-request': async ({ n }) => {
      const agent = new Agent({ connections: CONCURRENCY });
      const ok = await workers(n, async () => (await undiciRequest(url, { dispatcher: agent })).body.text());
      await agent.close();
      return ok;
    },

    'undici-fetch': async ({ n }) => {
      const agent = new Agent({ connections: CONCURRENCY });
      const ok = await workers(n, async () => (await undiciFetch(url, { dispatcher: agent })).text());
      await agent.close();
      return ok;
    },
  },
});
