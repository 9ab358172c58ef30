"""`docs-builder diff` and `docs-builder archive`: the maintainer's commands."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

DIFF_EPILOG = """
    examples:
      docs-builder diff ghes@3.16 ghes@3.17              what changed for Enterprise Server readers
      docs-builder diff ghes@3.17 fpt --format markdown > comment.md
      docs-builder diff enterprise-server@3.17 free-pro-team@latest --language fr --format json

    A and B are version strings (enterprise-server@3.17), plan@release (ghes@3.17) or a plan
    with one version (fpt). Pages that exist in only one version are listed, and for pages in
    both, each block of text (title, intro, body) that differs, with the ifversion blocks (file
    and line) that make it differ.

    exit status: 0 no differences, 1 differences, 2 error (an unknown version, a page whose
    Liquid fails).
    """

ARCHIVE_EPILOG = """
    examples:
      docs-builder archive ghes@3.14 --out site     freeze Enterprise Server 3.14 into ./site
      docs-builder archive enterprise-server@3.14 --out site --replace
      docs-builder archive ghes@3.14 --language en --keep-going

    The release's pages, in every language, are written under --out at their usual URLs
    (site/en/enterprise-server@3.14/...), each with a banner saying the release is no longer
    supported and linking to the latest version of the page; the archive's styles and scripts
    are frozen under site/_archive/enterprise-server@3.14/, with archive.json, the marker. Later
    builds into the same --out leave the archive as it is (and build no page of that release),
    and write site/versions.json, from which the archive's version picker reads the current
    versions. Archive a release before `docs-builder deprecate` removes it from the sources.

    exit status: 0 archived, 1 content errors (nothing written unless --keep-going), 2 usage error (a deprecated or
    unknown release, an archive already there without --replace).
    """


def add_parsers(sub, common, formatter) -> None:
    p = sub.add_parser("diff", help="compare two versions", formatter_class=formatter,
                       description="Compare what two versions of the site say, page by page.",
                       epilog=textwrap.dedent(DIFF_EPILOG))
    common(p, selection=False, formats=False)
    p.add_argument("a", metavar="A", help="the version compared from (ghes@3.16)")
    p.add_argument("b", metavar="B", help="the version compared to (ghes@3.17)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text (default), json, or markdown (a pull-request comment)")
    p.set_defaults(run=run_diff)

    p = sub.add_parser("archive", help="freeze a release as a static snapshot", formatter_class=formatter,
                       description="Freeze one release as a static snapshot inside a site's output folder.",
                       epilog=textwrap.dedent(ARCHIVE_EPILOG))
    common(p, selection=False)
    p.add_argument("release", metavar="RELEASE", help="the release to freeze (ghes@3.14)")
    p.add_argument("--out", metavar="DIR", help="the site's output folder (default: <root>/site)")
    p.add_argument("--replace", action="store_true", help="replace an archive of the release already in --out")
    p.add_argument("--keep-going", action="store_true",
                   help="archive every page that built even when others failed (still exits 1)")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: one per core)")
    p.set_defaults(run=run_archive)


def run_diff(args: argparse.Namespace) -> int:
    from ..maintain.diff import diff_versions
    from ..maintain.diff_report import render
    from .report import print_report as _print_report

    if args.languages and len(args.languages) > 1:
        print("docs-builder: diff compares one language; give --language once", file=sys.stderr)
        return 2
    result = diff_versions(Path(args.root), args.a, args.b, args.languages[0] if args.languages else None)
    if len(result.problems):
        _print_report(result.problems, "text")
    print(render(result, args.format))
    if result.problems.errors:
        return 2
    return 1 if result.differs else 0


def run_archive(args: argparse.Namespace) -> int:
    from ..maintain.archive import archive_release
    from .report import print_report as _print_report

    out = Path(args.out) if args.out else Path(args.root) / "site"
    report = archive_release(Path(args.root), args.release, out, languages=args.languages,
                             replace=args.replace, jobs=args.jobs, keep_going=args.keep_going)
    _print_report(report.problems, args.format)
    if not report.written:
        print(f"archive of {report.version} not written; {report.problems.summary()}", file=sys.stderr)
        return 1
    skipped = "; pages with errors were left out (--keep-going)" if report.problems.errors else ""
    print(f"archived {report.version}: {report.pages} pages in {', '.join(report.languages)} into "
          f"{out}; {report.problems.summary()}{skipped}", file=sys.stderr)
    return 1 if report.problems.errors else 0
