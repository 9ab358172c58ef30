"""The navigation tree per version: children in `children` order, breadcrumbs, products."""

from __future__ import annotations

from dataclasses import dataclass

from ..sources.content import ContentTree, Page


@dataclass(frozen=True)
class NavNode:
    page: Page
    children: tuple["NavNode", ...]


class Navigation:
    def __init__(self, tree: ContentTree):
        self.tree = tree
        self._cache: dict[tuple[str, str], NavNode | None] = {}
        self._ancestors: dict[str, list[Page]] = {}

    def children(self, page: Page, version_id: str) -> list[Page]:
        pages = self.tree.pages
        return [pages[c] for c in page.children if version_id in pages[c].versions]

    def ancestors(self, page: Page) -> list[Page]:
        """From the home page down to the parent (the tree does not change: computed once)."""
        found = self._ancestors.get(page.rel)
        if found is None:
            parent = self.tree.pages.get(page.parent) if page.parent is not None else None
            found = self._ancestors[page.rel] = [*self.ancestors(parent), parent] if parent is not None else []
        return found

    def product(self, page: Page) -> Page | None:
        """The depth-1 ancestor (or the page itself) whose subtree the sidebar shows."""
        if page.depth == 0:
            return None
        if page.depth == 1:
            return page
        # Not always the second ancestor: with no home page (it could not be loaded), the products
        # are the top of the tree (builder/sources/adopt.py).
        return next((p for p in self.ancestors(page) if p.depth == 1), page)

    def subtree(self, page: Page, version_id: str) -> NavNode | None:
        key = (page.rel, version_id)
        if key not in self._cache:
            if version_id not in page.versions:
                self._cache[key] = None
            else:
                # children() keeps only pages in this version, so none of their subtrees is None
                kids = tuple(self.subtree(c, version_id) for c in self.children(page, version_id))
                self._cache[key] = NavNode(page, kids)
        return self._cache[key]
