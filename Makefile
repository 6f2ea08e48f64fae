# Quick start: `make gate` (run atlas-ci on this repository) and `make test` (run the suite).
# Both create .venv first on a fresh machine (Python 3.11+).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv valgrind gate test test-slow lint browser clean

# Reinstall whenever a dependency list changes; Atlas (the reference service) is a project of its own.
$(STAMP): pyproject.toml atlas/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,all]' -e './atlas[load]'
	touch $(STAMP)

venv: $(STAMP)

# perf's instruction counts need valgrind: installed where it is missing and apt-get can run
# (CI, a root shell); elsewhere a note, and the perf gate uses its cpu timer and says so.
valgrind:
	@if command -v valgrind >/dev/null 2>&1; then \
		valgrind --version; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get install -y -q valgrind || (apt-get update -q && apt-get install -y -q valgrind)) \
			>/dev/null && valgrind --version; \
	else \
		echo "valgrind not installed (no apt-get as root): perf falls back to its cpu timer"; \
	fi

gate: $(STAMP)
	$(BIN)/atlas-ci gate all

# Two workers, a test file each at a time (module fixtures built once): the suite waits on real
# tools and servers much of the time, and on a busy machine two workers get twice the CPU share.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The acceptance runs too long for `make test` (endurance, real sdists, 10x repeats).
test-slow: $(STAMP)
	$(BIN)/python -m pytest --run-slow -m slow

# Headless Chromium for the HTML report's browser test (Debian's package; skipped where absent).
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	  echo "chromium not installed: the HTML report's browser test will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reports .mypy_cache .ruff_cache .coverage .coverage.*
