"""echo-50: round trips of 64 bytes over 50 connections at once (see echo_lib.py)."""
from echo_lib import echo_bench

echo_bench(50)
