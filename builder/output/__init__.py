"""Output: the staging writer, atomic swap, manifest."""
