"""`docs-builder`: build, check, serve and translations, sharing one set of options."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import textwrap
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Problems
from ..core.errors import EXIT_CONTENT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, BuildError
from .report import print_report as _print_report


EPILOG = {
    "build": """
        examples:
          docs-builder build                          build every language and version into ./site
          docs-builder build --root docs --out public
          docs-builder build --version ghes --language fr   only French, every Enterprise Server release
          docs-builder build --version enterprise-server@3.17 --keep-going
          docs-builder build --format github          errors as GitHub Actions annotations
          docs-builder build --host cloudflare        redirects as Cloudflare Pages rules, its limits checked
          docs-builder build --base-site deployed --out preview --changed-since origin/main \
              --base-url https://pr-12.preview.example.com --production-url https://docs.example.com \
              --summary comment.md                   a complete pull-request preview and its comment
          docs-builder build --base-site deployed --out deployed   the same, built in deployed itself (CI)
          docs-builder build --shard 2/8 --out shard-2   part 2 of 8 (CI matrix); then `docs-builder assemble`

        exit status: 0 built (warnings allowed), 1 content errors (nothing written unless
        --keep-going), 2 usage or configuration error, 3 internal error.
        """,
    "check": """
        examples:
          docs-builder check                          every check of a build, nothing written
          docs-builder check --language en --format json
          docs-builder check --version fpt --format github
          docs-builder check --explain                also warn of dead and redundant ifversion conditions
          docs-builder check --lint                   also run the content rules (docs/lint.md)
          docs-builder check --external               also fetch every http(s) link (cached 7 days in .build/)

        exit status: 0 clean (warnings allowed), 1 content errors, 2 usage or configuration error.
        """,
    "serve": """
        examples:
          docs-builder serve                          http://127.0.0.1:4000, pages rendered on request
          docs-builder serve --port 8000 --language fr --version ghes
          docs-builder build && docs-builder serve --site   the built ./site as a static host serves it:
                                                      404 pages, redirects (nothing rendered)
        """,
    "translations": """
        examples:
          docs-builder translations                   status of every translation
          docs-builder translations --language fr --format json
          docs-builder translations --format github   annotations on each repair, fallback, orphan and outdated page
        """,
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _common(p: argparse.ArgumentParser, *, selection: bool = True, formats: bool = True) -> None:
    p.add_argument("--root", default=".", metavar="DIR", help="the site's root folder (default: .)")
    if selection:
        p.add_argument("--version", dest="versions", action="append", metavar="V",
                       help="build only this version: a version string (enterprise-server@3.17) or a plan (ghes); repeatable")
    p.add_argument("--language", dest="languages", action="append", metavar="L",
                   help="only this language code (en, fr, ...); repeatable")
    if formats:
        p.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how problems are printed (default: text)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docs-builder",
        description="Build versioned, multilingual documentation sites from GitHub-Docs-style content.",
        formatter_class=_Formatter,
        epilog=textwrap.dedent("""
            commands:
              build          write the site (HTML for every language, version and page)
              check          run every check of a build without writing anything
              serve          preview with live reload, rendering pages on request
              translations   report which translations are current, outdated, missing or broken
              lint           content rules on the sources: alt text, headings, link text ...
              explain        the version blocks of a page or reusable: who sees each, dead and redundant ones
              deprecate      retire the oldest supported release from the sources
              diff           compare two versions page by page (exit 1 when they differ)
              archive        freeze a release as a static snapshot in the site's output folder
              assemble       merge the shards of `build --shard K/N` into the site

            Run `docs-builder COMMAND --help` for examples.
            """),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    jobs_help = "worker processes (default: one per core)"

    p = sub.add_parser("build", help="write the site", formatter_class=_Formatter,
                       description="Build the site into --out (default <root>/site).",
                       epilog=textwrap.dedent(EPILOG["build"]))
    _common(p)
    p.add_argument("--out", metavar="DIR", help="output folder (default: <root>/site)")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help=jobs_help)
    p.add_argument("--keep-going", action="store_true", help="write every page that built even when others failed (still exits 1)")
    p.add_argument("--host", metavar="NAME", help="shape redirects for and check limits of a host: cloudflare, netlify, "
                   "github-pages, gitlab, nginx or generic (default: `host:` in data/site.yml, else generic); "
                   "not serve's --host ADDRESS, which is where serve listens (docs/deploy.md)")
    p.add_argument("--no-search", dest="search", action="store_false", help="skip the search index")
    p.add_argument("--no-markdown", dest="markdown", action="store_false",
                   help="write no Markdown copies (index.md) and no llms.txt / llms-full.txt")
    p.add_argument("--base-url", default="", metavar="URL", help="absolute site URL for sitemap.xml, such as https://docs.example.com")
    p.add_argument("--changed-since", metavar="REF",
                   help="build and check only what changed since a git ref; with --base-site: the commit the "
                        "base site must have been built from")
    p.add_argument("--clean", action="store_true", help="rebuild every page instead of reusing unchanged ones")
    p.add_argument("--base-site", metavar="DIR",
                   help="a full build (with its .build/) to take unchanged files from: --out becomes a complete "
                        "site; DIR is never modified, unless it is --out itself: the preview is then built in DIR "
                        "(the fastest way, for a copy made for this preview, as in CI)")
    p.add_argument("--summary", metavar="FILE",
                   help="write a Markdown pull-request comment listing the changed pages with their links")
    p.add_argument("--production-url", default="", metavar="URL",
                   help="the live site's URL, for the production links of --summary")
    from .shards_cmd import add_shard_option, register as register_assemble
    add_shard_option(p)

    p = sub.add_parser("check", help="check without writing", formatter_class=_Formatter,
                       description="Run every check a build runs; write nothing.",
                       epilog=textwrap.dedent(EPILOG["check"]))
    _common(p)
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help=jobs_help)
    p.add_argument("--changed-since", metavar="REF", help="check only what changed since a git ref")
    p.add_argument("--explain", action="store_true", help="also warn of dead and redundant ifversion conditions")
    p.add_argument("--lint", action="store_true", help="also run the content rules (on when data/lint.yml exists)")
    from .lint_cmd import add_today as add_lint_today, register as register_lint
    add_lint_today(p)
    from .external import add_options as add_external
    add_external(p)

    p = sub.add_parser("serve", help="preview with live reload", formatter_class=_Formatter,
                       description="Serve the site on 127.0.0.1, rendering pages on request.",
                       epilog=textwrap.dedent(EPILOG["serve"]))
    _common(p, formats=False)
    p.add_argument("--port", type=int, default=4000, help="port (default: 4000)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: 127.0.0.1, this machine only; others print a warning)")
    p.add_argument("--allow-host", dest="allow_hosts", action="append", metavar="NAME",
                   help="also answer requests whose Host is NAME (only localhost, loopback addresses and "
                        "the --host address are answered); repeatable")
    p.add_argument("--site", nargs="?", const="", metavar="DIR",
                   help="serve a built site folder as a host would (default DIR: <root>/site) instead of rendering")

    p = sub.add_parser("translations", help="translation status", formatter_class=_Formatter,
                       description="Report, per language, pages translated and current, outdated, missing or broken.",
                       epilog=textwrap.dedent(EPILOG["translations"]))
    _common(p, selection=False)
    from .deprecate_cmd import add_parser as add_deprecate
    from .explain import register as register_explain
    from .maintain_cli import add_parsers  # diff, archive

    register_explain(sub, _common, _Formatter)
    register_lint(sub, _common, _Formatter)
    add_deprecate(sub, _Formatter)
    add_parsers(sub, _common, _Formatter)
    register_assemble(sub, _common, _Formatter)
    return parser


def run() -> None:
    """The `docs-builder` command: `main()`, then exit at once. Letting the interpreter free a
    large build's objects one by one took longer than a no-change rebuild itself."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    # A build holds many small objects for its whole run; the default collector thresholds
    # make it rescan them over and over (builds of 10,000 pages ran 3x slower).
    gc.set_threshold(100_000, 50, 100)
    _interrupt_on_sigterm()
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    try:
        if args.command in ("build", "check"):
            return _build(args)
        if args.command == "serve" and args.site is not None:
            from ..serve.static_site import serve_site

            return serve_site(args)
        if args.command == "serve":
            from ..serve.server import serve

            return serve(args)
        if args.command == "translations":
            from .translations import run_translations

            return run_translations(args)
        if args.command == "deprecate":
            from .deprecate_cmd import run_deprecate

            return run_deprecate(args)
        if args.command == "explain":
            from .explain import run_explain

            return run_explain(args)
        if hasattr(args, "run"):
            return args.run(args)
    except BuildError as err:
        problems = Problems()
        problems.extend(err.diagnostics)
        _print_report(problems, getattr(args, "format", "text"))
        return err.exit_status
    except KeyboardInterrupt as err:  # a commit under way is finished first, and says so
        print(f"docs-builder: {str(err) or 'interrupted; the previous site was left as it was'}", file=sys.stderr)
        return 130
    except Exception as err:  # never a traceback for a user
        print(f"docs-builder: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        if os.environ.get("DOCS_BUILDER_DEBUG"):
            raise
        return EXIT_INTERNAL
    return EXIT_USAGE


def _interrupt_on_sigterm() -> None:
    """SIGTERM stops a build the way Ctrl+C does: the staging folder is removed, the site kept."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        pass


def _build(args) -> int:
    from ..ci.preview import build
    from ..core.progress import showing
    from ..pipeline.build import BuildOptions
    from ..sources.settings import check_base_url_option

    check_base_url_option(getattr(args, "base_url", None))  # DB821 before anything is built
    from .progress import TerminalProgress, wanted as progress_wanted
    from .shards_cmd import shard_of

    options = BuildOptions(
        root=Path(args.root),
        out=Path(args.out) if getattr(args, "out", None) else None,
        versions=args.versions,
        languages=args.languages,
        jobs=args.jobs,
        keep_going=getattr(args, "keep_going", False),
        write=args.command == "build",
        progress=progress_wanted(args.format),
        search=getattr(args, "search", True),
        markdown=getattr(args, "markdown", True),
        changed_since=getattr(args, "changed_since", None),
        incremental=not getattr(args, "clean", False),
        base_url=getattr(args, "base_url", None) or "",
        host=getattr(args, "host", None),
        shard=shard_of(args),
    )
    base_site = getattr(args, "base_site", None)
    with showing(TerminalProgress() if options.progress else None):
        report, changes = build(options, Path(base_site) if base_site else None)
    problems = report.problems
    if getattr(args, "explain", False):
        from ..maintain.reach import explain_warnings

        problems.extend(explain_warnings(options.root, options.languages))
    if args.command == "check":
        from .lint_cmd import lint_in_check

        linted = lint_in_check(args)
        # A rendered-output check that a content rule also made at the same line is said once,
        # by the rule (with the severity data/lint.yml gives it).
        said = {(codes.RENDERED_FOR_RULE.get(d.code), d.location.path, d.location.line) for d in linted
                if d.location is not None}
        problems.drop(lambda d: d.location is not None and (d.code, d.location.path, d.location.line) in said)
        problems.extend(linted)
    external = None
    if getattr(args, "external", False):
        from .external import check_external
        found, external = check_external(args, report.external)
        problems.extend(found)
    summary_failed = False
    if getattr(args, "summary", None):
        summary_failed = not _write_summary(Path(args.summary), changes, report.written, options.base_url,
                                            args.production_url)
    internal = [d for d in problems.errors if d.code is codes.INTERNAL]
    if args.format == "json":
        doc = problems.to_json()
        doc.update({"pages": report.pages, "outputs": report.outputs, "written": report.written,
                    "unchanged_pages": report.reused, "seconds": round(report.seconds, 3)})
        if report.written and problems.errors:  # --keep-going: what was left out, what has errors
            from .keep_going import page_lists
            doc["not_written"], doc["written_with_errors"] = page_lists(report, problems)
        if report.host:
            doc["host"] = report.host
        if external is not None:
            doc["external_links"] = external
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        if external is not None:
            from .external import account
            print(account(external), file=sys.stderr)
        _print_report(problems, args.format)
        verb = "built" if args.command == "build" else "checked"
        where = f" into {report.out}" if report.written else ""
        unchanged = f", {report.reused} unchanged" if report.reused else ""
        status = (f"{verb} {report.outputs} pages ({report.pages} sources{unchanged}){where} in "
                  f"{report.seconds:.1f}s; {problems.summary()}")
        if report.host:
            status += f"; {report.host}"
        if args.command == "build" and problems.errors and not report.written:
            status += f"; nothing written, {report.out} is unchanged"
        elif problems.errors and report.written:
            from .keep_going import keep_going_lines
            status = "\n".join([*keep_going_lines(report, problems), status + " (--keep-going)"])
        print(status, file=sys.stderr)
    if internal:
        return EXIT_INTERNAL
    if problems.errors:
        return EXIT_CONTENT
    return EXIT_USAGE if summary_failed else EXIT_OK


def _write_summary(path: Path, changes, written: bool, base_url: str, production_url: str) -> bool:
    from ..ci.changes import ChangeSet
    from ..ci.summary import render

    text = render(changes or ChangeSet(None, []), base_url=base_url, production_url=production_url,
                  failed=not written)
    try:
        path.write_text(text, "utf-8")
    except OSError as err:
        print(f"docs-builder: cannot write --summary {path}: {err.strerror or err}", file=sys.stderr)
        return False
    return True
