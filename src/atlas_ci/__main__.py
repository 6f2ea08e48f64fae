"""`python -m atlas_ci` runs the CLI."""

from atlas_ci.cli import main

if __name__ == "__main__":
    main()
