"""fanout-semaphore: N jobs under asyncio.Semaphore(64), each awaits asyncio.sleep(0)."""
import asyncio

from child import run_child, verify

LIMIT = 64


async def main(rnd):
    sem = asyncio.Semaphore(LIMIT)
    running = 0
    peak = 0

    async def job(i):
        nonlocal running, peak
        async with sem:
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0)
            running -= 1
            return i

    tasks = [asyncio.create_task(job(i)) for i in range(rnd.n)]
    total = sum(await asyncio.gather(*tasks))
    verify(peak <= LIMIT, f"{peak} jobs ran at once (limit {LIMIT})")
    return total


run_child(lambda n: n * (n - 1) // 2, main)
