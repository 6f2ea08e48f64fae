"""Pure reporters: a Report in, text out (JSON, SARIF, Markdown, annotations); no file I/O."""
