"""`docs-builder lint`: the content rules on the sources (docs/lint.md)."""

from __future__ import annotations

import os
import sys
import textwrap
from datetime import date
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems
from ..core.errors import EXIT_CONTENT, EXIT_OK, ConfigError
from ..core.paths import inside, one_line
from .report import print_report

EPILOG = """
    examples:
      docs-builder lint                           every page under content/ and every reusable
      docs-builder lint content/packages data/reusables/package_registry
      docs-builder lint --format json content/index.md
      docs-builder lint --today 2027-01-01        as if it were that day (expiry comments)

    severities come from data/lint.yml (rules: {link-text: error, fence-language: off});
    `<!-- lint-disable-line NAME -->` ends a line to silence a rule there,
    `<!-- lint-disable-next-line NAME -->` silences it on the next line.

    exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or configuration error.
    """


def register(sub, common, formatter) -> None:
    p = sub.add_parser("lint", help="content rules on the sources", formatter_class=formatter,
                       description="Run the content rules (docs/lint.md) on pages and reusables.",
                       epilog=textwrap.dedent(EPILOG))
    common(p, selection=False)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to lint (default: all)")
    add_today(p)
    p.set_defaults(run=run_lint)


def add_today(p) -> None:
    p.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="the date expiry comments are compared with (default: today)")


def run_lint(args) -> int:
    from ..checks.lint import lint_site

    root = Path(args.root)
    if not root.is_dir():
        raise ConfigError(Diagnostic(codes.LINT_PATH, f"--root {one_line(args.root)!r} is not a folder"))
    if args.languages and "en" not in args.languages:
        raise ConfigError(Diagnostic(codes.LINT_PATH, "lint reads the English sources only (content/ and "
                                                      "data/reusables/); leave out --language"))
    paths = [_relative(root, p) for p in args.paths]
    found, count = lint_site(root, paths or None, args.today)
    problems = Problems()
    problems.extend(found)
    print_report(problems, args.format)
    if args.format != "json":
        print(f"linted {count} file{'s' if count != 1 else ''}; {problems.summary()}", file=sys.stderr)
    return EXIT_CONTENT if problems.errors else EXIT_OK


def _relative(root: Path, text: str) -> str:
    """PATH as a path under the root: relative to it when it exists there, else from the current
    folder; never outside the root (by `..` or a symbolic link), only pages and reusables."""
    root_real = os.path.realpath(root)
    candidate = os.path.join(root_real, text) if not os.path.isabs(text) else text
    if not os.path.lexists(candidate) and os.path.lexists(text):
        candidate = text
    real = os.path.realpath(candidate)
    if not inside(root_real, real, os.sep):
        raise ConfigError(Diagnostic(codes.LINT_PATH, f"PATH {one_line(text)!r} is outside the site's root; "
                                                      "lint reads only files under --root"))
    rel = os.path.relpath(real, root_real).replace(os.sep, "/")
    if rel == ".":
        return ""
    if not os.path.exists(real):
        raise ConfigError(Diagnostic(codes.LINT_PATH, f"PATH {one_line(text)!r} does not exist"))
    top = rel + "/"
    if not any(top.startswith(t + "/") or t.startswith(top) for t in ("content", "data/reusables")) or \
            (os.path.isfile(real) and not rel.endswith(".md")):
        raise ConfigError(Diagnostic(codes.LINT_PATH, f"PATH {one_line(text)!r} is not a page or a reusable "
                                                      "(Markdown under content/ or data/reusables/)"))
    return rel


def lint_in_check(args) -> list[Diagnostic]:
    """The content rules' findings for `check`: with --lint, or when the site has data/lint.yml."""
    from ..checks.lint import CONFIG, lint_site

    root = Path(args.root)
    wanted = args.languages is None or any(lang in ("en",) for lang in args.languages)
    if not (args.lint or (root / CONFIG).is_file()) or not wanted:
        return []
    return lint_site(root, None, args.today)[0]
