"""Atlas: a small, durable registry of named places served over JSON/HTTP."""

__version__ = "0.1.0"
