"""`build --base-site DIR`: a complete preview site from a full build of the base (typically the
deployed site, with its `.build/`), rebuilding only what changed.

The base's files are linked (hard links; copies across devices) into a fresh folder next to
--out, named like a staging folder of --out (so a killed build's folder is removed by the next
one); the ordinary incremental build then runs on that folder, whose cache and manifest are the
base's: it rebuilds exactly what the changes affect and deletes outputs that no longer exist.
The folder then replaces --out as a whole. The base is never modified: the build only ever
replaces files by rename and unlinks them, never writes into one it did not create.

With `--out` the base site itself, the preview is built in place instead: nothing is linked, the
base becomes the preview (an incremental build of that folder, with the base's checks). That is
the fast way in CI, where the base is a copy downloaded for this one preview.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
from pathlib import Path

from ..core import codes
from ..core import progress as prog
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError
from ..output import commit
from ..output import writer as out_writer
from ..pipeline.build import BuildOptions, BuildReport, Staged, run_build
from ..pipeline.changed import resolve_ref
from ..search import state as search_state
from .changes import ChangeSet, compute

STATE_FILES = (out_writer.MANIFEST, out_writer.CACHE, search_state.STATE)
"""The base's build state the incremental build reads: outputs, page fingerprints, what the search index holds."""


def build(options: BuildOptions, base_site: Path | None = None) -> tuple[BuildReport, ChangeSet | None]:
    """Run a build; with `base_site`, into a complete site taken from it. Returns the report and
    the change list (None when the build wrote nothing)."""
    found: list[ChangeSet] = []

    def staged(info: Staged) -> bytes:
        changes = compute(info)
        found.append(changes)
        return changes.chunks()

    options = dataclasses.replace(options, staged=staged if options.write else None)
    if base_site is None or not options.write:
        report = run_build(options)
        return report, (found[0] if found and report.written else None)
    return _from_base(options, Path(base_site), found)


def _from_base(options: BuildOptions, base: Path, found: list[ChangeSet]) -> tuple[BuildReport, ChangeSet | None]:
    out = Path(options.out) if options.out else Path(options.root) / "site"
    in_place = _check_folders(base, out)
    out_writer.prepare_output(out)
    out_writer.check_output_dir(out)
    notes: list[Diagnostic] = []
    manifest, why = _base_manifest(base)
    clean = False
    if manifest and options.changed_since:
        commit_id = resolve_ref(options.root, options.changed_since)  # exit 2 on a shallow clone
        source = out_writer.source_of_manifest(manifest)
        if source is None or source["commit"] != commit_id or source["dirty"]:
            built = ("from changes not committed" if source and source["dirty"] else
                     f"from commit {source['commit'][:12]}" if source and source["commit"] else
                     "from no recorded commit")
            notes.append(_warning(f"--base-site {base} was built {built}, not from {options.changed_since} "
                                  f"({commit_id[:12]}); building the whole site"))
            clean = True
    elif why:
        notes.append(_warning(f"--base-site {base} {why}; building the whole site"))
    if in_place:  # the base becomes the preview: nothing to link
        report = _build_in(out, options, base, manifest, clean, notes)
        return report, (found[0] if found and report.written else None)
    folder = commit.staging_path(out)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    try:
        if manifest:
            missing = _fill(folder, base, manifest)
            if missing is not None:
                notes.append(_warning(f"--base-site {base} is damaged: it has no regular file {missing!r}, which "
                                      "its manifest lists; building the whole site"))
                shutil.rmtree(folder)
                folder.mkdir()
                manifest = {}
        report = _build_in(folder, options, base, manifest, clean, notes)
        report.out = out
        if report.written:
            prog.phase("putting the new site in place")
            old = out_writer.read_manifest(out)
            out_writer.swap_in(folder, out, out_writer.foreign_files(out, old))
            return report, found[0] if found else None
        return report, None
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _build_in(target: Path, options: BuildOptions, base: Path, manifest: dict, clean: bool,
              notes: list[Diagnostic]) -> BuildReport:
    """The build of `target`, which holds the base's files and build state: incremental unless
    the base cannot vouch for the preview (`clean`) or has no usable manifest."""
    report = run_build(dataclasses.replace(options, out=target, changed_since=None,
                                           incremental=options.incremental and not clean and bool(manifest),
                                           previous_label=str(base) if manifest else None,
                                           previous_manifest=manifest or None))
    report.problems.extend(notes)
    return report


def _warning(message: str) -> Diagnostic:
    return Diagnostic(codes.BASE_SITE_UNUSED, message, None, Severity.WARNING)


def _check_folders(base: Path, out: Path) -> bool:
    """True when --out is the base site (the preview is built in place); --out inside the base
    site, or holding it, is refused."""
    real_base, real_out = os.path.realpath(base), os.path.realpath(out)
    if real_out == real_base:
        return True
    inside = real_out.startswith(real_base.rstrip(os.sep) + os.sep)
    holds = real_base.startswith(real_out.rstrip(os.sep) + os.sep)
    if inside or holds:
        raise ConfigError(Diagnostic(
            codes.BASE_SITE_OUT,
            f"--out {out} {'is inside' if inside else 'holds'} --base-site {base}; the preview goes to another "
            "folder, or to the base site itself (--out DIR --base-site DIR)"))
    return False


def _base_manifest(base: Path) -> tuple[dict, str | None]:
    """The base site's manifest, or ({}, why it cannot be used)."""
    if not base.is_dir():
        return {}, "is not a folder" if os.path.lexists(base) else "does not exist"
    if not os.path.lexists(base / out_writer.MANIFEST):
        return {}, f"is not a docs-builder site (no {out_writer.MANIFEST})"
    problems: list[Diagnostic] = []
    manifest = out_writer.read_manifest(base, problems)
    if not manifest:
        text = problems[0].message.split("; it is ignored", 1)[0] if problems else "cannot be read"
        return {}, "is damaged: " + text.replace(str(base / out_writer.MANIFEST), out_writer.MANIFEST, 1)
    if manifest.get("format") != out_writer.MANIFEST_FORMAT:
        return {}, f"was built by an older docs-builder (manifest format {manifest.get('format')})"
    return manifest, None


def _fill(folder: Path, base: Path, manifest: dict) -> str | None:
    """Link every file the base's manifest lists, and its build state, into `folder` (new and
    empty); the path of the first listed file that is missing or not a regular file, None when
    all are there. The manifest's paths were checked when it was read (relative, no `..`, no
    symbolic link on the way in `base`), so they are used as they are: this is the one step of a
    preview proportional to the size of the site."""
    made: set[str] = set()
    root, target = str(base), str(folder)
    state = [rel for rel in STATE_FILES if os.path.isfile(os.path.join(root, rel))
             and not os.path.islink(os.path.join(root, rel))]
    paths = sorted(set(out_writer.manifest_paths(manifest))) + state
    prog.phase("linking the base site's files", len(paths))
    for rel in paths:
        prog.advance()
        source = os.path.join(root, rel)
        try:
            if not stat.S_ISREG(os.lstat(source).st_mode):
                return rel
        except OSError:
            return rel
        parent = rel.rpartition("/")[0]
        if parent and parent not in made:
            os.makedirs(os.path.join(target, parent), exist_ok=True)
            made.add(parent)
        dest = os.path.join(target, rel)
        try:
            os.link(source, dest, follow_symlinks=False)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(source, dest, follow_symlinks=False)
    return None
