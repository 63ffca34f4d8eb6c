"""lock-contention: N/100 tasks x 100 acquisitions of one asyncio.Lock, sleep(0) while holding."""
import asyncio

from child import run_child, verify

PER_TASK = 100


async def main(rnd):
    verify(rnd.n % PER_TASK == 0, f"n must be a multiple of {PER_TASK}")
    lock = asyncio.Lock()
    inside = False
    count = 0

    async def worker():
        nonlocal inside, count
        for _ in range(PER_TASK):
            async with lock:
                verify(not inside, "two tasks held the lock at once")
                inside = True
                await asyncio.sleep(0)
                inside = False
                count += 1

    tasks = [asyncio.create_task(worker()) for _ in range(rnd.n // PER_TASK)]
    await asyncio.gather(*tasks)
    verify(not lock.locked(), "lock still held at the end")
    return count


run_child(lambda n: n, main)
