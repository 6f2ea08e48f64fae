"""Benchmarks of the Atlas storage layer.

A package on purpose: pytest's importlib mode then names these modules `benchmarks.*`.
Without it they would be named `atlas.benchmarks.*`, and the stand-in `atlas` package
pytest creates for that name would hide the real one.
"""
