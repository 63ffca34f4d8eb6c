"""queue-pingpong: N items through asyncio.Queue(16) from one producer to one consumer."""
import asyncio

from child import run_child, verify

MAXSIZE = 16


async def main(rnd):
    n = rnd.n
    q = asyncio.Queue(MAXSIZE)

    async def producer():
        for i in range(n):
            await q.put(i)

    async def consumer():
        total = 0
        for _ in range(n):
            total += await q.get()
        return total

    _, total = await asyncio.gather(producer(), consumer())
    verify(q.qsize() == 0, f"queue left with {q.qsize()} items")
    return total


run_child(lambda n: n * (n - 1) // 2, main)
