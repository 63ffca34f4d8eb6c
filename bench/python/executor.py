"""executor: N trivial jobs (x + 1) through loop.run_in_executor(None, ...), one at a time.

Timed from the end of a first job (the default thread pool has started) to the end of
the last; asyncio.run's shutdown of the default executor is not timed.
"""
import asyncio

from child import run_child


def inc(x):
    return x + 1


async def main(rnd):
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, inc, 0)
    rnd.start()
    total = 0
    for i in range(rnd.n):
        total += await loop.run_in_executor(None, inc, i)
    rnd.stop()
    return total


run_child(lambda n: n * (n + 1) // 2, main)
