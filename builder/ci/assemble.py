"""`docs-builder assemble SHARD_DIR... --out SITE`: check the shards, then put them together.

The settings (versions, languages, search, Markdown copies, base URL) are the shards' own, read
from their `.build/shard.json`; the sources are --root's, which must be the ones the shards were
built from (the same fingerprint). The assembled site is byte-identical to `docs-builder build`
of the same tree with the same settings (see docs/sharding.md).
"""

from __future__ import annotations

from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from ..output import writer as out_writer
from ..pipeline.assembly import run_assemble
from ..pipeline.build import BuildOptions, BuildReport
from ..pipeline.shard import MERGED_STATES, merged_states
from .changes import compute
from .shards import check_root, check_shards


def assemble(folders: list[Path], root: Path, out: Path, *, jobs: int = 0, keep_going: bool = False,
             in_place: bool = False, base_site: Path | None = None) -> BuildReport:
    """`in_place`: the N shard folders were merged into `out` (no `folders`): their states are
    under out/.build/shards/, and `base_site` is the last site (for .build/changes.json)."""
    previous: dict = {}
    if in_place:
        folders = merged_states(out)
        if not folders:
            raise ConfigError(Diagnostic(codes.SHARD_NOT_A_SHARD, f"{out} holds no merged shards: --in-place expects "
                                         f"the files of every shard's --out copied into it ({MERGED_STATES}/ "
                                         "included); without --in-place, name the shard folders", None))
        if base_site is not None:
            problems: list = []
            previous = out_writer.read_manifest(base_site, problems)
            if not previous:
                why = problems[0].message if problems else f"has no {out_writer.MANIFEST}"
                raise ConfigError(Diagnostic(codes.SHARD_OPTION, f"--base-site {base_site} is not a site docs-builder "
                                             f"built: {why}", None))
    checked = check_shards(folders)
    ordered = [folder for folder, _ in checked]
    settings = checked[0][1]["settings"]
    expected = checked[0][1]["fingerprint"]
    options = BuildOptions(root=root, out=out, versions=settings.get("versions"), languages=settings.get("languages"),
                           jobs=jobs, keep_going=keep_going, search=bool(settings.get("search", True)),
                           markdown=bool(settings.get("markdown", True)), base_url=settings.get("base_url") or "",
                           host=settings.get("host"),
                           staged=lambda info: compute(info).chunks(),
                           previous_manifest=previous or None, previous_label=str(base_site) if previous else None)
    return run_assemble(options, ordered, lambda found: check_root(ordered, expected, found, root),
                        in_place=in_place)
