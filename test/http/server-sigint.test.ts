import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { runChild } from '../helpers/child.ts';

test('SIGINT during run() closes the server: the request in flight is cancelled (its finally runs), the process exits', async () => {
  let sent = false;
  let signalled = false;
  let clientError = '';
  const result = await runChild(fileURLToPath(new URL('./fixtures/serve-sigint.ts', import.meta.url)), {
    timeoutMs: 60_000,
    onStdout: (chunk, child) => {
      const ready = /READY (\S+)/.exec(chunk);
      if (ready !== null && !sent) {
        sent = true;
        http.get(`${ready[1]}/slow`).on('error', (error) => (clientError = error.message));
      }
      if (chunk.includes('REQUEST /slow') && !signalled) {
        signalled = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.equal(result.timedOut, false, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(1), ['REQUEST /slow', 'HANDLER FINALLY', 'RUN ENDED KeyboardInterrupt', 'CLOSING true']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(clientError, /socket hang up|ECONNRESET/);
});
