"""CI previews: a complete site from a base site, the change list, the pull-request summary."""
