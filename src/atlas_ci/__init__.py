"""atlas-ci: one quality gate for Python repositories."""

__version__ = "0.1.0"
