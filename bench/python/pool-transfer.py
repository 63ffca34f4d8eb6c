"""pool-transfer: N jobs each carrying a new 1 MB bytearray to a ThreadPoolExecutor of 2
threads, which answer its length; 64 in flight. Threads share memory: nothing is copied or
transferred, so this is CPython's floor for the workload.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from child import run_child

MB = 1 << 20


async def main(rnd):
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, len, bytearray(16)) for _ in range(8)))
        next_job = 0
        total = 0

        async def lane():
            nonlocal next_job, total
            while next_job < rnd.n:
                next_job += 1
                value = await loop.run_in_executor(pool, len, bytearray(MB))
                total += value

        rnd.start()
        await asyncio.gather(*(lane() for _ in range(min(64, rnd.n))))
        rnd.stop()
    return total


run_child(lambda n: n * MB, main)
