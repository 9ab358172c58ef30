"""Sharded builds: which outputs build shard K of N makes, and what it leaves for `assemble`.

A shard is a set of partition units; a unit is (language, search shard): the outputs of one
language whose pages the search index puts in one bundle. All versions of a page in a language
are in one unit, so a page's Liquid is still rendered once per distinct outcome. The search plan
(`search_plan`) is computed from the pages before anything is rendered, and single builds use
the same plan, so a shard indexes exactly the bundles of its units and the assembled index
equals a single build's.

Units are spread over the shards by expected work (each page's outputs x its source size, plus a
fixed cost per output, more for a translated page: see TRANSLATED_COST): each shard takes a run
of them in name order, the runs cut so that the most loaded shard is the least it can be (see
`partition`, `_runs`); deterministic, the same on every machine. The whole-site files that need
no page built (the sitemap, the generic host's redirect files) are each written by one shard,
counted in its work (`site_file_owners`); `assemble` links them.

`.build/shard.json` records K, N, the fingerprint of the sources and settings and the build's
settings (assemble uses them); the shard's outputs, problems, anchors and fragment checks and
translation events are its build cache's page records (`.build/cache.json`), its search bundles'
state is `.build/search.json`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..core.urls import output_file, page_url
from ..core.errors import ContentError
from ..sources.files import source_exists, source_stat
from .results import Output, PageResult
from .site import Site

SHARD_STATE = ".build/shard.json"
MERGED_STATES = ".build/shards"
"""Where a shard's `.build/` is also found, as `<K>-of-<N>/.build/`: the folders of all N shards
can then be merged into one (CI's download of every shard's artifact into one folder) and
assembled there (`assemble --in-place`); their other files never collide."""
STATE_FILES = ("shard.json", "cache.json", "manifest.json", "search.json", "llms-intros.json")
SHARD_FORMAT = 1
OUTPUT_COST = 2048
"""Bytes of source an output costs besides its page's text (layout, writing, checks)."""
TRANSLATED_COST = 1.6
"""How much more a page costs in a language with a translation of it than in English: the
translation is parsed and checked against the English (repair, fallback), which is parsed too.
Bench corpus gh-1000-fr, CPU of `build --language fr` against `--language en`: 55-70 s against
39 s; 8 shards of the 6,000-article corpus weighted alike took 88-112 s of CPU each, the more the
more translated pages they held."""
SITEMAP_COST = 40
"""What an output costs the shard that writes the sitemap, in the same unit (bench corpus: about
2.5 s for 82,614 outputs, a shard's second being about 1.4 MB of such work)."""
RULE_COST = 5
"""What an estimated redirect costs the shard that writes one of the redirect files (about 1.5 s
for 312,667 redirects a file)."""
SITEMAP = "sitemap"
SITE_SITEMAP = "site-sitemap"
"""Key of a shard's cache extras: what `write_sitemap` returned for the sitemap it wrote."""
SITE_REDIRECTS = "site-redirects"
"""Key of a shard's cache extras: the digest of the redirects its redirect files were made from."""
SITE_STUBS = "site-stubs"
"""Key of a shard's cache extras, with SITE_REDIRECTS: how many stubs the whole site has at most
(see links/outputs.py `SiteRedirects`: `assemble` then takes the shards' stubs as they are)."""


@dataclass(frozen=True)
class ShardSpec:
    k: int
    n: int

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"


def search_plan(site: Site) -> dict[str, dict[str, str]]:
    """lang -> page url (version-neutral, `/<lang>/<path>`) -> search shard name, from the pages
    and their products alone (see builder/search/shards.py: `plan_shards`)."""
    from ..search.shards import neutral_url, plan_shards

    if site.search_plan is not None:
        return site.search_plan
    plan: dict[str, dict[str, str]] = {}
    pages = [(page, site.built_versions(page)) for page in site.tree.pages.values()]
    for lang in site.languages:
        units: dict[str, list[str]] = {}
        for page, versions in pages:
            if not versions:
                continue
            product = site.nav.product(page)
            unit = product.rel.split("/")[0] if product is not None else ""
            v = versions[0]
            units.setdefault(unit, []).append(neutral_url(page_url(lang.code, v, page.url), lang.code, v.segment))
        plan[lang.code] = {url: name for name, urls in plan_shards(units) for url in urls}
    site.search_plan = plan
    return plan


def site_file_owners(files: list[str], n: int) -> dict[str, int]:
    """Whole-site file (`SITEMAP`, or a redirect file's name) -> the shard (1 to n) that writes
    it: the last shards, one file each while there are shards (their runs of pages are shorter)."""
    return {name: n - i % n for i, name in enumerate(files)}


def site_files_work(site: Site, files: list[str]) -> dict[str, int]:
    """The expected work of each whole-site file a shard writes (see SITEMAP_COST, RULE_COST)."""
    outputs = redirects = 0
    claims = Counter(page.rel for page in site.links.redirects.values())  # redirect_from entries a page has
    for page in site.tree.pages.values():
        built = len(site.built_versions(page)) * len(site.languages)
        outputs += built
        redirects += built * (1 + claims.get(page.rel, 0))
    return {name: outputs * SITEMAP_COST if name == SITEMAP else redirects * RULE_COST for name in files}


def partition(site: Site, n: int, files: list[str] | tuple[str, ...] = ()) -> list[dict[str, frozenset[str]]]:
    """For each of the `n` shards: page rel -> the languages it builds the page in.

    The units are the search shards (a search shard's bundle is made by one build shard), in
    the order of their names and then languages: a product's search shards are neighbours, and a
    page is in the same-named search shard in every language. Each build shard takes a run of
    them, cut where the expected work (source bytes and outputs) is nearest an even share. So a
    shard's pages come from few products, whose titles alone its sidebars show (`shown_pages`),
    and its pages are built in all their languages (assemble keeps their records as written), but
    where a cut falls between two languages of a search shard. `files`: the whole-site files the
    shards write (see `site_file_owners`), whose work their owners' runs leave room for."""
    from ..search.shards import neutral_url

    plan = search_plan(site)
    weights: dict[tuple[str, str], int] = {}
    members: dict[tuple[str, str], list[str]] = {}
    for page in sorted(site.tree.pages.values(), key=lambda p: p.rel):
        versions = site.built_versions(page)
        if not versions:
            continue
        try:  # through the path policy: a page that leads outside the root is not looked at
            size = source_stat(site.root, page.src).st_size
        except ContentError:
            size = 0
        v = versions[0]
        for lang in site.languages:
            url = neutral_url(page_url(lang.code, v, page.url), lang.code, v.segment)
            unit = (plan[lang.code][url], lang.code)
            work = len(versions) * (size + OUTPUT_COST)
            if not lang.is_default and source_exists(site.root, f"{lang.dir}/content/{page.rel}"):
                work = round(work * TRANSLATED_COST)
            weights[unit] = weights.get(unit, 0) + work
            members.setdefault(unit, []).append(page.rel)
    units = sorted(weights)
    shards: list[dict[str, set[str]]] = [{} for _ in range(n)]
    extra = [0] * n
    owners = site_file_owners(list(files), n)
    for name, work in site_files_work(site, list(files)).items():
        extra[owners[name] - 1] += work
    for k, run in enumerate(_runs([weights[u] for u in units], n, extra)):
        for unit in units[run.start:run.stop]:
            for rel in members[unit]:
                shards[k].setdefault(rel, set()).add(unit[1])
    return [{rel: frozenset(langs) for rel, langs in shard.items()} for shard in shards]


def _runs(weights: list[int], n: int, extra: list[int]) -> list[range]:
    """`n` consecutive runs of `weights` (indexes) whose largest work (run k's weights plus
    `extra[k]`) is the least it can be: the slowest shard is what a CI run waits for. Among the
    cuts that keep every run within that, each is the one nearest its even share of the total.
    No run is empty while there are at least `n` units."""
    prefix = [0, *itertools.accumulate(weights)]
    units = len(weights)
    least = 1 if units >= n else 0  # units each run takes at least

    def finishing(cap: int) -> list[list[int]]:
        """For each k: the running count of the starts i from which runs k.. cover the rest of
        the units within `cap` (`counts[k][j]`: how many such i are below j)."""
        counts = [[0] * (units + 2) for _ in range(n + 1)]
        counts[n][units + 1] = 1  # run n "starts" where the units end
        for k in range(n - 1, -1, -1):
            after, here = counts[k + 1], counts[k]
            for i in range(units + 1):
                end = bisect.bisect_right(prefix, prefix[i] + cap - extra[k]) - 1
                ok = end >= i + least and after[end + 1] - after[i + least] > 0
                here[i + 1] = here[i] + ok
        return counts

    low, high = max(extra, default=0), prefix[-1] + max(extra, default=0)
    while low < high:
        middle = (low + high) // 2
        if finishing(middle)[0][1]:  # runs 0.. cover every unit within `middle`
            high = middle
        else:
            low = middle + 1
    counts = finishing(low)
    share = (prefix[-1] + sum(extra)) / n
    bounds = [0]
    ideal = 0.0
    for k in range(1, n):
        start = bounds[-1]
        ideal += max(0.0, share - extra[k - 1])
        end = bisect.bisect_right(prefix, prefix[start] + low - extra[k - 1]) - 1
        choices = [i for i in range(start + least, end + 1) if counts[k][i + 1] - counts[k][i]]
        bounds.append(min(choices, key=lambda i: (abs(prefix[i] - ideal), i)))
    bounds.append(units)
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


def selection(site: Site, spec: ShardSpec, files: list[str] | tuple[str, ...] = ()) -> dict[str, frozenset[str]]:
    return partition(site, spec.n, files)[spec.k - 1]


def sharded_site_files(generic_host: bool, base_url: str) -> list[str]:
    """The whole-site files build shards write (each by one): the sitemap (with a base URL) and,
    for the generic host, its redirect files; a host's own rules need the whole site's pages."""
    from ..links.outputs import HOST_FILES

    return ([SITEMAP] if base_url else []) + (list(HOST_FILES) if generic_host else [])


def site_output_rows(site: Site) -> list[Output]:
    """Every output a whole build writes, as the sitemap reads them (path, language, version,
    page): the shard that writes the sitemap knows them without building them."""
    return [Output(output_file(lang.code, v, page.url), (), lang.code, v.id, page.rel)
            for page in site.tree.pages.values() for v in site.built_versions(page) for lang in site.languages]


def site_outputs(site: Site) -> set[str]:
    """The page file of every language, page and version a whole build writes (a shard knows
    them without building them: the redirect stubs it writes must match a single build's)."""
    return {output_file(lang.code, v, page.url) for page in site.tree.pages.values()
            for v in site.built_versions(page) for lang in site.languages}


def shard_settings(options) -> dict:
    """The settings a shard was built with (`assemble` builds the whole-site files with them)."""
    from .cache import FORMAT, builder_digest

    return {"versions": options.versions, "languages": options.languages, "search": options.search,
            "markdown": options.markdown, "base_url": options.base_url, "host": options.host, "code": builder_digest(),
            "cache": FORMAT}


def shown_pages(site: Site, share: dict[str, frozenset[str]]) -> list:
    """The pages whose titles and intros a shard's pages show: the home page and its children
    (the products), and every page of the products its pages are in (sidebars, breadcrumbs,
    children's intros). Computed before the pages are built; a title asked for beyond them (an
    AUTOTITLE link into another product) is computed when asked. `assemble` computes them all."""
    tree = site.tree
    wanted: set[str] = set(share)
    if tree.home is not None:
        wanted.add(tree.home.rel)
        wanted.update(tree.home.children)
    products = (site.nav.product(tree.pages[rel]) for rel in share)
    stack = sorted({product.rel for product in products if product is not None})
    seen: set[str] = set()
    while stack:
        rel = stack.pop()
        if rel in seen or rel not in tree.pages:
            continue
        seen.add(rel)
        wanted.add(rel)
        stack.extend(tree.pages[rel].children)
    return [page for page in tree.pages.values() if page.rel in wanted]


def fingerprint(settings: dict, files: dict[str, str]) -> str:
    """What two shards must share to be assembled: the builder, the settings and every source."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8"))
    for rel in sorted(files):
        h.update(f"{rel}={files[rel]}\n".encode("utf-8"))
    return h.hexdigest()


def shard_state(spec: ShardSpec, settings: dict, files: dict[str, str]) -> bytes:
    """`.build/shard.json`; `files` are the digests of the sources, taken before they were read."""
    return (json.dumps({"format": SHARD_FORMAT, "k": spec.k, "n": spec.n, "fingerprint": fingerprint(settings, files),
                        "settings": settings}, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def mirror_state(staging: Path, spec: ShardSpec) -> None:
    """Link this shard's state files, staged under `.build/`, into its MERGED_STATES folder (hard
    links: nothing is copied; the staging folder is the builder's own)."""
    import shutil

    target = staging / MERGED_STATES / f"{spec.k}-of-{spec.n}" / ".build"
    target.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        src = staging / ".build" / name
        if src.is_file():
            try:
                os.link(src, target / name)
            except OSError:
                shutil.copy2(src, target / name)


def merged_states(out: Path) -> list[Path]:
    """The state folders of the shards merged into `out` (see MERGED_STATES), in name order."""
    folder = out / MERGED_STATES
    if os.path.islink(out / ".build") or os.path.islink(folder) or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())


def read_shard_state(folder: Path) -> dict | None:
    """The `.build/shard.json` of a shard folder, or None when it is not one (or is damaged)."""
    try:
        with open(folder / SHARD_STATE, "rb") as fh:
            state = json.loads(fh.read(1 << 20))
    except (OSError, ValueError):
        return None
    ok = (isinstance(state, dict) and state.get("format") == SHARD_FORMAT
          and all(type(state.get(key)) is int for key in ("k", "n"))
          and isinstance(state.get("fingerprint"), str) and isinstance(state.get("settings"), dict))
    return state if ok and 1 <= state["k"] <= state["n"] else None


def merge_results(parts: list[PageResult], languages: list[str]) -> PageResult:
    """One page's results from several shards (each built some of its languages) as one result,
    its outputs in the order a single build makes them (languages in site order)."""
    if len(parts) == 1:
        return parts[0]
    order = {code: i for i, code in enumerate(languages)}

    def first(result: PageResult) -> int:
        return min((order.get(o.lang, len(order)) for o in result.outputs), default=len(order))

    parts = sorted(parts, key=first)
    merged = PageResult(parts[0].rel)
    outputs: list[Output] = []
    for part in parts:
        outputs.extend(part.outputs)
        merged.problems.extend(part.problems)
        merged.fragments.extend(part.fragments)
        merged.anchors.update(part.anchors)
        merged.failed += part.failed
        for key, value in part.stats.items():
            merged.stats[key] = merged.stats.get(key, 0) + value
        merged.translation.update(part.translation)
        merged.external.extend(part.external)
    merged.outputs = sorted(outputs, key=lambda o: order.get(o.lang, len(order)))
    # in language order, as one build checks them (a shard may hold en and ja of a page, another fr)
    merged.fragments.sort(key=lambda c: order.get(c.lang, len(order)))
    merged.anchors = dict(sorted(merged.anchors.items(), key=lambda item: order.get(item[0][0], len(order))))
    return merged
