"""Loading sources: configuration, content tree, data; frontmatter schema."""
