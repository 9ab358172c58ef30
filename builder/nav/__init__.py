"""Navigation: the children tree per version, breadcrumbs, products."""
