import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, sleep } from '../../src/index.ts';
import { ClientSession, Response, serve, type ServerRequest } from '../../src/http/index.ts';

const MB = 1024 * 1024;
const TOTAL = 200 * MB;
const CHUNK = 64 * 1024;

/** `TOTAL` bytes in `CHUNK`-sized pieces (one buffer, sent again and again: no memory of its own). */
async function* source(total = TOTAL): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(CHUNK).fill(7);
  for (let sent = 0; sent < total; sent += CHUNK) yield chunk;
}

test('200 MB up and 200 MB down stream through client and server with bounded memory (backpressure)', async () => {
  let peak = 0;
  let baseline = Infinity;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const result = await run(async () => {
      await using server = await serve(
        async (request: ServerRequest) => {
          if (request.path === '/upload') {
            let received = 0;
            for await (const chunk of request.content) received += chunk.length;
            return Response.json({ received });
          }
          return Response.stream(source(), { headers: { 'content-type': 'application/octet-stream' } });
        },
        { port: 0 },
      );
      await using session = new ClientSession({ baseUrl: server.url, timeout: { total: null } });
      // A small round first, so that one-time allocations (code, pools) are not counted.
      await (await session.post('/upload', { data: source(4 * MB) })).json();
      await sleep(10);
      baseline = process.memoryUsage().rss;
      sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const upload = await (await session.post('/upload', { data: source() })).json<{ received: number }>();
      const download = await session.get('/download');
      let received = 0;
      for await (const chunk of download.content) received += chunk.length;
      peak = Math.max(peak, process.memoryUsage().rss);
      return { uploaded: upload.received, downloaded: received };
    });
    assert.deepEqual(result, { uploaded: TOTAL, downloaded: TOTAL });
  } finally {
    clearInterval(sampler);
  }
  const grew = (peak - baseline) / MB;
  if (process.env.SHOW_RSS) console.log(`RSS grew ${grew.toFixed(1)} MB`);
  // Buffering either body would take 200 MB or more; streaming stays within socket buffers and GC slack.
  assert.ok(grew < 150, `RSS grew by ${grew.toFixed(0)} MB while streaming 2 × 200 MB`);
});
