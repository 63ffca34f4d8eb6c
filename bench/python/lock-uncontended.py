"""lock-uncontended: one task, N acquire+release of a free asyncio.Lock."""
import asyncio

from child import run_child, verify


async def main(rnd):
    lock = asyncio.Lock()
    acquired = 0
    for _ in range(rnd.n):
        if await lock.acquire() is True:
            acquired += 1
        lock.release()
    verify(not lock.locked(), "lock still held at the end")
    return acquired


run_child(lambda n: n, main)
