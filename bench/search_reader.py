#!/usr/bin/env python3
"""What the reader's browser pays for the search index's shard count (docs/search.md: MAX_SHARDS).

    python3 bench/search_reader.py [--records 20000] [--caps 64,128,256] [--latency 40]

For each cap, indexes the same `--records` synthetic records of one language (bench/search_memory.py's
article text, one version) with docs-builder's search code, the shard count bounded by that cap
(the page bound doubling as in a build), serves the index on 127.0.0.1 and opens it in chromium the
way the site's search box does (builder/layout/static/site.js: import the first shard's
pagefind.js, `mergeIndex` every other shard, search with the `version` filter, load the first 10
results' data). Prints per cap: shards, records per shard (largest), index build time, and for the
reader: requests and bytes of opening the index, of a first and a second query, and their
times, once on the loopback and once with added latency per request (`--latency` ms each way,
Chrome DevTools' network emulation) over the test server's HTTP/1.1 (6 connections per host:
an upper bound; a host serving HTTP/2 multiplexes them). Asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

CHROMIUM = Path("/usr/bin/chromium")
OUT = HERE / "out" / "search-reader"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>reader</title></head><body>
<script type="module">
window.run = async function (query) {
  const list = await (await fetch("/_pagefind/en/shards.json")).json();
  const t0 = performance.now();
  if (!window.pf) {
    const pf = await import(list.shards[0] + "pagefind.js");
    await pf.options({baseUrl: "/"});
    await Promise.all(list.shards.slice(1).map((s) => pf.mergeIndex(s, {baseUrl: "/"})));
    window.pf = pf;
  }
  const t1 = performance.now();
  const found = await window.pf.search(query, {filters: {version: "fpt"}});
  const data = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  const t2 = performance.now();
  return {open_ms: t1 - t0, query_ms: t2 - t1, count: found.results.length, first: data[0] && data[0].url};
};
</script></body></html>"""


def records(n: int):
    from builder.search.shards import SearchRecord
    from search_memory import articles

    count = 0
    for prod, cat, slug, per_lang in articles(n):
        title, html = per_lang["en"]
        yield SearchRecord(url=f"/en/{prod}/{cat}/{slug}", lang="en", version="fpt", product=f"Product {prod}",
                           title=title, html=html)
        count += 1
        if count >= n:
            return


def build(n: int, cap: int, dest: Path) -> dict:
    from builder.search import shards

    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    saved = shards.MAX_SHARDS
    shards.MAX_SHARDS = cap
    try:
        t0 = time.perf_counter()
        problems = shards.write_index(records(n), dest, jobs=2)
        seconds = time.perf_counter() - t0
    finally:
        shards.MAX_SHARDS = saved
    if problems:
        raise SystemExit(f"index failed: {[str(p) for p in problems]}")
    (dest / "index.html").write_text(PAGE, "utf-8")
    folder = dest / "_pagefind" / "en"
    listed = json.loads((folder / "shards.json").read_text("utf-8"))["shards"]
    sizes = [len(list((dest / s.strip("/") / "fragment").iterdir())) for s in listed]
    return {"shards": len(listed), "largest": max(sizes), "seconds": seconds}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def measure(dest: Path, queries: list[str], latency: float) -> list[dict]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(dest))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_context().new_page()
            seen = {"n": 0, "bytes": 0}

            def done(request):
                seen["n"] += 1
                sizes = request.sizes()
                seen["bytes"] += sizes.get("responseBodySize", 0) + sizes.get("responseHeadersSize", 0)

            page.on("requestfinished", done)
            if latency:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency * 2,
                                                                "downloadThroughput": -1, "uploadThroughput": -1})
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
            for i, q in enumerate(queries):
                before = dict(seen)
                res = page.evaluate("q => window.run(q)", q)
                rows.append({"query": q, "first": i == 0, "open_ms": res["open_ms"], "query_ms": res["query_ms"],
                             "count": res["count"], "requests": seen["n"] - before["n"],
                             "kb": (seen["bytes"] - before["bytes"]) / 1024})
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--caps", default="64,128,256")
    ap.add_argument("--latency", type=float, default=40.0, help="ms added each way per request (0: loopback only)")
    args = ap.parse_args()
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing (apt-get install chromium)")
        return 1
    from search_memory import articles

    words = []
    for _, _, _, per_lang in articles(3):
        words += per_lang["en"][0].lower().split()
    queries = [words[0], words[1]]
    print(f"{args.records:,} records, one language; queries {queries} (a title word of early articles)", flush=True)
    for cap in [int(c) for c in args.caps.split(",")]:
        dest = OUT / f"cap-{cap}"
        info = build(args.records, cap, dest)
        print(f"cap {cap:4d}: {info['shards']} shards, largest {info['largest']} records, indexed in "
              f"{info['seconds']:.1f} s", flush=True)
        for latency in ([0.0, args.latency] if args.latency else [0.0]):
            for row in measure(dest, queries, latency):
                what = "open + query" if row["first"] else "next query  "
                print(f"    latency {latency:3.0f} ms, {what} {row['query']!r:>12}: open {row['open_ms']:7.0f} ms, "
                      f"query {row['query_ms']:6.0f} ms, {row['requests']:4d} requests, {row['kb']:7.0f} KB, "
                      f"{row['count']} results", flush=True)
        shutil.rmtree(dest, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
