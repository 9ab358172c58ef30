"""The only code that writes the site: into a staging folder beside `--out`, swapped in at the end."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import shutil
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError
from ..core.paths import check_output_paths

MANIFEST = ".build/manifest.json"
MANIFEST_FORMAT = 3
"""`{"format":3,"checksum":"sha256:<hex of the rest>","extra_outputs":[...],"outputs":{...}}`."""
CACHE = ".build/cache.json"
"""Written by pipeline/cache.py; moved last and removed first by `commit_incremental`."""
STAGING_PREFIX = ".docs-builder-staging-"


class OutputClash(Exception):
    """Two outputs claimed the same file."""


class StagingWriter:
    """Writes files under a staging folder; refuses to write the same path twice."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.written: set[str] = set()
        self._dirs: set[str] = set()

    def write(self, rel: str, data: str | bytes) -> None:
        if rel in self.written:
            raise OutputClash(rel)
        self.written.add(rel)
        folder = os.path.dirname(rel)
        if folder not in self._dirs:
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self._dirs.add(folder)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(os.path.join(self.staging, rel), "wb") as fh:
            fh.write(data)

    def write_many(self, files: list[tuple[str, str | bytes]]) -> None:
        """Write many small files; the file system calls run in a few threads (they wait on I/O)."""
        if len(files) < 64:
            for rel, data in files:
                self.write(rel, data)
            return
        for rel, _ in files:
            if rel in self.written:
                raise OutputClash(rel)
            self.written.add(rel)
        for folder in sorted({os.path.dirname(rel) for rel, _ in files} - self._dirs):
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self._dirs.add(folder)

        def put(item: tuple[str, str | bytes]) -> None:
            rel, data = item
            with open(os.path.join(self.staging, rel), "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(put, files, chunksize=64))

    def link_from(self, old_root: Path, rel: str) -> bool:
        """Reuse an unchanged file from the previous site (a hard link, or a copy)."""
        src = old_root / rel
        if not src.is_file() or rel in self.written:
            return False
        dst = self.staging / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        self.written.add(rel)
        return True


def check_output_dir(out: Path) -> None:
    """Refuse an --out that holds files docs-builder did not write (exit status 2)."""
    if out.is_file():
        raise ConfigError(Diagnostic(codes.CONFIG_OUTPUT, f"--out {out} is a file; expected a folder"))
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ConfigError(
            Diagnostic(
                codes.CONFIG_OUTPUT,
                f"--out {out} already holds files that docs-builder did not write (no {MANIFEST}); "
                "choose an empty or new folder, or remove it first",
            )
        )


def new_staging(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f"{STAGING_PREFIX}{out.name}-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


def read_manifest(out: Path, problems: list | None = None) -> dict:
    """The manifest of the last build into `out`, checked; {} when there is none or when it
    cannot be trusted: unreadable, not JSON, another format, a checksum that does not match, or a
    path the policy refuses (then a warning goes to `problems`). Nothing an ignored manifest
    names is ever deleted, kept or moved: the site is replaced as a whole."""
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
        manifest = json.loads(raw)
    except (ValueError, RecursionError):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not valid JSON")
    if not isinstance(manifest, dict) or "format" not in manifest:
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not a docs-builder manifest")
    version = manifest["format"]
    if version != MANIFEST_FORMAT:
        why = f"is in manifest format {version}" if type(version) is int else "has no manifest format version"
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path,
                                 f"{why}; this docs-builder reads format {MANIFEST_FORMAT}")
    head = b'{"format":%d,"checksum":"sha256:' % MANIFEST_FORMAT
    rest = raw[len(head) + 66:]
    if not raw.startswith(head) or raw[len(head) + 64:len(head) + 66] != b'",' or (
            raw[len(head):len(head) + 64] != hashlib.sha256(rest).hexdigest().encode()):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path,
                                 "does not match its checksum (it is damaged or was edited)")
    outputs, extra = manifest.get("outputs"), manifest.get("extra_outputs")
    if not isinstance(outputs, dict) or not isinstance(extra, list) or not all(isinstance(p, str) for p in extra):
        return _manifest_ignored(problems, codes.STATE_MANIFEST, path, "is not a docs-builder manifest")
    paths = set(outputs) | set(extra)
    refused = check_output_paths(paths)
    memo: dict[str, bool] = {}
    if refused is None:
        refused = next(((rel, f"lies under {link!r}, a symbolic link") for rel in sorted(paths)
                        if (link := symlinked_part(out, rel, memo)) is not None), None)
    else:
        refused = (refused[0], refused[1].reason)
    if refused is not None:
        rel, reason = refused
        shown = rel if len(rel) <= 80 else rel[:80] + "..."
        return _manifest_ignored(problems, codes.STATE_UNSAFE_PATH, path, f"names the output {shown!r}, which {reason}")
    return manifest


def _manifest_ignored(problems: list | None, code, path: Path, why: str) -> dict:
    if problems is not None:
        problems.append(Diagnostic(
            code, f"{path} {why}; it is ignored: every page is built afresh and the site is replaced as a "
                  "whole (files docs-builder did not write are not kept)", None, Severity.WARNING))
    return {}


def symlinked_part(out: Path, rel: str, memo: dict[str, bool]) -> str | None:
    """The folder of `rel` (a checked output path) that is a symbolic link in `out`, if any:
    what lies under it is outside the site. `memo` remembers the folders already looked at."""
    parts = rel.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        folder = "/".join(parts[:i])
        linked = memo.get(folder)
        if linked is None:
            linked = memo[folder] = os.path.islink(os.path.join(out, folder))
        if linked:
            return folder
    return None


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


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT and SIGTERM while the site is being swapped, so it is never half-replaced."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def swap_in(staging: Path, out: Path, keep: list[str]) -> None:
    """Make `staging` the site; files in `keep` move over from the old site untouched."""
    with signals_deferred():
        _swap_in(staging, out, keep)


def _swap_in(staging: Path, out: Path, keep: list[str]) -> None:
    if out.exists():
        for rel in keep:
            src, dst = out / rel, staging / rel
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), str(dst))
        old = out.parent / f"{STAGING_PREFIX}{out.name}-old-{os.getpid()}"
        os.replace(out, old)
        os.replace(staging, out)
        _remove_later(old)
    else:
        os.replace(staging, out)


def _remove_later(folder: Path) -> None:
    """Delete the replaced site in the background: the new one is already live."""
    rm = shutil.which("rm")
    if rm is None or os.environ.get("DOCS_BUILDER_SYNC_CLEANUP"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        subprocess.Popen([rm, "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def commit_incremental(staging: Path, out: Path, removed: list[str]) -> None:
    """Move what this build wrote into the existing site and delete outputs that no longer exist.

    Search bundles in the staging folder replace their old folders as a whole.
    """
    with signals_deferred():
        for bundle in sorted((staging / "_pagefind").glob("*")) if (staging / "_pagefind").is_dir() else []:
            old = out / "_pagefind" / bundle.name
            if old.exists():
                shutil.rmtree(old)
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(bundle, old)
        # The cache vouches for the pages: the old one goes first and the new one comes last, so
        # a build that dies half-way leaves no cache trusting pages it did not write.
        new_cache = (staging / ".build").is_dir()
        if new_cache:
            (out / CACHE).unlink(missing_ok=True)
        for dirpath, dirnames, filenames in os.walk(staging):
            rel_dir = os.path.relpath(dirpath, staging)
            if rel_dir == ".":
                dirnames[:] = [d for d in dirnames if d != ".build"]
            _move_files(dirpath, filenames, out / rel_dir if rel_dir != "." else out)
        if new_cache:
            for dirpath, _dirnames, filenames in os.walk(staging / ".build"):
                _move_files(dirpath, filenames, out / os.path.relpath(dirpath, staging))
        for rel in removed:
            path = out / rel
            if path.is_file():
                path.unlink()
                _prune(path.parent, out)
        shutil.rmtree(staging, ignore_errors=True)


def _move_files(folder: str, names: list[str], target: Path) -> None:
    if names:
        target.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(os.path.join(folder, name), target / name)


def _prune(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
