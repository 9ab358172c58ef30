"""Languages: localized sources, repairs of translated Liquid, UI strings, status."""
