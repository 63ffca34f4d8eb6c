"""cancel-storm: N tasks blocked on an asyncio.Event, cancelled at once by failing a TaskGroup.
Timed from the body's raise until the TaskGroup has raised its ExceptionGroup."""
import asyncio

from child import run_child, verify


class Boom(Exception):
    pass


async def main(rnd):
    n = rnd.n
    ev = asyncio.Event()
    started = 0
    cancelled = 0
    caught = False

    async def blocked():
        nonlocal started, cancelled
        started += 1
        try:
            await ev.wait()
        except asyncio.CancelledError:
            cancelled += 1
            raise

    try:
        async with asyncio.TaskGroup() as tg:
            for _ in range(n):
                tg.create_task(blocked())
            while started < n:
                await asyncio.sleep(0)
            rnd.collect()
            rnd.start()
            raise Boom()
    except* Boom:
        rnd.stop()
        caught = True
    verify(caught, "the TaskGroup did not raise the body's error")
    return cancelled


run_child(lambda n: n, main)
