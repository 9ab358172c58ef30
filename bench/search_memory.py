#!/usr/bin/env python3
"""Index N synthetic pages with docs-builder's search code, alone, in this process (and the
Pagefind processes it starts), so bench/run.py can sample the peak memory of indexing itself.

    python3 bench/search_memory.py N DEST [--distinct]   # prints one JSON line

The pages look like the built site's: the same article in 8 versions and 2 languages (English and
a made-up translation), about 400 articles per product, article HTML of about 4.5 KB with h2/h3
ids. The vocabulary is larger than the corpus's (20,000 words) so the index is not flattered.

The index is per language with one record per distinct text (docs/search.md): by default the 8
versions of an article share their text, so N pages make N/8 records (the common case). With
`--distinct` every version's text differs (a version-specific paragraph), so every page is a
record: the worst case for memory and time.

With the sharded API of issue 12 (`builder.search.shards.write_index(records, dest, jobs)`) the
records are streamed to it. With the older API (`builder.search.pagefind_index.build_search`) the
pages are first written as HTML files (not measured: before "indexing" is printed on stderr) and
indexed one bundle per version, as `build` does.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path

VERSIONS = ("fpt", "ghec", "enterprise-server@3.17", "enterprise-server@3.16", "enterprise-server@3.15",
            "enterprise-server@3.14", "enterprise-server@3.13", "enterprise-server@3.12")
LANGS = ("en", "fr")
SYL = {"en": "ka lo mi ter van dor pel su ri qua ne bal tor fin ex zu mar gol pi sen ad ul bro cy dex fa".split(),
       "fr": "lé ou ain oir ette que ier ée çon eau gne mè ris tou bel pré vi cha rou lan det fê mon".split()}


def vocab(rng: random.Random, lang: str, n: int) -> list[str]:
    out: dict[str, None] = {}
    while len(out) < n:
        out["".join(rng.choice(SYL[lang]) for _ in range(rng.choice((2, 2, 3, 3, 4))))] = None
    return list(out)


def paragraphs(rng: random.Random, words: list[str], k: int) -> list[str]:
    return [" ".join(rng.choice(words) for _ in range(rng.randint(40, 80))) + "." for _ in range(k)]


def articles(n_articles: int, seed: int = 7):
    """(product, category, slug, {lang: (title, html)}) for each article, generated lazily."""
    rng = random.Random(seed)
    pools = {}
    for lang in LANGS:
        words = vocab(rng, lang, 20000)
        pools[lang] = (words, paragraphs(rng, words, 4000))
    for i in range(n_articles):
        prod, cat, slug = f"p{i // 400:03d}", f"c{i // 40 % 10:02d}", f"a{i:06d}"
        per_lang = {}
        for lang in LANGS:
            words, paras = pools[lang]
            title = " ".join(rng.choice(words) for _ in range(4)).capitalize()
            parts = [f"<p>{rng.choice(paras)} {rng.choice(words)}{i}</p>"]
            for h in range(3):
                parts.append(f'<h2 id="s{h}-{slug}">{rng.choice(words)} {rng.choice(words)}</h2>')
                parts += [f"<p>{rng.choice(paras)}</p>" for _ in range(2)]
                parts.append(f'<h3 id="t{h}-{slug}">{rng.choice(words)}</h3><ul><li>{rng.choice(paras)[:120]}</li></ul>')
            per_lang[lang] = (title, "".join(parts))
        yield prod, cat, slug, per_lang


def plan(n_pages: int) -> int:
    return max(1, -(-n_pages // (len(VERSIONS) * len(LANGS))))


def records(n_pages: int, distinct: bool = False):
    from builder.search.shards import SearchRecord  # the sharded API (issue 12)

    count = 0
    for prod, cat, slug, per_lang in articles(plan(n_pages)):
        for version in VERSIONS:
            segment = "" if version == "fpt" else version
            for lang in LANGS:
                if count >= n_pages:
                    return
                title, html = per_lang[lang]
                if distinct:
                    html += f"<p>Only in {version}: edition{VERSIONS.index(version)}.</p>"
                prefix = f"/{lang}/{segment}" if segment else f"/{lang}"
                fields = {"segment": segment} if "segment" in SearchRecord.__dataclass_fields__ else {}
                yield SearchRecord(url=f"{prefix}/{prod}/{cat}/{slug}", lang=lang, version=version,
                                   product=f"Product {prod}", title=title, html=html, **fields)
                count += 1


def main() -> int:
    n, dest = int(sys.argv[1]), Path(sys.argv[2])
    distinct = "--distinct" in sys.argv[3:]
    dest.mkdir(parents=True, exist_ok=True)
    try:
        from builder.search.shards import write_index  # noqa: F401
        api = "shards.write_index"
    except ImportError:
        api = "pagefind_index.build_search"
    t0 = time.perf_counter()
    if api == "shards.write_index":
        from builder.search.shards import write_index

        print("indexing", file=sys.stderr, flush=True)
        t1 = time.perf_counter()
        diags = write_index(records(n, distinct), dest, jobs=2)
    else:
        from builder.search.pagefind_index import build_search

        bundles: dict[str, list] = {}
        count = 0
        pages = dest / "pages"
        for prod, cat, slug, per_lang in articles(plan(n)):
            for version in VERSIONS:
                for lang in LANGS:
                    if count >= n:
                        break
                    title, html = per_lang[lang]
                    rel = f"{lang}/{version}/{prod}/{cat}/{slug}/index.html"
                    f = pages / rel
                    f.parent.mkdir(parents=True, exist_ok=True)
                    f.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}'
                                 f'</title></head><body><main><h1>{title}</h1>{html}</main></body></html>', "utf-8")
                    bundles.setdefault(version.replace("@", "-"), []).append((f, rel))
                    count += 1
        print("indexing", file=sys.stderr, flush=True)
        t1 = time.perf_counter()
        diags = build_search(dest, bundles)
    t2 = time.perf_counter()
    files = sum(1 for p in (dest / "_pagefind").rglob("*") if p.is_file()) if (dest / "_pagefind").is_dir() else 0
    records_made = sum(1 for p in (dest / "_pagefind").rglob("fragment/*") if p.is_file()) \
        if (dest / "_pagefind").is_dir() else 0
    print(json.dumps({"n": n, "api": api, "distinct": distinct, "records": records_made, "prepare_s": t1 - t0, "index_s": t2 - t1, "index_files": files,
                      "diagnostics": [str(d) for d in diags][:3],
                      "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
