"""spawn-gather: N tasks, each awaits asyncio.sleep(0) once and returns its index; gathered."""
import asyncio

from child import run_child, verify


async def job(i):
    await asyncio.sleep(0)
    return i


async def main(rnd):
    tasks = [asyncio.create_task(job(i)) for i in range(rnd.n)]
    results = await asyncio.gather(*tasks)
    verify(len(results) == rnd.n, f"gathered {len(results)} results")
    return sum(results)


run_child(lambda n: n * (n - 1) // 2, main)
