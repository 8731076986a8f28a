"""Benchmarks: each prints figures and ratios against reference systems, in one run."""
