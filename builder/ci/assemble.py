"""`docs-builder assemble SHARD_DIR... --out SITE`: check the shards, then put them together.

The settings (versions, languages, search, Markdown copies, base URL) are the shards' own, read
from their `.build/shard.json`; the sources are --root's, which must be the ones the shards were
built from (the same fingerprint). The assembled site is byte-identical to `docs-builder build`
of the same tree with the same settings (see docs/sharding.md).
"""

from __future__ import annotations

from pathlib import Path

from ..pipeline.assembly import run_assemble
from ..pipeline.build import BuildOptions, BuildReport
from .changes import compute
from .shards import check_root, check_shards


def assemble(folders: list[Path], root: Path, out: Path, *, jobs: int = 0, keep_going: bool = False) -> BuildReport:
    checked = check_shards(folders)
    ordered = [folder for folder, _ in checked]
    settings = checked[0][1]["settings"]
    expected = checked[0][1]["fingerprint"]
    options = BuildOptions(root=root, out=out, versions=settings.get("versions"), languages=settings.get("languages"),
                           jobs=jobs, keep_going=keep_going, search=bool(settings.get("search", True)),
                           markdown=bool(settings.get("markdown", True)), base_url=settings.get("base_url") or "",
                           host=settings.get("host"),
                           staged=lambda info: compute(info).chunks())
    return run_assemble(options, ordered, expected, lambda found: check_root(ordered, expected, found, root))
