"""Benchmarks for imr-etl: speed and memory are measured here, never asserted in tests.

Run ``python -m bench.extraction [--quick]``; results are recorded in ``bench/RESULTS.md``.
"""
