"""Reading source files: UTF-8 (a BOM is fine), any line endings."""

from __future__ import annotations

import errno
import os
import stat as stat_module
from functools import lru_cache
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ContentError
from ..core.location import Location
from ..core.paths import PathIssue, check_name, inside, one_line, suggest_name


def decode(raw: bytes, rel: str) -> str:
    """Text of a source file with a BOM removed and CRLF/CR turned into LF."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", "replace")) + 1
        line_end = raw.find(b"\n", err.start)
        shown = raw[line_start : line_end if line_end != -1 else len(raw)].decode("utf-8", "replace")
        raise ContentError(
            Diagnostic(
                codes.FILE_NOT_UTF8,
                f"byte 0x{raw[err.start]:02x} is not valid UTF-8; save the file as UTF-8",
                Location(rel, line, col, shown.rstrip("\r")),
            )
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(root: Path, rel: str) -> str:
    """The text of `<root>/<rel>`: the one way every source is read (pages, data, translations,
    templates, `ui.yml`, features, configuration).

    The file must resolve inside the real `root`; a symbolic link that leads outside it is
    refused without opening the target (`SOURCE_OUTSIDE_ROOT`). Anything that cannot be read
    (missing, a folder, a pipe or device, no permission) is `SOURCE_UNREADABLE` with the OS's
    reason. Both are `ContentError`s at `rel`."""
    return decode(read_source_bytes(root, rel), rel)


def read_source_bytes(root: Path, rel: str) -> bytes:
    """The bytes of `<root>/<rel>` (for digests), with the checks and errors of `read_source`."""
    real = contained_path(root, rel)
    try:
        return _read_bytes(real)
    except OSError as err:
        raise ContentError(unreadable(rel, err)) from None


def _read_bytes(real: str) -> bytes:
    """The bytes of a regular file; `OSError` for anything else. Never blocks on a pipe."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(real, flags)  # `real` is resolved: a link here was put in since, so refuse it
    try:
        mode = os.fstat(fd).st_mode
        if stat_module.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", real)
        if not stat_module.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a device, pipe or socket)", real)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def read_regular_file(path: str) -> bytes:
    """The bytes of the regular file at `path` (not a link, pipe or device); `OSError` otherwise.
    For files the build wrote itself (in the site or its staging folder), not sources."""
    return _read_bytes(path)


def source_stat(root: Path, rel: str) -> os.stat_result:
    """`os.stat` of a source, with the same checks and errors as `read_source`."""
    real = contained_path(root, rel)
    try:
        return os.stat(real)
    except OSError as err:
        raise ContentError(unreadable(rel, err)) from None


def contained_path(root: Path, rel: str) -> str:
    """The real path of `<root>/<rel>`, or a `ContentError` when it resolves outside the real
    root (named by the first link on the way that leaves it)."""
    root_real = _real_root(str(root))
    real = _resolve_under(root_real, rel)
    if inside(root_real, real, os.sep):
        return real
    link = outside_link(root, rel) or rel
    raise ContentError(outside_diagnostic(link, rel))


def _resolve_under(root_real: str, rel: str) -> str:
    """`os.path.realpath(<root_real>/<rel>)` for a resolved `root_real`: only the parts of `rel`
    are looked at (one `lstat` each) until one is a link, which `realpath` then resolves. The
    library's function walks the root's parts again, in Python, for every file read: most of
    the time it took to read a big site's 20,000 sources."""
    parts = rel.split("/")
    if ".." in parts:
        return os.path.realpath(os.path.join(root_real, rel))
    path = root_real
    for i, part in enumerate(parts):
        if not part or part == ".":
            continue
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except OSError:  # nothing there: no link on the rest of the way either
            return os.path.join(path, *[p for p in parts[i + 1:] if p and p != "."])
        if stat_module.S_ISLNK(mode):
            return os.path.realpath(os.path.join(path, *parts[i + 1:]))
    return path


def outside_link(root: Path, rel: str) -> str | None:
    """The first part of `rel` (`data/reusables` or `data/reusables/a.md`) that resolves outside
    the real root, or None."""
    root_real = _real_root(str(root))
    parts = rel.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        if not inside(root_real, os.path.realpath(os.path.join(root_real, prefix)), os.sep):
            return prefix
    return None


def is_outside(root: Path, path: str) -> bool:
    """Whether the file system path `path` resolves outside the real root."""
    return not inside(_real_root(str(root)), os.path.realpath(path), os.sep)


def source_exists(root: Path, rel: str) -> bool:
    """Whether anything (a file, a folder, a link, even a broken one) is at `<root>/<rel>`, or
    the path leads outside the root: reading it then says why it cannot be used."""
    path = os.path.join(root, rel)
    return os.path.lexists(path) or is_outside(root, path)


def outside_diagnostic(link: str, rel: str | None = None) -> Diagnostic:
    shown = one_line(link)
    what = "" if rel is None or rel == link else f", so {one_line(rel)} is not read"
    return Diagnostic(
        codes.SOURCE_OUTSIDE_ROOT,
        f"{shown} is a symbolic link that leads outside the site's root{what or ', so it is not read'}; "
        "copy the file into the site instead",
        Location(link, 1, 1),
    )


def unreadable(rel: str, err: OSError) -> Diagnostic:
    reason = (err.strerror or str(err)).lower()
    return Diagnostic(codes.SOURCE_UNREADABLE, f"{one_line(rel)} cannot be read: {reason}", Location(rel, 1, 1))


@lru_cache(maxsize=16)
def _real_root(root: str) -> str:
    """The real path of the root (trusted: the machine's, not the content's), resolved once per
    absolute path."""
    return _real_folder(os.path.abspath(root))


@lru_cache(maxsize=64)
def _real_folder(absolute: str) -> str:
    return os.path.realpath(absolute)


def name_problem(rel: str) -> tuple[str, PathIssue] | None:
    """The first file or folder name in `rel` that `check_name` refuses, with why."""
    for name in rel.split("/"):
        issue = check_name(name)
        if issue is not None:
            return name, issue
    return None


def name_message(rel: str, name: str, issue: PathIssue, why: str) -> str:
    return (f"{one_line(rel)}: the name {name!r} {issue.reason}, {why}; rename it, for example to "
            f"{suggest_name(name)!r}")


def check_names(root: Path, top: str, severity: Severity = Severity.ERROR) -> list[Diagnostic]:
    """FILE_NAME problems for every file and folder under `<root>/<top>` whose name `check_name`
    refuses (a folder with a bad name is reported once, not its files)."""
    found: list[Diagnostic] = []
    base = os.path.join(root, top)
    if not os.path.isdir(base) or is_outside(root, base):
        return found  # a folder outside the root is reported where it is read, never listed
    why = "which a data path cannot name" if top == "data" else "which no English file can match"
    for dirpath, dirnames, filenames in os.walk(base):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in sorted(dirnames + filenames):
            issue = check_name(name)
            if issue is None:
                continue
            rel = f"{rel_dir}/{name}"
            found.append(Diagnostic(codes.FILE_NAME, name_message(rel, name, issue, why), Location(rel, 1, 1),
                                    severity))
        dirnames[:] = sorted(d for d in dirnames if check_name(d) is None)
    return found
