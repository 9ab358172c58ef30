"""Writer and maintainer tools: explain, deprecate, diff, archive."""
