"""Archived releases inside a site's output folder: found by their marker, never rebuilt or removed.

`docs-builder archive` writes a release's pages at their usual URLs (`<lang>/<segment>/...`) and
its frozen assets and marker under `_archive/<segment>/`; `archive.json` lists the languages and
page paths. A build into that folder keeps every file of an archive as it is, builds no page of
an archived version, and checks links into an archived release against its page list.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.paths import check_output_path

FOLDER = "_archive"
MARKER = "archive.json"
FORMAT = 1
VERSIONS_FILE = "versions.json"
"""At the site root: the current versions, read by archived pages' version pickers at run time."""


@dataclass(frozen=True)
class Archive:
    version: str
    """`enterprise-server@3.14`: also the URL segment and the folder name."""
    title: str
    languages: tuple[str, ...]
    pages: frozenset[str]
    """Page paths without language or version ('' for the home page)."""
    digest: str
    """Of the marker's bytes: the build's cache is keyed on it."""

    @property
    def folders(self) -> list[str]:
        """The folders the archive owns, relative to the site root."""
        return [f"{lang}/{self.version}" for lang in self.languages] + [f"{FOLDER}/{self.version}"]


def marker_path(version: str) -> str:
    return f"{FOLDER}/{version}/{MARKER}"


def find_archives(out: Path, problems: list | None = None) -> dict[str, Archive]:
    """Archives in `out` by version id; a marker that cannot be used is ignored with a warning
    (DB673): its files are then kept only as files docs-builder did not write."""
    folder = out / FOLDER
    found: dict[str, Archive] = {}
    try:
        if not folder.is_dir() or folder.is_symlink():
            return found
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    for name in names:
        rel = f"{FOLDER}/{name}/{MARKER}"
        path = out / rel
        if not os.path.lexists(path):
            continue
        archive, why = _read(path, name)
        if archive is None:
            if problems is not None:
                problems.append(Diagnostic(
                    codes.ARCHIVE_IGNORED,
                    f"{out / rel} {why}; the archive of {name} is ignored (its pages may be built over it): "
                    f"archive the release again with `docs-builder archive {name} --replace`",
                    None, Severity.WARNING))
            continue
        found[archive.version] = archive
    return found


def _read(path: Path, name: str) -> tuple[Archive | None, str]:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None, "is not a regular file"
        data = path.read_bytes()
        doc = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return None, f"cannot be read ({type(err).__name__})"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None, f"is not an archive marker of format {FORMAT}"
    version, languages, pages = doc.get("version"), doc.get("languages"), doc.get("pages")
    if version != name or not isinstance(languages, list) or not isinstance(pages, list):
        return None, "does not name this folder's version, its languages and its pages"
    for text in [version, *languages]:
        if not isinstance(text, str) or "/" in text or check_output_path(f"{text}/x") is not None:
            return None, f"names an unusable folder {text!r}"
    if not all(isinstance(p, str) for p in pages):
        return None, "lists a page that is not a path"
    title = doc.get("title") if isinstance(doc.get("title"), str) else version
    return Archive(version, title, tuple(languages), frozenset(pages), hashlib.sha256(data).hexdigest()), ""


def signature(archives: dict[str, Archive]) -> tuple:
    """What the build's outputs depend on: which archives there are, and their markers."""
    return tuple((v, archives[v].digest) for v in sorted(archives))


def archive_files(out: Path, archives: dict[str, Archive]) -> list[str]:
    """Every regular file an archive owns (not following links), relative to `out`."""
    files: list[str] = []
    for archive in archives.values():
        for folder in archive.folders:
            top = out / folder
            if top.is_symlink() or not top.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(top):
                rel_dir = os.path.relpath(dirpath, out).replace(os.sep, "/")
                for name in filenames:
                    if stat.S_ISREG(os.lstat(os.path.join(dirpath, name)).st_mode):
                        files.append(f"{rel_dir}/{name}")
    return sorted(files)


def only_archives(out: Path, archives: dict[str, Archive]) -> bool:
    """Whether every file in `out` belongs to an archive (or is the versions file): a first
    build may go there."""
    owned = set(archive_files(out, archives))
    for dirpath, _dirnames, filenames in os.walk(out):
        rel_dir = os.path.relpath(dirpath, out).replace(os.sep, "/")
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if rel not in owned and rel != VERSIONS_FILE:
                return False
    return True


def _newest_first(item) -> tuple:
    name, _, release = item[0].partition("@")
    parts = release.split(".")
    key = tuple(-int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
    return (name, key, release)


def versions_document(versions, archives: dict[str, Archive], default_language: str) -> bytes:
    """`versions.json`: the versions this build wrote, newest plans first as in the site, and
    the archives in the folder. Deterministic (sorted, no time stamps)."""
    doc = {
        "format": 1,
        "default_language": default_language,
        "versions": [{"id": v.id, "title": v.title, "segment": v.segment} for v in versions
                     if v.id not in archives],
        "archived": [{"id": a.version, "title": a.title, "segment": a.version,
                      "languages": list(a.languages)} for _, a in sorted(archives.items(), key=_newest_first)],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
