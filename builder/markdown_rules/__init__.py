"""Markdown: markdown-it-py with our rules (links, headings, code, alerts)."""
