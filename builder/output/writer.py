"""The only code that writes the site: into a staging folder beside `--out`, swapped in at the end."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError

MANIFEST = ".build/manifest.json"
STAGING_PREFIX = ".docs-builder-staging-"


class OutputClash(Exception):
    """Two outputs claimed the same file."""


class StagingWriter:
    """Writes files under a staging folder; refuses to write the same path twice."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.written: set[str] = set()

    def write(self, rel: str, data: str | bytes) -> None:
        if rel in self.written:
            raise OutputClash(rel)
        self.written.add(rel)
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)

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


def read_manifest(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def foreign_files(out: Path, manifest: dict) -> list[str]:
    """Files in the current site that the previous build did not write (a CNAME, say)."""
    if not out.is_dir() or not manifest:
        return []
    ours = set(manifest.get("outputs", {})) | set(manifest.get("extra_outputs", []))
    found = []
    for path in sorted(out.rglob("*")):
        if path.is_file():
            rel = path.relative_to(out).as_posix()
            if rel.startswith(".build/") or rel in ours:
                continue
            found.append(rel)
    return found


def swap_in(staging: Path, out: Path, keep: list[str]) -> None:
    """Make `staging` the site; files in `keep` move over from the old site untouched."""
    if out.exists():
        for rel in keep:
            src, dst = out / rel, staging / rel
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), str(dst))
        old = out.parent / f"{STAGING_PREFIX}{out.name}-old-{os.getpid()}"
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
