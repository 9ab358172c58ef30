"""What each page's outputs depend on, as one fingerprint: unchanged fingerprint, unchanged page.

A page's fingerprint covers the files its last build read (page, translation, reusables,
variables, features, templates, present or not), the titles and versions of the navigation it
shows (its product's subtree, the home page and products), and how each of its internal links
resolves now (target, version, title for AUTOTITLE), those of the intros it shows (its children's,
which may lead into another product) and those of a translation that fell back to English (fixing
them, through a redirect or a wider `versions`, brings the translation back).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..sources.content import Page
from .cache import builder_digest
from .digests import FileDigests
from .metas import Metas
from .site import Site

SITE_FILES = ("data/versions.yml", "data/languages.yml", "data/ui.yml")


class Structure:
    """Digests of what many pages share, computed once per build."""

    def __init__(self, site: Site, metas: Metas, digests: FileDigests, options_key: str):
        self.site = site
        self.metas = metas
        self.digests = digests
        h = hashlib.sha1(options_key.encode())
        h.update(builder_digest().encode())
        files = list(SITE_FILES) + [f"{lang.dir}/data/ui.yml" for lang in site.config.languages if lang.dir]
        files += [p.relative_to(site.root).as_posix() for p in site.layout.template_files()]
        files += sorted(site.data.feature_files.values())
        for rel in files:
            h.update(f"{rel}={digests.digest(rel)}".encode())
        self.site_key = h.hexdigest()
        self._products: dict[str, str] = {}
        self._home: str | None = None

    def _meta_digest(self, h, page: Page) -> None:
        h.update(f"{page.rel}|{','.join(page.versions)}|{','.join(page.children)}".encode())
        for lang in self.site.languages:
            for vid in page.versions:
                m = self.metas.get(lang, page, vid)
                h.update(f"{lang.code}|{vid}|{m.title}|{m.short_title}".encode())
                if m.intro is not None:
                    h.update(m.intro.html.encode())

    def home(self) -> str:
        if self._home is None:
            h = hashlib.sha1()
            tree = self.site.tree
            if tree.home is not None:
                self._meta_digest(h, tree.home)
                for rel in tree.home.children:
                    self._meta_digest(h, tree.pages[rel])
            self._home = h.hexdigest()
        return self._home

    def product(self, page: Page) -> str:
        product = self.site.nav.product(page)
        if product is None:
            return ""
        found = self._products.get(product.rel)
        if found is None:
            h = hashlib.sha1()
            stack = [product.rel]
            while stack:
                node = self.site.tree.pages[stack.pop()]
                self._meta_digest(h, node)
                stack.extend(reversed(node.children))
            found = self._products[product.rel] = h.hexdigest()
        return found

    def fingerprint(self, page: Page, result) -> str:
        """The fingerprint of `page` given the record of its last build."""
        site = self.site
        h = hashlib.sha1(self.site_key.encode())
        h.update(self.home().encode())
        h.update(self.product(page).encode())
        built = [(lang.code, v.id) for lang in site.languages for v in site.built_versions(page)]
        h.update(repr(built).encode())
        deps: set[str] = {page.src}
        links: set[tuple[str, bool, str, str]] = set()
        for out in result.outputs:
            deps.update(out.sources)
            links.update((href, auto, out.lang, out.version) for href, auto in out.links)
        for rel in sorted(deps):
            h.update(f"{rel}={self.digests.digest(rel)}\n".encode())
        # The body's links are placed by its sources (digested above): only where they lead matters.
        for href, auto, lang_code, vid in sorted(links):
            if not self._link(h, href, auto, lang_code, vid):
                return "stale"
        # An intro shown here is placed by no file above: each is digested with its own links, in
        # order (two children swapping their links change no set of links).
        for owner, code, vid, rendered in self._shown(page, built):
            h.update(f"\n{owner}|{code}|{vid}:".encode())
            for link in rendered.links:
                if not link.bad_autotitle and not self._link(h, link.href, link.autotitle, code, vid):
                    return "stale"
        return h.hexdigest()

    def _link(self, h, href: str, auto: bool, lang_code: str, vid: str) -> bool:
        """Digest where `href` leads from (`lang_code`, `vid`) now, and the title AUTOTITLE shows;
        False if the version no longer exists."""
        site = self.site
        version = site.config.space.by_id.get(vid)
        if version is None:
            return False
        res = site.links.resolve(href, lang_code, version)
        h.update(f"{href}|{auto}|{lang_code}|{vid}|{res.url}|{res.problem}".encode())
        if auto and res.page is not None and res.problem is None:
            lang = site.language(lang_code)
            h.update(self.metas.get(lang, res.page, (res.version or version).id).title.encode())
        return True

    def _shown(self, page: Page, built: list[tuple[str, str]]):
        """The frontmatter Markdown the page shows: its own intro, product notice and permissions,
        and its children's intros (whose links may lead into another product)."""
        site = self.site
        for code, vid in built:
            lang = site.language(code)
            meta = self.metas.get(lang, page, vid)
            shown = [("intro", meta.intro), ("product", meta.product), ("permissions", meta.permissions)]
            if page.children:
                shown += [(f"intro of {child.rel}", self.metas.get(lang, child, vid).intro)
                          for child in site.nav.children(page, vid)]
            for owner, rendered in shown:
                if rendered is not None:
                    yield owner, code, vid, rendered


def outputs_exist(out: Path, result) -> bool:
    """Whether the page's outputs are still in the site (its first and last are checked)."""
    outputs = result.outputs
    return not outputs or ((out / outputs[0].path).is_file() and (out / outputs[-1].path).is_file()
                           and (not outputs[0].markdown or (out / outputs[0].markdown).is_file()))
