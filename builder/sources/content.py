"""The English content tree: pages reachable from `content/index.md` through `children`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path, PurePosixPath

from ..core import codes
from ..core.describe import describe
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ContentError
from ..core.location import Location
from ..core.paths import check_name, check_site_path_decoded, explain
from ..core.spans import narrow
from ..versions.applicable import evaluate_versions, matches_deprecated
from .config import SiteConfig
from .data import DataStore, versions_diagnostics
from .files import name_message, name_problem, read_source, source_exists, source_stat
from .frontmatter import Split, split_frontmatter
from .walk import walk_markdown
from .adopt import adopt_beneath_failed
from .schema import validate_frontmatter


@dataclass
class Page:
    """One English source page and what the tree knows about it."""

    rel: str
    """Path under `content/`, such as `packages/index.md`."""
    split: Split
    versions: tuple[str, ...] = ()
    """Applicable version ids in site order (categories: the union of their children)."""
    children: list[str] = field(default_factory=list)
    parent: str | None = None
    depth: int = 0

    @property
    def src(self) -> str:
        return "content/" + self.rel

    @property
    def fm(self) -> dict:
        return self.split.data

    @cached_property
    def url(self) -> str:
        """Path without language or version: '' for the home page, else `a/b`."""
        return url_of(self.rel)

    @property
    def is_index(self) -> bool:
        return self.rel == "index.md" or self.rel.endswith("/index.md")

    @property
    def kind(self) -> str:
        if self.rel == "index.md":
            return "home"
        if self.fm.get("layout") == "product-landing" or (self.is_index and self.depth == 1):
            return "product"
        if self.is_index:
            return "category"
        return "article"


def url_of(rel: str) -> str:
    """The URL path (no language, no version) of a file under content/: `a/b.md` -> `a/b`."""
    if rel == "index.md":
        return ""
    if rel.endswith("/index.md"):
        return rel[: -len("/index.md")]
    return rel[:-3] if rel.endswith(".md") else rel


@dataclass
class ContentTree:
    pages: dict[str, Page]
    """Reachable pages by `rel`, in navigation (depth-first) order."""
    by_url: dict[str, Page]
    problems: list[Diagnostic]
    unreachable: list[str] = field(default_factory=list)
    """Markdown files under content/ that no `children` list reaches (not built)."""
    frontmatter: dict = field(default_factory=dict)
    """Parsed frontmatter by file, with its size and mtime, for the next build's `load_content`."""
    failed: set[str] = field(default_factory=set)
    """Files a `children` list reaches that could not be loaded (their errors are reported):
    links to them and translations of them are not reported again."""

    @property
    def failed_urls(self) -> set[str]:
        return {url_of(rel) for rel in self.failed}

    @property
    def home(self) -> Page | None:
        return self.pages.get("index.md")


def load_content(config: SiteConfig, data: DataStore, frontmatter: dict | None = None) -> ContentTree:
    """Follow `children` from `content/index.md`; collect every problem on the way.

    `frontmatter` holds parsed frontmatter from an earlier build, by file; a file whose size
    and modification time are unchanged is not read or parsed again (its body is read when
    needed). The tree's `frontmatter` is the same for the next build."""
    root = config.root
    content = root / "content"
    problems: list[Diagnostic] = []
    outside: set[str] = set()
    """Files under a link that leads outside the root, or in a folder that cannot be listed:
    reported by the walk, never read."""
    files = walk_markdown(content, problems, outside)
    if not source_exists(root, "content/index.md"):
        problems.append(
            Diagnostic(
                codes.NO_CONTENT,
                "content/index.md is missing; the site starts from it (its 'children' list the products)"
                if content.is_dir()
                else "there is no content/ folder; create content/index.md to start the site",
                Location("content/index.md", 1, 1),
            )
        )
        return ContentTree({}, {}, problems)

    pages: dict[str, Page] = {}
    ancestors: list[str] = []
    claimed: set[str] = set()
    """Files some `children` entry names (built or not): never reported as unreachable."""
    real_content = os.path.realpath(content)

    known = frontmatter or {}
    parsed: dict = {}

    failed: set[str] = set()
    failed_at: dict[str, tuple[str | None, int]] = {}
    """Where each failed file sits in the tree: its parent and depth."""
    versions_cache: dict = {}

    def visit(rel: str, parent: str | None, depth: int) -> bool:
        claimed.add(rel)
        page = None if rel in outside else _load_page(config, data, rel, problems, known, parsed, versions_cache)
        if page is None:
            if rel in files:
                failed.add(rel)
                failed_at[rel] = (parent, depth)
            return False
        # Only the frontmatter stays in memory; the body is read again when the page is rendered.
        page.split.release()
        page.parent, page.depth = parent, depth
        pages[rel] = page
        raw_children = page.fm.get("children")
        if not isinstance(raw_children, list):
            return True  # absent, or the schema check reported it
        seen: dict[str, int] = {}
        ancestors.append(rel)
        base = rel.rpartition("/")[0]
        for i, entry in enumerate(raw_children):
            if not isinstance(entry, str):
                problems.append(page.split.error(
                    codes.CHILDREN_TYPE,
                    f"child {entry if isinstance(entry, (int, float)) else describe(entry)} must name a file or "
                    "folder beside this page, such as /my-article",
                    ("children", i), value=True))
                continue
            child = _resolve_child(files, content, real_content, page, base, entry, i, problems, claimed)
            if child is None:
                continue
            bad_name = name_problem(child[len(base) + 1:] if base else child)
            if bad_name is not None:
                claimed.add(child)
                problems.append(page.split.error(
                    codes.PAGE_PATH, name_message(f"content/{child}", *bad_name, "which makes a broken URL"),
                    ("children", i), value=True))
                continue
            if child in ancestors:
                problems.append(
                    page.split.error(
                        codes.CHILD_CYCLE,
                        f"child {entry!r} is content/{child}, which contains this page: the tree would loop",
                        ("children", i),
                        value=True,
                    )
                )
                continue
            if child in seen or child in pages:
                first = f"entry {seen[child] + 1} of this list" if child in seen else f"content/{pages[child].parent or ''}"
                problems.append(
                    page.split.error(
                        codes.CHILD_DUPLICATE,
                        f"child {entry!r} is listed twice (already by {first}); a page appears once in the tree",
                        ("children", i),
                        value=True,
                    )
                )
                continue
            seen[child] = i
            if visit(child, rel, depth + 1):
                page.children.append(child)
        ancestors.pop()
        return True

    visit("index.md", None, 0)
    _apply_category_unions(config, pages, "index.md", problems)
    adopted = adopt_beneath_failed(files, failed_at, lambda: set(pages) | claimed | outside, visit, problems)
    for rel in adopted:  # in the failed index's place, in no `children` list
        _apply_category_unions(config, pages, rel, problems)

    unreachable = []
    for rel in sorted(files - set(pages) - claimed - outside):
        if rel.startswith(("early-access/",)):
            continue
        unreachable.append(rel)
        problems.append(
            Diagnostic(
                codes.UNREACHABLE,
                f"content/{rel} is not listed in any 'children', so it is not built",
                Location("content/" + rel, 1, 1),
                Severity.WARNING,
            )
        )
    by_url = {page.url: page for page in pages.values()}
    return ContentTree(pages, by_url, problems, unreachable, parsed, failed)


CHILD_HINT = "a child names a file or folder beside this page, such as /my-article"


def _names_existing_file(files: set[str], base: str, entry: str, issue) -> bool:
    """Whether an entry refused for a character (not for `..`, a scheme, a host or
    percent-encoding) names a file that exists: then the file's name is what to fix."""
    if "segment" in issue.reason or "percent" in issue.reason or not issue.reason.startswith("contains"):
        return False
    clean = entry.strip("/")
    prefix = f"{base}/" if base else ""
    return f"{prefix}{clean}.md" in files or f"{prefix}{clean}/index.md" in files


def _resolve_child(files: set[str], content: Path, real_content: str, page: Page, base: str,
                   entry: str, i: int, problems, claimed: set[str]) -> str | None:
    issue = check_site_path_decoded(entry)
    if issue is not None and _names_existing_file(files, base, entry, issue):
        issue = None  # the file is there: its name is at fault (DB309 below says to rename it)
    if issue is not None:
        where = narrow(page.split.locate(("children", i), value=True), entry, issue.offset, issue.length)
        problems.append(Diagnostic(codes.CHILDREN_TYPE, explain("child", entry, issue, CHILD_HINT, suggest=False), where))
        return None
    clean = entry.strip("/")
    if not clean:
        problems.append(page.split.error(
            codes.CHILDREN_TYPE, f"child {entry!r} names no file or folder; {CHILD_HINT}", ("children", i), value=True))
        return None
    prefix = f"{base}/" if base else ""
    as_file = f"{prefix}{clean}.md"
    as_dir = f"{prefix}{clean}/index.md"
    file_exists = as_file in files
    dir_exists = as_dir in files
    if not file_exists and not dir_exists:
        # Reached through a symbolic link the walk skipped: name it by the file it really is.
        for candidate in (as_file, as_dir):
            real = os.path.realpath(content / candidate)
            if os.path.isfile(real) and (real + os.sep).startswith(real_content + os.sep):
                rel_real = Path(os.path.relpath(real, real_content)).as_posix()
                if rel_real in files:
                    return rel_real
    if file_exists and dir_exists:
        claimed.update((as_file, as_dir))
        problems.append(
            page.split.error(
                codes.OUTPUT_CLASH,
                f"child {entry!r} matches both content/{as_file} and content/{as_dir}, which would "
                f"be the same page; rename or remove one",
                ("children", i),
                value=True,
            )
        )
        return None
    if not file_exists and not dir_exists:
        problems.append(
            page.split.error(
                codes.CHILD_MISSING,
                f"child {entry!r} not found: expected content/{as_file} or content/{as_dir}",
                ("children", i),
                value=True,
            )
        )
        return None
    rel = as_file if file_exists else as_dir
    name = PurePosixPath(rel).parent.name if rel.endswith("/index.md") else PurePosixPath(rel).stem
    # Every folder the entry names becomes part of the URL too (`/my folder/page`).
    bad_name = next(((part, issue) for part in [*clean.split("/")[:-1], name] if (issue := check_name(part))), None)
    if bad_name is not None and (" " in bad_name[0] or any(c in bad_name[0] for c in "#?%")):
        name = bad_name[0]
        claimed.add(rel)
        problems.append(
            page.split.error(
                codes.PAGE_PATH,
                f"content/{rel}: a file or folder name with {'a space' if ' ' in name else '#, ? or %'} makes a "
                f"broken URL; rename it, for example to {name.replace(' ', '-').strip('#?%')!r}",
                ("children", i),
                value=True,
            )
        )
        return None
    if bad_name is not None:
        return rel  # `load_content` names the file and suggests a name (DB309)
    if not name.isascii():
        problems.append(
            page.split.error(
                codes.PAGE_PATH,
                f"content/{rel}: a non-ASCII name gives a percent-encoded URL; prefer ASCII letters",
                ("children", i),
                value=True,
                severity=Severity.WARNING,
            )
        )
    return rel


def _load_page(config: SiteConfig, data: DataStore, rel: str, problems, known: dict, parsed: dict,
               versions_cache: dict) -> Page | None:
    src = "content/" + rel
    loader = partial(read_source, config.root, src)
    try:
        st = source_stat(config.root, src)
        entry = known.get(src)
        if entry is not None and entry[0] == st.st_mtime_ns and entry[1] == st.st_size:
            split = Split.cached(src, entry[2], entry[3], entry[4], loader)
        else:
            split = split_frontmatter(loader(), src, loader=loader)
        parsed[src] = (st.st_mtime_ns, st.st_size, split.data, split.fm_span, split.body_offset)
    except ContentError as err:
        problems.extend(err.diagnostics)
        return None
    schema_problems = validate_frontmatter(split)
    problems.extend(schema_problems)
    page = Page(rel, split)
    versions_value = split.data.get("versions")
    if versions_value is None:
        return page if not schema_problems else None
    ids, vproblems = _evaluate_cached(versions_value, config.space, data.features, versions_cache)
    problems.extend(versions_diagnostics(vproblems, split.locate))
    if not ids and not vproblems and not split.data.get("children") and matches_deprecated(versions_value, config.space):
        problems.append(
            split.error(
                codes.VERSIONS_NONE,
                "this page applies only to deprecated releases, so it is not built; remove it (and its "
                "'children' entry) or widen its 'versions'",
                ("versions",),
                severity=Severity.WARNING,
            )
        )
    elif not ids and not vproblems and not split.data.get("children"):
        problems.append(
            split.error(
                codes.VERSIONS_NONE,
                "this page is not available in any supported version; the 'versions' must include at "
                f"least one of {', '.join(v.id for v in config.space.versions[:4])}"
                + ("..." if len(config.space.versions) > 4 else ""),
                ("versions",),
            )
        )
    page.versions = config.space.sorted(ids)
    return page


def _apply_category_unions(config, pages: dict[str, Page], rel: str, problems) -> frozenset[str]:
    page = pages.get(rel)
    if page is None:
        return frozenset()
    own = frozenset(page.versions)
    if not page.children:
        return own
    union: set[str] = set()
    for child in page.children:
        union |= _apply_category_unions(config, pages, child, problems)
    if union:
        page.versions = config.space.sorted(union)
    elif not own:
        problems.append(
            page.split.error(
                codes.VERSIONS_NONE,
                "none of this category's children is available in a supported version",
                ("versions",),
            )
        )
    return frozenset(page.versions)


def _evaluate_cached(value, space, features, cache: dict):
    """`evaluate_versions`, memoized for one `load_content`: most pages share a handful of
    `versions` blocks (the space and features are those of that load)."""
    try:
        key = repr(sorted(value.items())) if isinstance(value, dict) else repr(value)
    except TypeError:
        return evaluate_versions(value, space, features)
    found = cache.get(key)
    if found is None:
        found = cache[key] = evaluate_versions(value, space, features)
    return found
