"""Benchmarks: every figure measured in one process run, quoted as a ratio to the baseline.

Run with ``make bench`` (writes docs/benchmarks.md); ``python -m bench --smoke`` keeps it working in CI.
"""
