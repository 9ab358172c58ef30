"""The only code that writes the site: into a staging folder beside `--out`, put in place at the end
(builder/output/commit.py: the commit and its journal; builder/output/recovery.py: what a killed
build left, finished or removed first by the next build)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError
from ..core.paths import UnsafePath, check_kept_path, check_output_paths, safe_output_path
from . import commit, faults, recovery

MANIFEST = ".build/manifest.json"
MANIFEST_FORMAT = 4
"""`{"format":4,"checksum":"sha256:<hex of the rest>","source":{"commit":...,"dirty":...},
"extra_outputs":[...],"outputs":{path:{"sources":[...],"digest":...,"page":...,"lang":...,"version":...}}}`
(`page`, `lang` and `version` for pages only; `digest`: blake2b-128 of the file's bytes)."""
CHECKED_FORMATS = (3, 4)
"""Formats with a checksum that are read: format 3 (no source commit, no digests) is read so the
first build after an upgrade keeps the site's files and knows which are its own."""
LEGACY_MANIFEST_FORMAT = 2
"""What docs-builder 0.1 wrote (no checksum): still read, so the first build after an upgrade keeps
the files it did not write (a CNAME, say); its paths pass the same checks."""
CHANGES = ".build/changes.json"
"""The change list of the last build (builder/ci/changes.py)."""
CACHE = ".build/cache.json"
"""Written by pipeline/cache.py; an incremental commit deletes the old one first and moves the
new `.build/` in last."""
STAGING_PREFIX = commit.STAGING


class OutputClash(Exception):
    """Two outputs claimed the same file."""


class OutputFailure(ConfigError):
    """The output folder cannot be written (read-only, full, not a folder): exit status 2, DB605."""

    def __init__(self, message: str):
        super().__init__(Diagnostic(codes.CONFIG_OUTPUT, message))


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


@contextlib.contextmanager
def output_errors(out: Path, doing: str, after: str = "the previous site is unchanged"):
    """Turn an OSError of the block into DB605: `cannot {doing} --out {out}: {reason}; {after}`."""
    try:
        yield
    except OSError as err:
        raise OutputFailure(f"cannot {doing} --out {out}: {_reason(err)}; {after}") from err


FOLDERS_KEPT = 65_536
"""Folders a writer remembers as made and checked (a big site's redirect stubs are each in a
folder of their own: 300,000 of them would be about 35 MB); beyond, the least recently used is
forgotten."""


class StagingWriter:
    """Writes files under a staging folder; refuses to write the same path twice, and refuses (the
    second wall behind the path policy) any path that is not a plain relative path or whose folder
    resolves outside the staging folder. A file system error is `OutputFailure`."""

    def __init__(self, staging: Path, record_digests: bool = False):
        self.staging = staging
        self.written: set[str] = set()
        self.record_digests = record_digests
        self.digests: dict[str, str] = {}
        """With `record_digests`: the digest (`digest_of`) of each file written from bytes in
        memory, so that the manifest need not read it back (a big site's 100,000s of stubs)."""
        self._dirs: OrderedDict[str, None] = OrderedDict()
        """Folders made and checked, the most recently used last (see FOLDERS_KEPT)."""
        self._root = str(staging)

    def _claim(self, rel: str) -> None:
        if rel in self.written:
            raise OutputClash(rel)
        safe_output_path(rel)
        self.written.add(rel)

    def _folder(self, folder: str) -> None:
        """Create `folder` under the staging folder, once, one level at a time from the staging
        folder down: each level is made here or, when it exists, must be a real folder (never a
        link), so the path cannot lead outside. (No `realpath`: it costs a system call per level
        of every new folder, and a site of redirect stubs has tens of thousands.)"""
        if not folder:
            return
        if folder in self._dirs:
            self._dirs.move_to_end(folder)  # parents are used again and again: kept; a stub's folder is not
            return
        parent = os.path.dirname(folder)
        self._folder(parent)
        path = os.path.join(self._root, folder)
        try:
            os.mkdir(path)
        except FileNotFoundError:  # the staging folder itself is made on first use, or a folder went away
            self._dirs = OrderedDict((d, None) for d in self._dirs if not (parent == d or parent.startswith(d + "/")))
            os.makedirs(self._root, exist_ok=True)
            self._folder(parent)
            self._make(folder, path)
        except FileExistsError:
            self._check(folder, path)
        if len(self._dirs) >= FOLDERS_KEPT:  # a cache: a folder it forgot is checked again when used
            self._dirs.popitem(last=False)
        self._dirs[folder] = None

    def _make(self, folder: str, path: str) -> None:
        try:
            os.mkdir(path)
        except FileExistsError:
            self._check(folder, path)

    @staticmethod
    def _check(folder: str, path: str) -> None:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise UnsafePath(f"refusing output folder {folder!r}: it resolves outside the staging folder")

    def _put(self, rel: str, data: str | bytes | Iterable[bytes]) -> None:
        faults.step("write", rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.record_digests and isinstance(data, bytes):
            self.digests[rel] = digest_of(data)
        with self._open(rel) as fh:
            _write_to(fh, data)

    def _open(self, rel: str):
        try:
            fd = os.open(os.path.join(self._root, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as err:
            if os.path.islink(os.path.join(self._root, rel)):
                raise UnsafePath(f"refusing output path {rel!r}: it is a symbolic link") from err
            raise
        return open(fd, "wb")

    def write_checksummed(self, rel: str, head, parts) -> None:
        """Write a state file whose head holds the SHA-256 of its parts, as they are made (see
        output/checksummed.py): the whole file is never held in memory."""
        from .checksummed import write_checksummed

        self._claim(rel)
        try:
            self._folder(os.path.dirname(rel))
            faults.step("write", rel)
            with self._open(rel) as fh:
                write_checksummed(fh, head, parts)
        except OSError as err:
            raise self._failure(rel, err) from err

    def _failure(self, rel: str, err: OSError) -> OutputFailure:
        return OutputFailure(f"cannot write {rel} into the staging folder next to --out {commit.out_of(self.staging)}: "
                             f"{_reason(err)}; the previous site is unchanged")

    def write(self, rel: str, data: str | bytes | Iterable[bytes]) -> None:
        """Write `data`: text, bytes, or the bytes of a large file in parts, as they are made."""
        self._claim(rel)
        try:
            self._folder(os.path.dirname(rel))
            self._put(rel, data)
        except OSError as err:
            raise self._failure(rel, err) from err

    def write_many(self, files: list[tuple[str, str | bytes]]) -> None:
        """Write many small files: all claimed, their folders made in order, then each written, one
        after another (a write returns once the page cache holds it; threads only add their own
        cost: 41,000 redirect stubs took 8.0 s of wall time in 4 threads, 3.7 s in one)."""
        if len(files) < 64:
            for rel, data in files:
                self.write(rel, data)
            return
        for rel, _ in files:
            self._claim(rel)
        try:
            for folder in sorted({os.path.dirname(rel) for rel, _ in files}):
                self._folder(folder)
            for rel, data in files:
                self._put(rel, data)
        except OSError as err:
            raise self._failure(self._rel(err, files[0][0]), err) from err

    def _rel(self, err: OSError, default: str) -> str:
        name = err.filename
        if not isinstance(name, str):
            return default
        return os.path.relpath(name, self._root) if os.path.isabs(name) else name

    def link_from(self, old_root: Path, rel: str, *, foreign: bool = False) -> bool:
        """Reuse an unchanged file from the previous site (a hard link, or a copy). `foreign`: a
        file docs-builder did not write, kept as it is named (any name but `.`, `..` or empty
        segments), still only inside the staging folder."""
        if not foreign:
            safe_output_path(rel)
        elif (issue := check_kept_path(rel)) is not None:
            raise UnsafePath(f"refusing to keep {rel!r}: it {issue.reason}")
        src = os.path.join(old_root, rel)  # a string: a big site links 100,000s of files
        try:  # the file itself, never what a link there points to
            if rel in self.written or not stat.S_ISREG(os.lstat(src).st_mode):
                return False
        except OSError:
            return False
        self.written.add(rel)
        dst = os.path.join(self._root, rel)
        try:
            self._folder(os.path.dirname(rel))
            faults.step("link", rel)
            try:
                os.link(src, dst, follow_symlinks=False)
            except OSError:
                shutil.copy2(src, dst, follow_symlinks=False)
        except OSError as err:
            raise self._failure(rel, err) from err
        return True


def check_output_dir(out: Path) -> None:
    """Refuse an --out that holds files docs-builder did not write (exit status 2)."""
    if out.is_file():
        raise ConfigError(Diagnostic(codes.CONFIG_OUTPUT, f"--out {out} is a file; expected a folder"))
    with output_errors(out, "read", "nothing was written"):
        holds_files = out.is_dir() and any(out.iterdir())
    if holds_files and not (out / MANIFEST).is_file():
        raise ConfigError(
            Diagnostic(
                codes.CONFIG_OUTPUT,
                f"--out {out} already holds files that docs-builder did not write (no {MANIFEST}); "
                "choose an empty or new folder, or remove it first",
            )
        )


def die_with_parent(parent: int) -> None:
    """In a worker process: end it when `parent`, the build, ends (a kill -9 included), so it never
    writes into a staging folder that the next build is deleting. Linux; elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    if os.getppid() != parent:  # the build died before that took effect
        os._exit(1)


def prepare_output(out: Path) -> None:
    """First thing in a build that writes: `--out` can be a folder, and what a killed build
    left next to it is finished (its commit) or removed (staging and old-site folders)."""
    faults.reset()
    for parent in commit.absolute(out).parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise OutputFailure(f"--out {out} is inside {parent}, which is a file; expected a folder")
            break
    with output_errors(out, "create the folder that holds", "nothing was written"):
        commit.absolute(out).parent.mkdir(parents=True, exist_ok=True)
    try:
        recovery.recover(out)
    except commit.CommitError as err:
        raise OutputFailure(f"cannot finish the update of --out {out} that an interrupted build left: "
                            f"{_reason(err.error)}") from err
    except UnsafePath as err:
        raise OutputFailure(f"cannot finish the update of --out {out} that an interrupted build left: {err}; "
                            "remove that file and build with --clean") from err


def new_staging(out: Path) -> Path:
    staging = commit.staging_path(out)
    with output_errors(out, "create a staging folder next to", "nothing was written"):
        faults.step("staging", staging)
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    return staging


def read_manifest(out: Path, problems: list | None = None, outputs_here: bool = True) -> dict:
    """The manifest of the last build into `out`, checked; {} when there is none or when it
    cannot be trusted: unreadable, not JSON, another format, a checksum that does not match, or a
    path the policy refuses (then a warning goes to `problems`). Nothing an ignored manifest
    names is ever deleted, kept or moved: the site is replaced as a whole. Not `outputs_here`
    (a merged shard's state folder): its outputs are not under `out`, so no symbolic link on
    their way there is looked for."""
    path = out / MANIFEST
    link = symlinked_part(out, MANIFEST, {})
    if link is not None and os.path.lexists(path):
        return _manifest_ignored(problems, codes.STATE_UNSAFE_PATH, path, f"lies under {link!r}, a symbolic link")
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return {}
    except OSError as err:
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, f"cannot be read ({err.strerror})")
    try:
        names_pages = raw.startswith(b'{"format":%d,' % MANIFEST_FORMAT)
        manifest = json.loads(raw, object_hook=_EntryReader(names_pages))
    except (ValueError, RecursionError):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not valid JSON")
    if not isinstance(manifest, dict) or "format" not in manifest:
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not a docs-builder manifest")
    version = manifest["format"]
    if version == LEGACY_MANIFEST_FORMAT:
        pass  # the previous docs-builder's manifest has no checksum; its paths are checked below
    elif type(version) is not int or version not in CHECKED_FORMATS:
        why = f"is in manifest format {version}" if type(version) is int else "has no manifest format version"
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path,
                                 f"{why}; this docs-builder reads format {MANIFEST_FORMAT}")
    head = b'{"format":%d,"checksum":"sha256:' % version if type(version) is int else b""
    rest = raw[len(head) + 66:]
    if version in CHECKED_FORMATS and (
            not raw.startswith(head) or raw[len(head) + 64:len(head) + 66] != b'",'
            or raw[len(head):len(head) + 64] != hashlib.sha256(rest).hexdigest().encode()):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path,
                                 "does not match its checksum (it is damaged or was edited)")
    outputs, extra = manifest.get("outputs"), manifest.get("extra_outputs")
    if not isinstance(outputs, dict) or not isinstance(extra, list) or not all(isinstance(p, str) for p in extra):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not a docs-builder manifest")
    paths = set(outputs) | set(extra)
    refused = check_output_paths(paths)
    memo: dict[str, str | None] = {}
    if refused is None and outputs_here:
        refused = next(((rel, f"lies under {link!r}, a symbolic link") for rel in sorted(paths)
                        if (link := symlinked_part(out, rel, memo)) is not None), None)
    elif refused is not None:
        refused = (refused[0], refused[1].reason)
    if refused is not None:
        rel, reason = refused
        shown = rel if len(rel) <= 80 else rel[:80] + "..."
        return _manifest_ignored(problems, codes.STATE_UNSAFE_PATH, path, f"names the output {shown!r}, which {reason}")
    return manifest


class _EntryReader:
    """The `json.loads` object hook of `read_manifest`: an output's entry keeps what later steps
    read of the last site (its digest, and a page's source, language and version), not the
    list of every file it was made from. Each page, language and version is one string shared
    by all its entries. The manifest of 13,510 pages in 46,644 files: 41 MB read whole, 18 MB
    so. (Formats 2 and 3 name no page: there an entry keeps its first source, which the change
    list reports for a removed page.)"""

    KEPT = ("digest", "page", "lang", "version")

    def __init__(self, names_pages: bool) -> None:
        self.shared: dict[str, str] = {}
        self.names_pages = names_pages

    def __call__(self, obj: dict) -> dict:
        if "sources" not in obj:
            return obj
        entry = {}
        for key in self.KEPT:
            value = obj.get(key)
            if value is not None:
                shared = key != "digest" and isinstance(value, str)
                entry[key] = self.shared.setdefault(value, value) if shared else value
        if not self.names_pages:
            sources = obj["sources"]
            entry["sources"] = sources[:1] if isinstance(sources, list) else sources
        return entry


def source_of_manifest(manifest: dict) -> dict | None:
    """The `source` a manifest records ({"commit": str | None, "dirty": bool}), None when it has none."""
    source = manifest.get("source")
    if (isinstance(source, dict) and (source.get("commit") is None or isinstance(source.get("commit"), str))
            and isinstance(source.get("dirty"), bool)):
        return source
    return None


def digest_of(data: bytes) -> str:
    """The digest an output's bytes are recorded with (hex of blake2b, 16 bytes)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: Path | str) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_to(fh, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, (bytes, bytearray)):
        fh.write(data)
    else:
        for part in data:
            fh.write(part)


def replace_state_file(out: Path, rel: str, data: bytes | Iterable[bytes]) -> None:
    """Write a small build state file of the live site (`.build/changes.json`) by renaming a
    complete temporary file over it."""
    safe_output_path(rel)
    target = Path(out) / rel
    if os.path.islink(target.parent) or os.path.islink(target):
        raise UnsafePath(f"refusing to write {rel!r}: it is a symbolic link")
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        _write_to(fh, data)
    os.replace(tmp, target)


def _manifest_ignored(problems: list | None, code, path: Path, why: str) -> dict:
    if problems is not None:
        problems.append(Diagnostic(
            code, f"{path} {why}; it is ignored: every page is built afresh and the site is replaced as a "
                  "whole (files docs-builder did not write are not kept)", None, Severity.WARNING))
    return {}


def symlinked_part(out: Path, rel: str, memo: dict[str, str | None]) -> str | None:
    """The folder of `rel` (a checked output path) that is a symbolic link in `out`, if any (the
    topmost): what lies under it is outside the site. `memo` remembers the answer for every
    folder looked at, so a path costs one look-up once its folder is known."""
    folder = rel.rpartition("/")[0]
    return _linked_folder(out, folder, memo) if folder else None


def _linked_folder(out: Path, folder: str, memo: dict[str, str | None]) -> str | None:
    chain = []  # the folders not looked at yet, deepest first
    while folder and folder not in memo:
        chain.append(folder)
        folder = folder.rpartition("/")[0]
    found = memo[folder] if folder else None
    for folder in reversed(chain):
        if found is None and os.path.islink(os.path.join(out, folder)):
            found = folder
        memo[folder] = found
    return found


def manifest_paths(manifest: dict) -> list[str]:
    """Every file a manifest (from `read_manifest`, so checked) says its build wrote."""
    return list(manifest.get("outputs", {})) + list(manifest.get("extra_outputs", []))


def foreign_files(out: Path, manifest: dict) -> list[str]:
    """Regular files in the current site that the previous build did not write (a CNAME, say),
    found without following symbolic links; links are not kept (what they lead to is not the
    site's). None without a manifest."""
    if not out.is_dir() or not manifest:
        return []
    ours = set(manifest_paths(manifest))
    found = []
    for dirpath, dirnames, filenames in os.walk(out):
        rel_dir = os.path.relpath(dirpath, out).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        if not prefix:
            dirnames[:] = [d for d in dirnames if d != ".build"]
        for name in filenames:
            rel = prefix + name
            if rel not in ours and stat.S_ISREG(os.lstat(os.path.join(dirpath, name)).st_mode):
                found.append(rel)
    return sorted(found)


def swap_in(staging: Path, out: Path, keep: list[str]) -> None:
    """Make `staging` the site; files in `keep` (ones docs-builder did not write) come along."""
    linker = StagingWriter(staging)
    for rel in keep:
        if not os.path.lexists(staging / rel):
            linker.link_from(out, rel, foreign=True)
    _commit(out, lambda: commit.swap(staging, out))


def commit_incremental(staging: Path, out: Path, removed: list[str]) -> None:
    """Move what this build wrote into the existing site and delete outputs that no longer exist."""
    _commit(out, lambda: commit.commit_in_place(staging, out, removed))


def _commit(out: Path, run) -> None:
    try:
        run()
    except commit.CommitError as err:
        if err.started:
            raise OutputFailure(f"cannot finish updating --out {out}: {_reason(err.error)}; "
                                "the next build finishes the update") from err
        raise OutputFailure(f"cannot update --out {out}: {_reason(err.error)}; "
                            "the previous site is unchanged") from err


def discard(staging: Path) -> None:
    """Delete a staging folder, unless a commit's journal still needs it (the next build does)."""
    if not recovery.has_journal(staging):
        shutil.rmtree(staging, ignore_errors=True)
