"""docs-builder: static documentation sites for versioned, multilingual GitHub-Docs-style content."""

__version__ = "0.1.0"
