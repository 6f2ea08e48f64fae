"""Shared test helpers (importable because tests/ is on sys.path via rootdir conftest)."""
