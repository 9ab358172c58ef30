"""Search with Pagefind."""
