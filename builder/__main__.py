"""`python -m builder` is `docs-builder`."""

from .cli.main import run

run()
