"""Benchmarks (`make bench`): speed and memory, measured rather than asserted."""
