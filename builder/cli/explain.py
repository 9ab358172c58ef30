"""`docs-builder explain PATH`: the version blocks of a page or a reusable, and who sees each."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Problems, render_report
from ..core.errors import ConfigError, ContentError
from ..core.paths import check_kept_path, explain as explain_issue, inside, one_line

EPILOG = """
    examples:
      docs-builder explain content/packages/quickstart.md
      docs-builder explain reusables.package_registry.token-intro     a reusable, by its data name
      docs-builder explain data/reusables/package_registry/token-intro.md --format json
      docs-builder explain content/packages/quickstart.md --language fr   its French translation
      docs-builder check --explain         dead and redundant conditions of the whole site, as warnings

    A block's condition is judged where it is evaluated: in the versions of the page (for a
    reusable, of the pages that include it) that reach the block and skip the branches before it.
    dead: never true there; redundant: always true there; simplifiable: a shorter condition is
    true in the same versions there.

    exit status: 0 explained, 1 the file's Liquid does not parse (its errors are listed),
    2 PATH is not a page or a reusable of the site, or is outside --root.
    """
DOTTED = re.compile(r"reusables(?:\.[A-Za-z0-9_\-]+)+")
SAY = "name a page (content/....md), a reusable (data/reusables/....md), a translation of one, or reusables.a.b"


def register(sub, common, formatter) -> None:
    """Add the `explain` subcommand to the parser's subcommands."""
    p = sub.add_parser("explain", help="the version blocks of a page or reusable", formatter_class=formatter,
                       description="Every ifversion block of a page or reusable: its condition, the versions "
                                   "where it is true and rendered, the data it uses; dead, redundant and "
                                   "simplifiable conditions flagged with their simplest equivalent.",
                       epilog=textwrap.dedent(EPILOG))
    p.add_argument("path", metavar="PATH",
                   help="content/....md, data/reusables/....md, a translation of one, or reusables.a.b")
    common(p, selection=False, formats=False)
    for action in p._actions:
        if action.dest == "languages":
            action.help = "explain PATH's translation in this language (fr, ...): the translated page or reusable"
    p.add_argument("--format", choices=("text", "json"), default="text", help="output (default: text)")


@dataclass(frozen=True)
class Target:
    kind: str
    """`page` or `reusable`."""
    rel: str
    """The file, relative to the root."""
    lang: object


def run_explain(args) -> int:
    from ..maintain.reach import explain_page, explain_reusable
    from ..maintain.report import Explained, to_json, to_text
    from ..pipeline.site import Site

    site = Site(Path(args.root), None, None)
    target = resolve(site, args.path, args.languages)
    if target.kind == "page":
        english = target.rel[len(target.lang.dir) + 1:] if target.lang.dir else target.rel
        result = explain_page(site, target.lang, site.tree.pages[english[len("content/"):]])
    else:
        result = explain_reusable(site, target.lang, target.rel)
    if not isinstance(result, Explained):  # the Liquid does not parse: say why, as check would
        problems = Problems()
        problems.extend(result.diagnostics)
        text = render_report(problems, args.format)
        print(text, file=sys.stdout if args.format == "json" else sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(to_text(result))
    return 0


def resolve(site, text: str, languages: list[str] | None) -> Target:
    """What PATH names; a `ConfigError` (exit status 2) when it names nothing explainable."""
    config = site.config
    if languages and len(languages) > 1:
        raise _error(codes.EXPLAIN_PATH, "explain takes at most one --language")
    chosen = None
    if languages:
        chosen = config.language(languages[0])
        if chosen is None:
            known = ", ".join(lang.code for lang in config.languages)
            raise ConfigError(Diagnostic(codes.CONFIG_SELECTION, f"--language {languages[0]!r} is not configured; known: {known}"))
    if DOTTED.fullmatch(text):
        lang = chosen or config.default_language
        rel = site.data.reusable_file(lang, text.split("."))
        if rel is None:
            raise _error(codes.EXPLAIN_PATH, f"PATH {text!r} names no reusable: expected data/{text.replace('.', '/')}.md")
        if chosen is not None and not chosen.is_default and not rel.startswith(f"{chosen.dir}/"):
            raise _error(codes.EXPLAIN_PATH, f"reusable {text!r} has no {chosen.code} translation "
                                             f"(expected {chosen.dir}/{rel}); explain {rel} instead")
        return Target("reusable", rel, lang)
    rel = _relative(config.root, text)
    lang, inner = config.default_language, rel
    for other in config.languages:
        if other.dir and rel.startswith(other.dir + "/"):
            lang, inner = other, rel[len(other.dir) + 1:]
    if chosen is not None and chosen is not lang:
        if not lang.is_default:
            raise _error(codes.EXPLAIN_PATH, f"PATH {text!r} is a {lang.code} file, but --language {chosen.code} was given")
        lang, rel = chosen, (f"{chosen.dir}/{inner}" if chosen.dir else inner)
    if inner.startswith("content/") and inner.endswith(".md"):
        page = inner[len("content/"):]
        if page not in site.tree.pages:
            why = ("is not built: no 'children' list reaches it" if page in site.tree.unreachable
                   else "could not be loaded (docs-builder check says why)" if page in site.tree.failed
                   else "does not exist")
            raise _error(codes.EXPLAIN_PATH, f"page {inner!r} {why}")
        if not lang.is_default:
            loc = site.localized(lang, site.tree.pages[page])
            if loc.translation_path is None or not loc.props["body"].translated:
                reason = "does not exist" if loc.translation_path is None and not loc.problems else \
                    "cannot be used (docs-builder check says why)"
                raise _error(codes.EXPLAIN_PATH, f"the {lang.code} translation {rel!r} of {inner} {reason}")
        return Target("page", rel, lang)
    if inner.startswith("data/reusables/") and inner.endswith(".md"):
        if not os.path.isfile(os.path.join(config.root, rel)):
            raise _error(codes.EXPLAIN_PATH, f"reusable {rel!r} does not exist")
        return Target("reusable", rel, lang)
    raise _error(codes.EXPLAIN_PATH, f"PATH {text!r} is not a page or a reusable; {SAY}")


def _relative(root: Path, text: str) -> str:
    """PATH relative to the root: as given when it exists there, else from the current folder;
    never a path that leaves the root, by `..` or by a symbolic link."""
    root_real = os.path.realpath(root)
    posix = text.replace(os.sep, "/")
    while posix.startswith("./"):
        posix = posix[2:]
    if not os.path.isabs(text):
        issue = check_kept_path(posix)
        if issue is None:
            if os.path.lexists(os.path.join(root_real, posix)) or not os.path.lexists(text):
                return _inside(root_real, posix, text)
        elif ".." not in posix.split("/"):
            raise _error(codes.EXPLAIN_PATH, explain_issue("PATH", posix, issue, SAY, suggest=False))
    # an absolute path, one with `..`, or one found from the current folder
    real = os.path.realpath(text)
    if not inside(root_real, real, os.sep):
        raise _error(codes.EXPLAIN_OUTSIDE_ROOT,
                     f"PATH {one_line(text)!r} is outside the site's root ({one_line(str(root))}); "
                     "explain reads only files under --root")
    return _inside(root_real, os.path.relpath(real, root_real).replace(os.sep, "/"), text)


def _inside(root_real: str, rel: str, text: str) -> str:
    """`rel` when it resolves inside the root (no symbolic link on the way leads out)."""
    from ..sources.files import contained_path

    try:
        contained_path(Path(root_real), rel)
    except ContentError:
        raise _error(codes.EXPLAIN_OUTSIDE_ROOT,
                     f"PATH {one_line(text)!r} leads outside the site's root through a symbolic link; "
                     "explain reads only files under --root") from None
    return rel


def _error(code, message: str) -> ConfigError:
    return ConfigError(Diagnostic(code, message))
