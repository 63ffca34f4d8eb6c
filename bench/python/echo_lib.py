"""Shared by echo-1.py and echo-50.py: N round trips of 64 bytes over loopback TCP with
asyncio streams (readexactly + write + drain), over C connections, server in the same process."""
import asyncio

from child import run_child, verify

SIZE = 64


def echo_bench(connections):
    async def main(rnd):
        each = rnd.n // connections

        async def handle(reader, writer):
            for _ in range(each):
                writer.write(await reader.readexactly(SIZE))
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]

        async def client():
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for i in range(each):
                out = bytes([i & 0xFF]) * SIZE
                writer.write(out)
                await writer.drain()
                verify(await reader.readexactly(SIZE) == out, "echo differs")
            writer.close()
            await writer.wait_closed()
            return each

        counts = await asyncio.gather(*(client() for _ in range(connections)))
        server.close()
        await server.wait_closed()
        return sum(counts)

    run_child(lambda n: (n // connections) * connections, main)
