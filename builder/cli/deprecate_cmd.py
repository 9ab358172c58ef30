"""`docs-builder deprecate RELEASE [--dry-run]`: the command line of maintain/deprecate.py."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from ..core.diagnostics import Problems, render_report

EPILOG = """
    examples:
      docs-builder deprecate ghes@3.14 --dry-run     show what would change, as a unified diff
      docs-builder deprecate enterprise-server@3.14  do it: versions.yml, content, data, translations
      docs-builder deprecate ghes@3.14 --root docs --format json

    The release must be the plan's oldest supported one. Liquid that served only it (and older
    releases) is removed, `versions:` ranges are simplified, pages left with no supported version
    are removed with their translations and `children` entry. Everything else stays byte for byte.
    Review the result with `git diff`, then build.

    exit status: 0 done (warnings name what was left as it was), 2 usage error or a file that
    could not be written, 3 internal error.
    """


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("deprecate", help="retire the oldest supported release from the sources",
                       formatter_class=formatter, epilog=textwrap.dedent(EPILOG),
                       description="Deprecate RELEASE (such as ghes@3.14): move it to `deprecated` in "
                                   "data/versions.yml and remove what served only it from content, data and "
                                   "translations.")
    p.add_argument("release", metavar="RELEASE", help="PLAN@RELEASE, such as ghes@3.14 or enterprise-server@3.14")
    p.add_argument("--root", default=".", metavar="DIR", help="the site's root folder (default: .)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a unified diff; write nothing")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (diff on stdout with --dry-run, report on stderr) or one JSON document")


def run_deprecate(args: argparse.Namespace) -> int:
    from ..maintain.changes import write_deprecation
    from ..maintain.deprecate import plan_deprecation

    root = Path(args.root)
    result = plan_deprecation(root, args.release)
    problems = Problems()
    problems.extend(result.problems)
    failed = [] if args.dry_run else write_deprecation(root, result)
    problems.extend(failed)
    changed, removed, minus, plus = result.counts()
    verb = "would change" if args.dry_run else "changed"
    summary = (f"deprecated {result.version}: {verb} {changed} file{'' if changed == 1 else 's'}, "
               f"{'would remove' if args.dry_run else 'removed'} {removed} ({minus} lines removed, {plus} added); "
               f"{problems.summary()}")
    if args.format == "json":
        doc = problems.to_json()
        doc.update({"version": result.version, "dry_run": args.dry_run,
                    "changed": sorted(r for r, t in result.new_text.items() if t is not None),
                    "removed": sorted(r for r, t in result.new_text.items() if t is None),
                    "lines_removed": minus, "lines_added": plus})
        if args.dry_run:
            doc["diff"] = result.diff()
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        if args.dry_run:
            sys.stdout.write(result.diff())
        report = render_report(problems, "text")
        if report:
            print(report + "\n", file=sys.stderr)
        print(summary, file=sys.stderr)
    return 2 if failed else 0
