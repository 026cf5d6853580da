"""Synthetic nation: a deterministic, national-scale dataset for demos, tests and benchmarks."""
