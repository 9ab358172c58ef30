"""Host profiles on a GitHub-Docs-sized site (issue 13): the redirect plan of `--host cloudflare`
(and the other profiles) without building the pages.

    python3 bench/hosts.py                       # 6,000 articles, 8 versions, en + fr, 3 redirect_from each
    python3 bench/hosts.py --articles 600 --hosts cloudflare,gitlab

The redirect writer needs only the sources' frontmatter: the script loads the site (no page is
rendered), computes the full redirect map (every old URL per language and version, as the
generic profile writes it) and each profile's plan (rules, stubs, 404 map), then follows every
old URL through the plan as the host would (rules with Cloudflare's precedence: static first,
then topmost; files; the 404 page's script and redirect-map.json) and checks it reaches its
page. It prints the figures; it asserts nothing. Files are counted as a build writes them:
page HTML, Markdown copies, redirect stubs, host files, site files; the search index is
estimated at one fragment per page plus its index chunks (not built here).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import write_github_like  # noqa: E402

from builder.core.urls import page_url  # noqa: E402
from builder.links.host_files import host_plan  # noqa: E402
from builder.links.redirects import compute_redirects  # noqa: E402
from builder.output import hosts  # noqa: E402
from builder.pipeline.site import Site  # noqa: E402


def _compile(rules):
    """(exact dict, rules by their literal last segment, other dynamic rules), each dynamic rule
    as (file position, prefix, suffix, regex, target); static rules come first in the file."""
    exact, by_last, other = {}, {}, []
    for i, (source, target, _status) in enumerate(rules):
        if not hosts.is_dynamic(source):
            exact.setdefault(source, target)
            continue
        pattern = "(?P<splat>.*)".join(re.escape(p) for p in source.split("*"))
        pattern = re.sub(r":([A-Za-z]\w*)", r"(?P<\1>[^/]+)", pattern)
        head = source.split(":")[0].split("*")[0]
        tail = re.split(r"[*]|:[A-Za-z]\w*", source)[-1]
        rule = (i, head, tail, re.compile("^" + pattern + "$"), target)
        last = source.rsplit("/", 1)[-1]
        if "*" in last or last.startswith(":"):
            other.append(rule)
        else:
            by_last.setdefault(last, []).append(rule)
    return exact, by_last, other


def _apply(compiled, path):
    exact, by_last, other = compiled
    if path in exact:
        return exact[path]
    for _i, head, tail, regex, target in sorted(by_last.get(path.rsplit("/", 1)[-1], []) + other, key=lambda r: r[0]):
        if not path.startswith(head) or not path.endswith(tail):
            continue
        m = regex.match(path)
        if m:
            for name, value in sorted(m.groupdict().items(), key=lambda kv: -len(kv[0])):
                target = target.replace(f":{name}", value)
            return target.rstrip("/") or "/"
    return None


def _not_found(path, langs, default, latest, doc):
    parts = path.split("/")
    changed = False
    if parts[1] not in langs:
        parts.insert(1, default)
        changed = True
    if len(parts) > 2 and parts[2] in latest:
        parts[2] = latest[parts[2]]
        changed = True
    if changed:
        return "/".join(parts)
    if doc is None:
        return None
    version = parts[2] if len(parts) > 2 and "@" in parts[2] else ""
    entry = doc["pages"].get("/".join(parts[3:] if version else parts[2:]))
    if entry is None:
        return None
    versions = doc["versions"][entry[1]]
    seg = (version if version in versions else None) if version else versions[0]
    if seg is None:
        return None
    return "/" + parts[1] + (f"/{seg}" if seg else "") + (f"/{entry[0]}" if entry[0] else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=6000)
    ap.add_argument("--redirects", type=int, default=3, help="redirect_from entries per article")
    ap.add_argument("--hosts", default="cloudflare,gitlab,netlify,github-pages,nginx")
    args = ap.parse_args()
    n = args.articles + args.articles // 40 + args.articles // 400 + 2  # + categories, products, home
    root = HERE / "out" / "corpora" / f"gh-{n}-fr-r{args.redirects}"
    t = time.monotonic()
    write_github_like(root, n, translation="fr", redirects=args.redirects)
    print(f"corpus {root.name}: {time.monotonic() - t:.1f}s")
    t = time.monotonic()
    site = Site(root)
    if site.problems.errors:
        print("site problems:", [d.header() for d in site.problems.errors[:5]])
    articles = sum(1 for p in site.tree.pages.values() if p.rel.count("/") == 2)
    outputs = [(lang.code, v, page) for lang in site.languages for page in site.tree.pages.values()
               for v in site.built_versions(page)]
    live = {page_url(code, v, page.url) for code, v, page in outputs}
    redirects = compute_redirects(site.tree, site.links.redirects, site.config.space, site.languages,
                                  site.versions, site.default_language, live)
    print(f"site loaded and redirect map computed: {time.monotonic() - t:.1f}s; {articles:,} articles, "
          f"{len(site.versions)} versions, {len(site.languages)} languages, {len(outputs):,} page outputs, "
          f"{len(site.links.redirects):,} redirect_from entries, {len(redirects):,} old URLs in the full map")
    space = site.config.space
    latest = {f"{p.name}@latest": space.latest(p).id for p in space.plans if p.numbered}
    langs = [lang.code for lang in site.languages]
    default = site.default_language.code
    truth = {r.source: r.target for r in redirects}
    site_files = 8 + len(site.languages) * len(site.versions) * 2  # static, 404, index, sitemap ...; llms files
    search = len(outputs) + len(outputs) // 50  # one fragment per page + index chunks (estimate)
    for name in args.hosts.split(","):
        host = hosts.HOSTS[name]
        t = time.monotonic()
        shaped = host_plan(site, host, redirects, live, ["index.html", "404.html"])
        seconds = time.monotonic() - t
        compiled = _compile(shaped.rules)
        stubs = {r.source: r.target for r in shaped.stubs}
        doc = shaped.map_doc
        t = time.monotonic()
        wrong = []
        for r in redirects:
            path, hops = r.source, 0
            while path not in live and hops < 8:
                nxt = None
                if name == "nginx":  # the map holds every old URL exactly, checked before files
                    nxt = truth.get(path)
                elif not host.assets_first:  # Cloudflare: rules before files
                    nxt = _apply(compiled, path)
                if nxt is None:
                    nxt = stubs.get(path)
                if nxt is None and host.assets_first and host.redirect_rules:
                    nxt = _apply(compiled, path)
                if nxt is None:
                    nxt = _not_found(path, langs, default, latest, doc)
                if nxt is None:
                    break
                path, hops = nxt, hops + 1
            if path != r.target:
                wrong.append((r.source, r.target, path))
        static, dynamic, longest = hosts.count_rules("\n".join(f"{s} {t} {c}" for s, t, c in shaped.rules))
        files = len(outputs) * 2 + len(shaped.stubs) + site_files + (1 if doc else 0)
        print(f"\n--host {name}: plan {seconds:.1f}s, checked in {time.monotonic() - t:.1f}s")
        print(f"  _redirects: {static:,} static + {dynamic:,} dynamic rules (longest {longest} chars)"
              + (f"; limits {host.static_rules:,} + {host.dynamic_rules:,}" if host.static_rules else "")
              + (f"; limit {host.rules:,} rules" if host.rules else ""))
        print(f"  old URLs: {len(redirects):,}; by rules {shaped.by_rules:,}, by stubs {len(shaped.stubs):,}"
              + (f", by the 404 page's redirect-map.json {shaped.by_map:,} ({len(doc['pages']):,} entries)" if doc else ""))
        if doc:
            import json
            size = len(json.dumps(doc, ensure_ascii=True, sort_keys=True, separators=(",", ":"))) + 1
            print(f"  redirect-map.json: {size / 1024 / 1024:.2f} MiB (limit per file {host.file_size / 1024 / 1024:.0f} MiB)")
        print(f"  every old URL reaches its page: {'yes' if not wrong else f'NO, {len(wrong):,} do not'}"
              + (f" (first: {wrong[0]})" if wrong else ""))
        print(f"  files: {hosts.file_report(host, files)} without the search index; "
              f"{hosts.file_report(host, files + search)} with it (estimated {search:,} search files)")
        print(f"  (generic: {len(redirects):,} redirect stubs, {hosts.file_report(hosts.HOSTS['cloudflare'], len(outputs) * 2 + len(redirects) + site_files)} without search)")


if __name__ == "__main__":
    main()
