"""Built-in checks: one module per check family."""
