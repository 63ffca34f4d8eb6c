"""echo-1: round trips of 64 bytes over one connection (see echo_lib.py)."""
from echo_lib import echo_bench

echo_bench(1)
