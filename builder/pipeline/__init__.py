"""Build pipeline: load, render pages (Liquid, Markdown, layout), write."""
