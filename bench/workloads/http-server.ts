// http-server: N requests at concurrency 64 (undici request() through 64 connections, the load
// generator) against a server in another process: aio's serve() (generator or async handler)
// or a bare node:http handler. Verified: every response is 200 with the body "ok".
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { Unavailable } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const CONCURRENCY = 64;
const TARGET = fileURLToPath(new URL('../lib/http-server-target.ts', import.meta.url));
const PY_TARGET = fileURLToPath(new URL('../python/http-server-target.py', import.meta.url));

/** A python3 that has aiohttp: Debian's own (python3-aiohttp) first, else the one on PATH. */
function pythonWithAiohttp(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import aiohttp'], { stdio: 'ignore' });
    if (probe.error === undefined && probe.status === 0) return python;
  }
  return null;
}

function startTarget(system: string): Promise<string> {
  let command: [string, string[]] = [process.execPath, ['--import', 'tsx', TARGET, '--system', system]];
  if (system === 'aiohttp') {
    const python = pythonWithAiohttp();
    if (python === null) throw new Unavailable('aiohttp is not installed (Debian: python3-aiohttp)');
    command = [python, ['-B', PY_TARGET]];
  }
  const child = spawn(command[0], command[1], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', (line: string) => {
      // Listening: from now on the server must not keep this process alive.
      child.unref();
      (child.stdout as unknown as { unref(): void }).unref();
      (child.stdin as unknown as { unref(): void }).unref();
      const match = /^PORT (\d+)/.exec(line);
      if (match === null) reject(new Error(`server said ${JSON.stringify(line)}`));
      else resolve(`http://127.0.0.1:${match[1]}/`);
    });
    child.once('error', reject);
  });
}

const system = process.argv[process.argv.indexOf('--system') + 1]!;
let url = '';
let unavailable: Unavailable | null = null;
try {
  url = await startTarget(system);
} catch (error) {
  if (!(error instanceof Unavailable)) throw error;
  unavailable = error; // reported by the round, as the harness expects
}

async function load({ n }: { n: number }): Promise<number> {
  if (unavailable !== null) throw unavailable;
  const agent = new Agent({ connections: CONCURRENCY });
  let next = 0;
  let ok = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const response = await request(url, { dispatcher: agent });
      const text = await response.body.text();
      verify(response.statusCode === 200 && text === 'ok', `response ${response.statusCode} ${JSON.stringify(text)}`);
      ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await agent.close();
  return ok;
}

await runChild({
  expected: (n) => n,
  systems: { 'aio-gen': load, 'aio-async': load, 'node-http': load, aiohttp: load },
});
