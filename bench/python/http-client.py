"""http-client: N GETs at concurrency 64 with aiohttp against the same node:http server.

64 workers, each sending its next request once its last response body was read.
Verified: every response is 200 with the body "ok". Unavailable without aiohttp
(Debian: python3-aiohttp).
"""
import asyncio
import json
import os
import subprocess
import sys

from child import RESULT_PREFIX, run_child

try:
    import aiohttp
except ImportError:
    # Debian's python3-aiohttp is installed for Debian's own python3, which may not be the first on PATH.
    DEBIAN_PYTHON = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) and os.path.exists(DEBIAN_PYTHON):
        probe = subprocess.run([DEBIAN_PYTHON, "-c", "import aiohttp"], capture_output=True)
        if probe.returncode == 0:
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, "-B", *sys.argv])
    sys.stdout.write(RESULT_PREFIX + json.dumps({"status": "unavailable", "reason": "aiohttp is not installed (Debian: python3-aiohttp)"}) + "\n")
    sys.exit(0)

CONCURRENCY = 64
TARGET = os.path.join(os.path.dirname(__file__), "..", "lib", "http-target.mjs")
_server = subprocess.Popen(["node", TARGET], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
URL = "http://127.0.0.1:%s/" % _server.stdout.readline().split()[1]


async def main(rnd):
    rnd.note("python", f"{sys.version.split()[0]} ({sys.executable}), aiohttp {aiohttp.__version__}")
    n = rnd.n
    state = {"next": 0, "ok": 0}
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def worker():
            while state["next"] < n:
                state["next"] += 1
                async with session.get(URL) as response:
                    body = await response.text()
                    if response.status != 200 or body != "ok":
                        raise RuntimeError(f"response {response.status} {body!r}")
                state["ok"] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return state["ok"]


run_child(lambda n: n, main)
