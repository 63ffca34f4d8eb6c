"""pool-throughput: N trivial jobs (x + 1) through run_in_executor on a ThreadPoolExecutor of
2 threads, 64 in flight (64 lanes, each awaiting its next job). The pool is warmed first.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from child import run_child


def inc(x):
    return x + 1


async def main(rnd):
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, inc, i) for i in range(16)))
        next_job = 0
        total = 0

        async def lane():
            nonlocal next_job, total
            while next_job < rnd.n:
                i = next_job
                next_job += 1
                value = await loop.run_in_executor(pool, inc, i)
                total += value

        rnd.start()
        await asyncio.gather(*(lane() for _ in range(min(64, rnd.n))))
        rnd.stop()
    return total


run_child(lambda n: n * (n + 1) // 2, main)
