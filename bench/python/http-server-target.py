"""The aiohttp server of the http-server workload: answers every request with 200 "ok".

Prints `PORT <n>` once listening, `NO-AIOHTTP` if aiohttp cannot be imported; exits when
its stdin closes (its parent is gone). The load generator is the workload's Node process.
"""
import asyncio
import sys

try:
    from aiohttp import web
except ImportError:
    print("NO-AIOHTTP", flush=True)
    sys.exit(0)


async def ok(_request):
    return web.Response(body=b"ok", content_type="text/plain")


async def main():
    app = web.Application()
    app.router.add_get("/", ok)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=60)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    # Blocks a thread on stdin: its end means the parent is gone.
    await loop.run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


asyncio.run(main())
