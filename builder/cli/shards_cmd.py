"""`build --shard K/N` and `docs-builder assemble SHARD_DIR... --out SITE` (see docs/sharding.md)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import EXIT_CONTENT, EXIT_INTERNAL, EXIT_OK, ConfigError

EPILOG = """
    examples:
      docs-builder build --shard 1/3 --out shard-1     on three CI runners, one shard each ...
      docs-builder build --shard 2/3 --out shard-2
      docs-builder build --shard 3/3 --out shard-3
      docs-builder assemble shard-1 shard-2 shard-3 --out site   ... then the whole site
      docs-builder assemble shard-* --root docs --out public --format json
      docs-builder assemble --in-place --out site      the N shard folders merged into site
      docs-builder assemble --in-place --out site --base-site last-site   ... and what changed since last-site

    --in-place is for CI: download every shard's artifact into one folder (on GitHub Actions,
    actions/download-artifact with merge-multiple: true) and assemble it there; no page is
    copied or linked, only the whole-site files are written. See docs/sharding.md.

    The shards' settings (--version, --language, --no-search, --no-markdown, --base-url) are
    used; --root must hold the sources the shards were built from. The site is byte-identical
    to `docs-builder build` of the same tree with the same settings.

    exit status: 0 assembled (warnings allowed), 1 content errors (nothing written unless
    --keep-going), 2 shards that do not fit together or an unusable --out, 3 internal error.
    """


def add_shard_option(p) -> None:
    p.add_argument("--shard", metavar="K/N",
                   help="build only part K of N of the outputs (for a CI matrix); `assemble` merges the N parts")


def shard_of(args):
    """The ShardSpec of `build --shard`, or None; exit status 2 for a malformed or impossible one."""
    text = getattr(args, "shard", None)
    if text is None:
        return None
    from ..ci.shards import parse_shard

    spec = parse_shard(text)
    for flag, value in (("--changed-since", getattr(args, "changed_since", None)),
                        ("--base-site", getattr(args, "base_site", None))):
        if value:
            raise ConfigError(Diagnostic(codes.SHARD_OPTION, f"--shard cannot be combined with {flag}: a shard "
                                         "builds its whole part (it reuses its own unchanged pages by itself)", None))
    return spec


def register(sub, common, formatter) -> None:
    p = sub.add_parser("assemble", help="merge build shards into the site", formatter_class=formatter,
                       description="Merge the folders of `build --shard K/N` (all N of them) into one site, "
                                   "writing the whole-site files (redirects, sitemap, search entry points, ...).",
                       epilog=textwrap.dedent(EPILOG))
    p.add_argument("--root", default=".", metavar="DIR", help="the site's root folder (default: .)")
    p.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="how problems are printed (default: text)")
    p.add_argument("shards", nargs="*", metavar="SHARD_DIR", help="the --out folders of the N shard builds")
    p.add_argument("--out", metavar="DIR", help="output folder (default: <root>/site)")
    p.add_argument("--in-place", action="store_true",
                   help="the N shard folders were merged into --out (CI's download of every shard's artifact into "
                        "one folder): assemble there, without SHARD_DIR")
    p.add_argument("--base-site", metavar="DIR",
                   help="with --in-place: the last site, which .build/changes.json compares with")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: one per core)")
    p.add_argument("--keep-going", action="store_true", help="write the site even when pages have errors (still exits 1)")
    p.set_defaults(run=run_assemble)


def run_assemble(args) -> int:
    from ..ci.assemble import assemble
    from .report import print_report

    root = Path(args.root)
    out = Path(args.out) if args.out else root / "site"
    why = None
    if args.in_place and args.shards:
        why = "--in-place takes no SHARD_DIR: the shards are in --out"
    elif args.base_site and not args.in_place:
        why = "--base-site goes with --in-place (without it, the change list compares with --out)"
    elif not args.in_place and not args.shards:
        why = "name the shard folders (SHARD_DIR...), or merge them into --out and pass --in-place"
    if why is not None:
        raise ConfigError(Diagnostic(codes.SHARD_OPTION, f"assemble: {why}", None))
    report = assemble([Path(s) for s in args.shards], root, out, jobs=args.jobs, keep_going=args.keep_going,
                      in_place=args.in_place, base_site=Path(args.base_site) if args.base_site else None)
    problems = report.problems
    if args.format == "json":
        doc = problems.to_json()
        doc.update({"pages": report.pages, "outputs": report.outputs, "written": report.written,
                    "shards": report.shards, "seconds": round(report.seconds, 3)})
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print_report(problems, args.format)
        where = f" into {report.out}" if report.written else ""
        status = (f"assembled {report.outputs} pages ({report.pages} sources) from {report.shards} shards{where} "
                  f"in {report.seconds:.1f}s; {problems.summary()}")
        if problems.errors and not report.written:
            status += f"; nothing written, {report.out} is unchanged"
        print(status, file=sys.stderr)
    if any(d.code is codes.INTERNAL for d in problems.errors):
        return EXIT_INTERNAL
    return EXIT_CONTENT if problems.errors else EXIT_OK
