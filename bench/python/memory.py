"""memory: bytes per pending task (N tasks blocked on an asyncio.Event), by tracemalloc."""
import asyncio
import gc
import tracemalloc

from child import run_child


async def main(rnd):
    n = rnd.n
    ev = asyncio.Event()
    started = 0

    async def blocked():
        nonlocal started
        started += 1
        await ev.wait()
        return 1

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tasks = [asyncio.create_task(blocked()) for _ in range(n)]
    while started < n:
        await asyncio.sleep(0)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rnd.sample((after - before) / n)
    ev.set()
    return sum(await asyncio.gather(*tasks))


run_child(lambda n: n, main)
