"""Checks of rendered output and of sources as rules: rendered, lint, external links."""
