"""The build's record of what it wrote: `.build/manifest.json` (each output's sources and digest,
the source commit) and the warning when a --base-site's build state cannot be reused."""

from __future__ import annotations

import heapq
import json
import os
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..output import writer as out_writer
from .results import Output
from .site import Site


def write_manifest(site: Site, staging: Path, outputs: list[Output], extra: dict[str, list[str]],
                    extra_digests: dict[str, str], source: dict) -> None:
    """`.build/manifest.json`: for every output file, the source files it read and a digest of
    its bytes; and the source commit the site was built from.

    Written entry by entry as it is encoded (the file is never held whole in memory); outputs
    with the same sources share the encoding of their list."""
    extra_paths = sorted(extra)
    pages = sorted(outputs, key=lambda o: o.path)
    output_paths = {o.path for o in outputs}
    memo: dict[tuple, str] = {}

    def entry(path: str) -> str:
        sources = extra[path]  # what json.dumps of {"sources": ..., "digest": ...} writes, made faster
        return (_ascii(path) + ':{"sources":' + (json.dumps(sources, separators=(",", ":")) if sources else "[]")
                + ',"digest":' + _ascii(extra_digests.get(path, "")) + "}")

    def entries():  # every output file once, sorted: the pages' and the others' (a page's own entry wins)
        merged = heapq.merge(((o.path, o) for o in pages),
                             ((path, None) for path in extra_paths if path not in output_paths), key=lambda t: t[0])
        for path, o in merged:
            yield o.manifest_entry(memo) if o is not None else entry(path)

    def parts():
        yield '"source":' + json.dumps(source, sort_keys=True) + ',"extra_outputs":['
        for i in range(0, len(extra_paths), 4096):  # json.dumps's list, a part at a time
            yield (", " if i else "") + ", ".join(map(_json_text, extra_paths[i:i + 4096]))
        yield '],"outputs":{'
        for i, text in enumerate(entries()):
            yield text if i == 0 else "," + text
        yield "}}\n"

    def head(checksum: str) -> bytes:
        return ('{"format":%d,"checksum":"sha256:%s",' % (out_writer.MANIFEST_FORMAT, checksum)).encode("utf-8")

    out_writer.StagingWriter(staging).write_checksummed(out_writer.MANIFEST, head, parts())


_ascii = json.encoder.encode_basestring_ascii
"""A str as JSON, as `json.dumps(text)` writes it."""
_json_text = json.encoder.encode_basestring
"""A str as JSON, as `json.dumps(text, ensure_ascii=False)` writes it."""


def extra_digests(extra: dict[str, list[str]], staging: Path, out: Path, old_manifest: dict,
                  known: dict[str, str] | None = None) -> dict[str, str]:
    """A digest of every non-page output: of the staged file, or, for one kept in the site as it
    is (an unchanged search bundle or redirect stub), the digest the last manifest recorded;
    `known` (assemble): digests of files linked from the shards, from their manifests."""
    old = old_manifest.get("outputs", {})
    found: dict[str, str] = {}
    # An incremental build stages few files: one walk of them instead of a look-up per output (a
    # full build stages them all, and keeps the look-ups rather than hold every path at once).
    staged_files = _files_under(staging) if old else None

    def staged(path: str) -> bool:
        return path in staged_files if staged_files is not None else os.path.isfile(staging / path)

    known = known or {}
    for path in extra:
        if path in known:
            found[path] = known[path]
            continue
        if staged(path):
            found[path] = out_writer.file_digest(staging / path)
            continue
        entry = old.get(path)
        digest = entry.get("digest") if isinstance(entry, dict) else None
        if isinstance(digest, str) and digest:
            found[path] = digest
        elif os.path.isfile(out / path) and not os.path.islink(out / path):
            found[path] = out_writer.file_digest(out / path)
    return found


def _files_under(folder: Path) -> set[str]:
    """The regular files under `folder` (symbolic links not followed), as paths relative to it."""
    found: set[str] = set()
    todo = [(str(folder), "")]
    while todo:
        path, prefix = todo.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((entry.path, prefix + entry.name + "/"))
            elif entry.is_file(follow_symlinks=False):
                found.add(prefix + entry.name)
    return found


def source_of(root: Path, folders) -> dict:
    """The source commit of --root for the manifest: {"commit": sha or None, "dirty": bool}."""
    from .changed import source_commit

    return source_commit(root, list(folders))


def base_site_warning(label: str, previous, options_key: str, out: Path) -> Diagnostic:
    """DB620: the build state of the --base-site cannot be reused, and why."""
    import ast

    why = "has no build cache (.build/cache.json)"
    if os.path.lexists(out / out_writer.CACHE):
        why = "has a build cache that this docs-builder cannot use (another version of docs-builder wrote it)"
    if previous is not None:
        why = "was built by another version of docs-builder"
        try:
            old, new = ast.literal_eval(previous.key), ast.literal_eval(options_key)
            names = ("languages", "versions", "search setting", None, "Markdown setting")
            differs = [f"{name} ({_shown(o)} there, {_shown(n)} here)"
                       for name, o, n in zip(names, old[:5], new[:5])
                       if name and o != n and type(o) is type(n)]
            if differs:
                why = "was built with other " + " and ".join(differs)
        except (ValueError, SyntaxError, TypeError, IndexError, MemoryError, RecursionError):
            pass
    return Diagnostic(codes.BASE_SITE_UNUSED, f"--base-site {label} {why}; building the whole site", None,
                      Severity.WARNING)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)
