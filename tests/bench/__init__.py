"""Benchmark scripts (run directly; pytest does not collect them)."""
