import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, CancelledError, type Coro } from '../../src/index.ts';
import { ClientSession, ClientResponseError, retry } from '../../src/http/index.ts';
import { startServer, type TestServer } from './helpers.ts';

describe('retry()', () => {
  let server: TestServer;
  let failuresLeft = 0;
  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/flaky' && failuresLeft > 0) {
        failuresLeft--;
        res.statusCode = 503;
        res.end('busy');
      } else if (req.url === '/missing') {
        res.statusCode = 404;
        res.end('no');
      } else {
        res.end('ok');
      }
    });
  });
  after(() => server.close());

  test('retries transient failures (503 with raiseForStatus) until one succeeds: generator fn', async () => {
    failuresLeft = 2;
    const result = await run(function* () {
      const session = new ClientSession({ baseUrl: server.url, raiseForStatus: true });
      const attempts: number[] = [];
      try {
        const text = yield* retry(
          function* (attempt): Coro<string> {
            attempts.push(attempt);
            return yield* (yield* session.get('/flaky')).text();
          },
          { attempts: 5, backoff: 1 },
        );
        return { text, attempts };
      } finally {
        yield* session.close();
      }
    });
    assert.deepEqual(result, { text: 'ok', attempts: [1, 2, 3] });
  });

  test('gives up after `attempts` and throws the last error; does not retry what retryOn rejects (async fn)', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url, raiseForStatus: true });
      failuresLeft = 10;
      let calls = 0;
      await assert.rejects(
        async () => retry(async () => { calls++; return (await session.get('/flaky')).text(); }, { attempts: 3, backoff: 1 }),
        (e: unknown) => e instanceof ClientResponseError && e.status === 503,
      );
      assert.equal(calls, 3);
      calls = 0;
      await assert.rejects(
        async () => retry(async () => { calls++; return (await session.get('/missing')).text(); }, { attempts: 3, backoff: 1 }),
        (e: unknown) => e instanceof ClientResponseError && e.status === 404,
      );
      assert.equal(calls, 1, 'a 404 is not transient');
      calls = 0;
      await assert.rejects(
        async () => retry(async () => { calls++; throw new Error('mine'); }, { attempts: 4, backoff: 0, retryOn: (e) => (e as Error).message === 'mine' }),
        /mine/,
      );
      assert.equal(calls, 4);
    });
  });

  test('never retries after a cancellation, also while waiting between attempts', async () => {
    await run(function* () {
      let calls = 0;
      const task = createTask(function* () {
        return yield* retry(
          function* (): Coro<never> {
            calls++;
            yield* sleep(0);
            throw new ClientResponseError({ method: 'GET', url: new URL('http://x/'), headers: new Headers() }, { status: 503, message: 'busy' });
          },
          { attempts: 10, backoff: 60_000, jitter: false },
        );
      });
      while (calls < 1) yield* sleep(1);
      yield* sleep(5); // now in the 60 s wait
      task.cancel();
      try {
        yield* task;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(calls, 1);

      let inner = 0;
      const running = createTask(async () =>
        retry(async () => {
          inner++;
          await sleep(60_000);
        }, { attempts: 5, backoff: 0, retryOn: () => true }),
      );
      while (inner < 1) yield* sleep(1);
      running.cancel();
      const outcome = yield* createTask(function* () {
        try {
          yield* running;
          return 'finished';
        } catch (error) {
          return (error as Error).name;
        }
      });
      assert.equal(outcome, 'CancelledError');
      assert.equal(inner, 1, 'retryOn: () => true still does not retry a cancellation');
    });
  });

  test('options are validated', () => {
    assert.throws(() => retry(() => 1, { attempts: 0 }), /retry\(\) expects attempts to be an integer >= 1, got number 0/);
    assert.throws(() => retry(() => 1, { backoff: -1 }), /expects backoff to be a number of milliseconds >= 0/);
    assert.throws(() => retry('x' as never), /expects fn to be a generator function or an async function/);
  });
});
