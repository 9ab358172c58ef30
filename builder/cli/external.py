"""`check --external`: the options, and the diagnostics of the external links found broken."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..checks.external_links import Cache, Settings, check_urls, parse_age, redact
from ..core import codes
from ..core.diagnostics import Diagnostic, Severity

CACHE_FILE = Path(".build") / "external-links.json"


def _age(text: str) -> float:
    try:
        return parse_age(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("external links")
    g.add_argument("--external", action="store_true",
                   help="also fetch every http(s) link of the pages (once each) and report broken ones")
    g.add_argument("--external-errors", action="store_true",
                   help="an external link that answers 4xx is an error (exit status 1), not a warning")
    g.add_argument("--external-max-age", type=_age, default=7 * 86400.0, metavar="AGE",
                   help="reuse a link's good result for this long: 7d (default), 12h, 30m, 90s, 0 to fetch all")
    g.add_argument("--external-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                   help="seconds to wait for an answer (default: 10)")
    g.add_argument("--external-allow-private", action="store_true",
                   help="also fetch links to loopback and private addresses (off: a pull request's links "
                        "must not probe the CI machine's network)")
    g.add_argument("--external-cache", metavar="FILE",
                   help=f"the results cache (default: <root>/{CACHE_FILE.as_posix()})")


def check_external(args, found: list) -> tuple[list[Diagnostic], dict[str, int]]:
    """Diagnostics of the broken links among `found` ((URL, location, notes, lang, version) tuples),
    and counts of what was fetched."""
    path = Path(args.external_cache) if args.external_cache else Path(args.root) / CACHE_FILE
    cache = Cache.read(path)
    problems: list[Diagnostic] = []
    if cache.warning:
        problems.append(Diagnostic(
            codes.EXTERNAL_CACHE_DAMAGED,
            f"the external link cache {path} was ignored: {cache.warning}; every link is fetched again",
            None, Severity.WARNING))
    settings = Settings(timeout=args.external_timeout, max_age=args.external_max_age,
                        allow_private=args.external_allow_private)
    urls = sorted({url for url, *_ in found})
    results = check_urls(urls, cache, settings)
    try:
        cache.write()
    except OSError as err:
        problems.append(Diagnostic(
            codes.EXTERNAL_CACHE_UNWRITABLE,
            f"cannot write the external link cache {path}: {err.strerror or err}; the next run fetches every link again",
            None, Severity.WARNING))
    places: dict[tuple, set[str]] = {}
    for url, where, notes, lang, version in found:
        places.setdefault((url, where, notes), set()).add(version if lang == "en" else f"{lang}/{version}")
    for (url, where, notes), versions in places.items():
        result = results[url]
        if result.ok:
            continue
        shown = redact(url)
        if result.broken:
            problems.append(Diagnostic(
                codes.EXTERNAL_LINK_BROKEN, f"external link {shown!r} is broken: {result.describe()}",
                where, Severity.ERROR if args.external_errors else Severity.WARNING, notes, tuple(sorted(versions))))
        else:
            problems.append(Diagnostic(
                codes.EXTERNAL_LINK_UNREACHABLE, f"external link {shown!r} could not be checked: {result.describe()}",
                where, Severity.WARNING, notes, tuple(sorted(versions))))
    fetched = sum(1 for r in results.values() if not r.cached)
    stats = {"urls": len(results), "fetched": fetched, "from_cache": len(results) - fetched,
             "not_working": sum(1 for r in results.values() if not r.ok)}
    return problems, stats


def account(stats: dict[str, int]) -> str:
    """`external links: 3 URLs, 1 fetched, 2 from the cache, 1 not working`."""
    n = stats["urls"]
    return (f"external links: {n} URL{'' if n == 1 else 's'}, {stats['fetched']} fetched, "
            f"{stats['from_cache']} from the cache, {stats['not_working']} not working")
