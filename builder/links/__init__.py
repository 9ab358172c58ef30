"""Links: the table of live pages and redirects, link resolution, redirect outputs."""
