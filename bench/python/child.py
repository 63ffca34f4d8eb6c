"""The child side of the bench protocol for CPython (mirror of bench/lib/child.ts).

A workload script calls run_child(expected, system) where system(rnd) is an
``async def`` run by asyncio.run once per round. It reads
  --n N --warmup W --rounds R [--budget-ms MS] [--min-ms MS]
and prints one line:  @@bench {"status": "ok", "samples": [...], ...}
"""
import asyncio
import gc
import json
import statistics
import sys
import time
import traceback

RESULT_PREFIX = "@@bench "


class VerificationError(Exception):
    pass


def verify(ok, what):
    if not ok:
        raise VerificationError(what)


class Round:
    def __init__(self, n, notes):
        self.n = n
        self.t0 = 0
        self.t1 = 0
        self.value = None
        self._notes = notes

    def start(self):
        self.t0 = time.perf_counter_ns()

    def stop(self):
        self.t1 = time.perf_counter_ns()

    def collect(self):
        """A full collection before start(), as Round.collect() in bench/lib/child.ts."""
        gc.collect()

    def sample(self, per_op):
        self.value = per_op

    def note(self, key, value):
        self._notes.setdefault(key, []).append(value)


# The most counted rounds --min-ms can ask for (as in bench/lib/child.ts).
MAX_ROUNDS = 40


def _args(argv):
    opts = {"--n": 1000, "--warmup": 1, "--rounds": 3, "--budget-ms": 0, "--min-ms": 0}
    for i, flag in enumerate(argv):
        if flag in opts:
            opts[flag] = int(argv[i + 1])
    return opts["--n"], opts["--warmup"], max(1, opts["--rounds"]), opts["--budget-ms"], opts["--min-ms"]


def _one_round(system, n, expected, notes):
    rnd = Round(n, notes)
    gc.collect()
    rnd.start()
    got = asyncio.run(system(rnd))
    if rnd.t1 == 0:
        rnd.stop()
    if got != expected:
        raise VerificationError(f"result {got}, expected {expected}")
    return rnd.value if rnd.value is not None else (rnd.t1 - rnd.t0) / n


def _emit(result):
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def _use_uvloop():
    """The `uvloop` system: the same asyncio code on uvloop's event loop. False when missing."""
    try:
        import uvloop  # noqa: PLC0415 - optional, only for this system
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def run_child(expected, system):
    try:
        if "uvloop" in sys.argv and not _use_uvloop():
            _emit({"status": "unavailable", "reason": "uvloop is not installed (Debian: python3-uvloop; run with AIO_BENCH_PYTHON=/usr/bin/python3)"})
            return
        n, warmup, rounds, budget_ms, min_ms = _args(sys.argv[1:])
        want = expected(n)
        warm = [_one_round(system, n, want, {}) for _ in range(warmup)]
        notes = {}
        samples = []
        began = time.monotonic()
        while True:
            samples.append(_one_round(system, n, want, notes))
            elapsed = (time.monotonic() - began) * 1000
            if budget_ms > 0 and elapsed > budget_ms and len(samples) >= min(3, rounds):
                break
            if len(samples) >= rounds and (elapsed >= min_ms or len(samples) >= MAX_ROUNDS):
                break
        out = {}
        for key, values in notes.items():
            nums = all(isinstance(v, (int, float)) for v in values)
            out[key] = statistics.median(values) if nums else values[-1]
        _emit({"status": "ok", "samples": samples, "warmup": warm, "notes": out})
    except Exception as err:  # noqa: BLE001 - reported to the harness
        _emit({"status": "error", "message": f"{type(err).__name__}: {err}"})
        traceback.print_exc()
        sys.exit(1)
