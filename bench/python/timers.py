"""timers: N tasks sleeping seeded random delays of 0-50 ms (same sequence as the Node side)."""
import asyncio
import time

from child import run_child
from prng import mulberry32

SEED = 5
MAX_DELAY_MS = 50


def delays(n):
    rand = mulberry32(SEED)
    return [int(rand() * (MAX_DELAY_MS + 1)) for _ in range(n)]


async def job(d):
    await asyncio.sleep(d / 1000)
    return d


async def main(rnd):
    ds = delays(rnd.n)
    rnd.start()
    t0 = time.perf_counter()
    total = sum(await asyncio.gather(*[asyncio.create_task(job(d)) for d in ds]))
    rnd.note("wall ms", round((time.perf_counter() - t0) * 1000, 1))
    rnd.note("max delay ms", max(ds))
    return total


run_child(lambda n: sum(delays(n)), main)
