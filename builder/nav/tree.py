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

    def children(self, page: Page, version_id: str) -> list[Page]:
        pages = self.tree.pages
        return [pages[c] for c in page.children if version_id in pages[c].versions]

    def ancestors(self, page: Page) -> list[Page]:
        """From the home page down to the parent."""
        out: list[Page] = []
        rel = page.parent
        while rel is not None:
            parent = self.tree.pages[rel]
            out.append(parent)
            rel = parent.parent
        return out[::-1]

    def product(self, page: Page) -> Page | None:
        """The depth-1 ancestor (or the page itself) whose subtree the sidebar shows."""
        if page.depth == 0:
            return None
        chain = self.ancestors(page) + [page]
        return chain[1] if len(chain) > 1 else None

    def subtree(self, page: Page, version_id: str) -> NavNode | None:
        key = (page.rel, version_id)
        if key not in self._cache:
            if version_id not in page.versions:
                self._cache[key] = None
            else:
                kids = tuple(
                    node for node in (self.subtree(c, version_id) for c in self.children(page, version_id)) if node
                )
                self._cache[key] = NavNode(page, kids)
        return self._cache[key]
