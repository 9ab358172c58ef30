"""The sharded search index: its layout and records (one per language, a page's versions sharing
one record when their text is the same), incremental builds equal to clean ones, untouched index
files when no page's text changed, determinism, a damaged or old state."""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder.search import shards as shards_module
from builder.search.shards import SearchRecord, plan_shards, write_index
from tests.conftest import REPO, VERSIONS_YML, page, run_cli, write_tree
from tests.test_build import tree_digest


def build(root: Path, out: Path, *extra: str) -> dict:
    result = run_cli("build", "--root", str(root), "--out", str(out), "--format", "json", *extra)
    assert result.status == 0, result.stderr + result.stdout
    doc = json.loads(result.stdout)
    doc["stderr"] = result.stderr
    return doc


def records(site: Path, lang: str) -> dict[str, dict]:
    """url -> Pagefind fragment (url, meta, filters, anchors, content) of every record in the
    shards listed by shards.json of one language."""
    listing = json.loads((site / "_pagefind" / lang / "shards.json").read_text("utf-8"))
    assert listing["format"] == 1
    found: dict[str, dict] = {}
    for url in listing["shards"]:
        folder = site / url.strip("/")
        assert (folder / "pagefind.js").is_file() and (folder / "pagefind-entry.json").is_file()
        entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == [lang]
        for fragment in (folder / "fragment").iterdir():
            data = gzip.decompress(fragment.read_bytes())
            assert data.startswith(b"pagefind_dcd")
            record = json.loads(data[len(b"pagefind_dcd"):])
            found[record["url"]] = record
    return found


def index_files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file under _pagefind/ -> (inode, mtime): what a build touched."""
    found = {}
    for path in sorted((site / "_pagefind").rglob("*")):
        if path.is_file():
            st = path.stat()
            found[path.relative_to(site).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return found


def assert_same_as_clean(root: Path, out: Path, tmp: Path) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, "--clean")
    ours, theirs = tree_digest(out, (".build/",)), tree_digest(clean, (".build/",))
    assert sorted(set(ours) ^ set(theirs)) == []
    assert [p for p in ours if ours[p] != theirs[p]] == []


@pytest.fixture
def products(tmp_path):
    """Two products in English and French, on two versions."""
    files = {
        "data/versions.yml": VERSIONS_YML,
        "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
        "data/reusables/shared.md": "A shared sentence about lanterns.\n",
        "content/index.md": page("Home", "Welcome.\n", children="[/alpha, /beta]"),
        "content/alpha/index.md": page("Alpha product", "Alpha.\n", children="[/one, /two]"),
        "content/alpha/one.md": page("One", "## First part\n\nOne about {% data reusables.shared %}\n\n"
                                     "### Deeper\n\nMore text, see [Three](/beta/three).\n",
                                     versions="{fpt: '*', ghes: '*'}"),
        "content/alpha/two.md": page("Two", "Two about kettles.\n", versions="{fpt: '*'}"),
        "content/beta/index.md": page("Beta product", "Beta.\n", children="[/three]"),
        "content/beta/three.md": page("Three", "Three about pianos.{% ifversion ghes %} Also harps.{% endif %}\n",
                                      versions="{fpt: '*', ghes: '*'}"),
        "translations/fr/content/alpha/index.md": page("Produit alpha", "Alpha fr.\n", children="[/one, /two]"),
        "translations/fr/content/alpha/one.md": page("Un", "## Première partie\n\nUn texte sur les lanternes.\n",
                                                      versions="{fpt: '*', ghes: '*'}"),
    }
    return write_tree(tmp_path / "src", files)


GHES = ["ghes-3.10", "ghes-3.8", "ghes-3.9"]


def test_index_layout_records_and_sub_results(products, tmp_path):
    out = tmp_path / "out"
    build(products, out, "--jobs", "1")
    assert sorted(p.name for p in (out / "_pagefind").iterdir()) == ["en", "fr"]
    en = records(out, "en")
    # one record per page and text: versions with the same text share it (their links made
    # version-neutral), a page whose text differs between versions has one record per text
    # (the Alpha product page lists Two in fpt only)
    assert sorted(en) == ["/en", "/en/alpha", "/en/alpha/one", "/en/alpha/two", "/en/alpha?v=ghes-3.10", "/en/beta",
                          "/en/beta/three", "/en/beta/three?v=ghes-3.10"]
    one = en["/en/alpha/one"]
    assert one["filters"]["version"] == ["fpt", *GHES]
    assert en["/en/alpha/two"]["filters"]["version"] == ["fpt"]
    assert en["/en"]["filters"]["version"] == ["fpt", *GHES]
    assert en["/en/alpha?v=ghes-3.10"]["filters"]["version"] == GHES
    assert en["/en/beta/three"]["filters"]["version"] == ["fpt"] and "harps" not in en["/en/beta/three"]["content"]
    assert en["/en/beta/three?v=ghes-3.10"]["filters"]["version"] == GHES
    assert "harps" in en["/en/beta/three?v=ghes-3.10"]["content"]
    assert one["meta"]["title"] == "One"
    assert one["meta"]["product"] == "Alpha product"
    assert en["/en"]["meta"]["product"] == ""
    assert "lanterns" in one["content"]
    assert [a["id"] for a in one["anchors"] if a["element"] in ("h2", "h3")] == ["first-part", "deeper"]
    # the site's chrome (sidebar, header, footer) is not indexed
    assert "Beta product" not in one["content"]
    fr = records(out, "fr")
    assert fr["/fr/alpha/one"]["meta"] == {**fr["/fr/alpha/one"]["meta"], "title": "Un", "product": "Produit alpha"}
    assert "lanternes" in fr["/fr/alpha/one"]["content"]
    assert all(u.startswith("/fr") for u in fr) and "/fr/alpha/one" not in en
    assert not (out / "_pagefind" / "en" / "g.home" / "pagefind-ui.js").exists()
    state = (out / ".build" / "search.json").read_text("utf-8")
    assert state.startswith('{"format":2,"checksum":"sha256:')
    # the search form names the language's index, the version filter and the URL prefix
    html = (out / "en/enterprise-server@3.9/alpha/one/index.html").read_text("utf-8")
    assert ('data-search="/_pagefind/en/shards.json" data-search-version="ghes-3.9" '
            'data-search-prefix="/en/enterprise-server@3.9"') in html
    html = (out / "fr/alpha/one/index.html").read_text("utf-8")
    assert 'data-search="/_pagefind/fr/shards.json" data-search-version="fpt" data-search-prefix="/fr"' in html


def test_no_change_rebuild_touches_no_index_file(products, tmp_path):
    out = tmp_path / "out"
    build(products, out)
    before = index_files(out)
    state = (out / ".build/search.json").stat()
    again = build(products, out)
    assert again["unchanged_pages"] == again["pages"]
    assert index_files(out) == before
    assert (out / ".build/search.json").stat().st_mtime_ns == state.st_mtime_ns


def test_an_edit_reindexes_only_the_shards_it_changed(products, tmp_path):
    out = tmp_path / "out"
    build(products, out)
    before = index_files(out)
    source = products / "content/alpha/one.md"
    source.write_text(source.read_text("utf-8").replace("More text,", "More text about zeppelins,"), "utf-8")
    build(products, out)
    after = index_files(out)
    changed = {"/".join(p.split("/")[1:3]) for p in set(before) | set(after)
               if before.get(p) != after.get(p) and not p.endswith("shards.json")}
    # the English shard holding the page only (the small products share one): not French (its
    # translation did not change)
    assert changed == {"en/g.home"}, changed
    # in that shard, only the files whose bytes changed are new (Pagefind names most files after
    # their content): the record's fragment, not the others' nor the script and WebAssembly
    shard = "_pagefind/en/g.home/"
    new = sorted(p[len(shard):] for p in after if p.startswith(shard) and before.get(p) != after[p])
    gone = sorted(p[len(shard):] for p in before if p.startswith(shard) and p not in after)
    assert len([p for p in new if p.startswith("fragment/")]) == 1, new
    assert len([p for p in gone if p.startswith("fragment/")]) == 1, gone
    fragments = [p for p in after if p.startswith(shard + "fragment/")]
    assert len([p for p in fragments if before.get(p) == after[p]]) == len(fragments) - 1 >= 5
    assert not any(p.startswith(("pagefind.js", "pagefind-worker.js", "wasm.")) for p in new), new
    assert after["_pagefind/en/shards.json"] == before["_pagefind/en/shards.json"]
    assert "zeppelins" in records(out, "en")["/en/alpha/one"]["content"]
    assert_same_as_clean(products, out, tmp_path)


@pytest.mark.parametrize("change", ["page text", "reusable", "add page", "remove page", "title", "translation"])
def test_incremental_build_equals_clean_build(products, tmp_path, change):
    out = tmp_path / "out"
    build(products, out)
    if change == "page text":
        (products / "content/alpha/two.md").write_text(page("Two", "Two about teapots.\n", versions="{fpt: '*'}"))
    elif change == "reusable":
        (products / "data/reusables/shared.md").write_text("A shared sentence about candles.\n")
    elif change == "add page":
        (products / "content/beta/four.md").write_text(page("Four", "Four about drums.\n"))
        (products / "content/beta/index.md").write_text(page("Beta product", "Beta.\n", children="[/three, /four]"))
    elif change == "remove page":
        (products / "content/alpha/two.md").unlink()
        (products / "content/alpha/index.md").write_text(page("Alpha product", "Alpha.\n", children="[/one]"))
    elif change == "title":
        (products / "content/beta/index.md").write_text(page("Beta renamed", "Beta.\n", children="[/three]"))
    elif change == "translation":
        (products / "translations/fr/content/alpha/one.md").write_text(
            page("Un", "## Première partie\n\nUn texte sur les bougies.\n", versions="{fpt: '*', ghes: '*'}"))
    build(products, out)
    assert_same_as_clean(products, out, tmp_path)
    en = records(out, "en")
    if change == "add page":
        assert "/en/beta/four" in en
    if change == "remove page":
        assert "/en/alpha/two" not in en
        assert not any("alpha/two" in p for p in tree_digest(out, ()))
    if change == "title":
        assert en["/en/beta/three"]["meta"]["product"] == "Beta renamed"
    if change == "reusable":
        assert "candles" in en["/en/alpha/one"]["content"]


def test_index_is_identical_across_jobs_and_hash_seeds(products, tmp_path):
    digests = []
    for i, (jobs, seed) in enumerate([("1", "1"), ("2", "4242"), ("2", "7")]):
        out = tmp_path / f"out{i}"
        result = subprocess.run([sys.executable, "-m", "builder", "build", "--root", str(products), "--out", str(out),
                                 "--jobs", jobs], cwd=REPO, capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        digests.append(tree_digest(out, ()))
    assert any(p.startswith("_pagefind/") for p in digests[0])
    assert digests[0] == digests[1] == digests[2]


def test_a_damaged_state_is_ignored_with_a_warning(products, tmp_path):
    out = tmp_path / "out"
    build(products, out)
    state = out / ".build/search.json"
    state.write_bytes(state.read_bytes().replace(b'"pages":{', b'"pages":{"x":"y",', 1))
    (products / "content/alpha/two.md").write_text(page("Two", "Two about teapots.\n", versions="{fpt: '*'}"))
    result = build(products, out)
    found = [d for d in result["diagnostics"] if d.get("code") == "DB631"]
    assert found and "search.json does not match its checksum" in found[0]["message"], result["diagnostics"]
    assert_same_as_clean(products, out, tmp_path)


def test_a_state_of_the_old_per_version_format_is_ignored(products, tmp_path):
    out = tmp_path / "out"
    build(products, out)
    state = out / ".build/search.json"
    head, _, body = state.read_bytes().partition(b"\n")
    state.write_bytes(head.replace(b'"format":2', b'"format":1', 1) + b"\n" + body)
    result = build(products, out)
    found = [d for d in result["diagnostics"] if d.get("code") == "DB631"]
    assert found and "is of another format (1)" in found[0]["message"], result["diagnostics"]
    assert_same_as_clean(products, out, tmp_path)


def test_text_that_becomes_version_specific_splits_the_record(products, tmp_path):
    out = tmp_path / "out"
    build(products, out)
    (products / "content/alpha/two.md").write_text(page("Two", "Two about kettles.{% ifversion ghec %} Cloud.{% endif %}\n",
                                                        versions="{fpt: '*', ghec: '*'}"))
    (products / "content/beta/three.md").write_text(page("Three", "Three about pianos.\n",
                                                         versions="{fpt: '*', ghes: '*'}"))
    build(products, out)
    en = records(out, "en")
    assert en["/en/alpha/two"]["filters"]["version"] == ["fpt"]
    assert en["/en/alpha/two?v=ghec"]["filters"]["version"] == ["ghec"]
    assert en["/en/beta/three"]["filters"]["version"] == ["fpt", *GHES] and "/en/beta/three?v=ghes-3.10" not in en
    assert_same_as_clean(products, out, tmp_path)


def _pagefind_services() -> list[int]:
    """The running Pagefind services this process started, or a process it forked did."""
    found, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(pid) for pid in open(f"/proc/{parent}/task/{task}/children").read().split()]
            except OSError:
                continue
            todo.extend(children)
            found.extend(pid for pid in children if _running(pid, "pagefind"))
    return found


def _running(pid: int, name: str) -> bool:
    """Process `pid` is `name` and has not ended (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.index("(") + 1:stat.rindex(")")] == name and stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads the process tree from /proc")
@pytest.mark.parametrize("jobs", [[], ["--jobs", "1"]], ids=["forked", "jobs-1"])
def test_a_failure_while_the_index_is_made_stops_it_and_keeps_the_site(products, tmp_path, monkeypatch, jobs):
    """The index is made by Pagefind's services while the build writes llms-full.txt and the other
    site-wide files (from a forked process, or with --jobs 1 a thread): when one of those fails,
    the build fails with that error, no service is left running and the last site is untouched."""
    import multiprocessing

    import builder.pipeline.llms as llms
    from builder.search import service

    out = tmp_path / "out"
    build(products, out)
    before = tree_digest(out, ())
    source = products / "content/alpha/one.md"  # a shard to index again
    source.write_text(source.read_text("utf-8").replace("More text,", "More text about zeppelins,"), "utf-8")
    events = multiprocessing.get_context("fork")  # seen by the indexing process too
    indexing, failed = events.Event(), events.Event()
    seen: list[int] = []
    original = service.Service.add_pages

    def held_index(self, job, stop=None):  # a service is running: held until the write has failed
        indexing.set()
        failed.wait(20)
        return original(self, job, stop)

    def disk_full(site, metas, writer, *args, **kwargs):  # as the staging writer reports a full disk
        assert indexing.wait(20), "the index was not being made while the other files were written"
        seen.extend(_pagefind_services())
        failed.set()
        raise writer._failure("llms-full.txt", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))

    monkeypatch.setattr(service.Service, "add_pages", held_index)
    monkeypatch.setattr(llms, "write_llms", disk_full)
    result = run_cli("build", "--root", str(products), "--out", str(out), *jobs)
    assert seen
    assert result.status == 2, result.stderr
    assert "No space left on device" in result.stderr and "llms-full.txt" in result.stderr
    assert tree_digest(out, ()) == before
    assert [t.name for t in threading.enumerate() if t.name.startswith(("search-index", "pagefind-"))] == []
    deadline = time.monotonic() + 10  # a killed indexing process's services end on the end of their input
    while any(_running(pid, "pagefind") for pid in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in seen if _running(pid, "pagefind")] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]


@pytest.mark.parametrize("jobs, own_process", [([], True), (["--jobs", "1"], False)], ids=["forked", "jobs-1"])
def test_the_index_is_made_in_a_process_of_its_own_unless_jobs_is_1(products, tmp_path, monkeypatch, jobs, own_process):
    """Its Python work would hold the build's interpreter lock while the build writes its
    redirect stubs (pipeline/extras.py `_Indexing`); the site is the same either way
    (test_index_is_identical_across_jobs_and_hash_seeds)."""
    from builder.search.site_index import SiteIndex

    marks = tmp_path / "indexed-by"
    run = SiteIndex.run

    def noted_run(self):
        with open(marks, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return run(self)

    monkeypatch.setattr(SiteIndex, "run", noted_run)
    out = tmp_path / "out"
    result = run_cli("build", "--root", str(products), "--out", str(out), *jobs)
    assert result.status == 0, result.stderr
    assert (out / "_pagefind/en/shards.json").is_file()
    [pid] = marks.read_text().split()
    assert (int(pid) != os.getpid()) is own_process


def test_plan_bounds_shards_and_keeps_pages_in_place():
    units = {"big": [f"/en/big/p{i}" for i in range(900)], "mid": [f"/en/mid/p{i}" for i in range(200)],
             **{f"small{k}": [f"/en/small{k}/p{i}" for i in range(10)] for k in range(30)}, "": ["/en"]}
    plan = plan_shards(units)
    names = [n for n, _ in plan]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert len(plan) <= shards_module.MAX_SHARDS
    assert all(len(urls) <= shards_module.TARGET_PAGES * 1.4 for _, urls in plan)
    assert sorted(u for _, urls in plan for u in urls) == sorted(u for urls in units.values() for u in urls)
    where = {u: n for n, urls in plan for u in urls}
    # adding a page to the big product moves no other page of it
    units["big"] = units["big"] + ["/en/big/new"]
    moved = [u for n, urls in plan_shards(units) for u in urls if u in where and where[u] != n]
    assert moved == []
    # a huge language still has a bounded number of shards
    many = {f"p{k}": [f"/en/p{k}/{i}" for i in range(400)] for k in range(100)}
    assert len(plan_shards(many)) <= shards_module.MAX_SHARDS


def test_write_index_api(tmp_path):
    recs = [SearchRecord(f"/en/{seg}p{k}/a{i}", "en", slug, f"Product {k}", f"Article {i}",
                         f'<p>body {i} walrus <a href="/en/{seg}p{k}/a0">a0</a></p><h2 id="h{i}">Part</h2><p>more</p>',
                         seg.rstrip("/"))
            for k in range(3) for i in range(5) for slug, seg in (("fpt", ""), ("ghec", "enterprise-cloud@latest/"))
            if (k, i, slug) != (0, 1, "ghec")]
    recs.append(SearchRecord("/en/enterprise-cloud@latest/p0/a1", "en", "ghec", "Product 0", "Article 1",
                             "<p>only on cloud</p>", "enterprise-cloud@latest"))
    recs.append(SearchRecord("/ja/p0/a0", "ja", "fpt", "製品", "記事", "<p>日本語の本文</p>"))
    assert write_index(recs, tmp_path) == []
    en = records(tmp_path, "en")
    assert len(en) == 16 and en["/en/p1/a2"]["meta"]["product"] == "Product 1"
    assert en["/en/p1/a2"]["meta"]["title"] == "Article 2"
    assert en["/en/p1/a2"]["filters"]["version"] == ["fpt", "ghec"]
    assert en["/en/p0/a1"]["filters"]["version"] == ["fpt"]
    assert en["/en/p0/a1?v=ghec"]["filters"]["version"] == ["ghec"] and "cloud" in en["/en/p0/a1?v=ghec"]["content"]
    # every record holds its own body (the bodies are spooled to a file and read back by offset)
    for url, rec in en.items():
        if "?v=" not in url:
            assert f"body {url.rsplit('/a', 1)[1]} walrus" in rec["content"], url
    ja = records(tmp_path, "ja")
    assert ja["/ja/p0/a0"]["meta"]["product"] == "製品" and "日本語の本文" in ja["/ja/p0/a0"]["content"]
    listing = json.loads((tmp_path / "_pagefind/en/shards.json").read_text("utf-8"))
    assert listing["shards"] == sorted(listing["shards"]) and all(s.startswith("/_pagefind/en/") for s in listing["shards"])


def test_compared_text_leaves_out_ignored_elements_and_version_prefixes():
    from builder.search.shards import neutral_body, neutral_url
    from builder.search.site_index import without_ignored

    notice = b'<nav class="breadcrumbs" data-pagefind-ignore><ol><li>x</li></ol></nav><div class="notice" ' \
             b'data-pagefind-ignore><div>3.8 is old</div></div>\n    <article>'
    assert without_ignored(notice + b"<p>t</p></article>") == b"<article><p>t</p></article>"
    # the words in text (here in code) are not an attribute: kept
    text = b"<p>Add <code>x data-pagefind-ignore</code> to a tag.</p>"
    assert without_ignored(text) == text
    body = b'<a href="/en/enterprise-server@3.8/p/a#x">a</a> <a href="/en/enterprise-server@3.8">h</a> ' \
           b'<a href="/en/enterprise-server@3.9/p/b">other release</a> /en/enterprise-server@3.80/p'
    assert neutral_body(body, "en", "enterprise-server@3.8") == (
        b'<a href="/en/p/a#x">a</a> <a href="/en">h</a> <a href="/en/enterprise-server@3.9/p/b">other release</a> '
        b'/en/enterprise-server@3.80/p')
    assert neutral_url("/en/enterprise-server@3.8/p/a", "en", "enterprise-server@3.8") == "/en/p/a"
    assert neutral_url("/en/enterprise-server@3.8", "en", "enterprise-server@3.8") == "/en"
    assert neutral_url("/en/p/a", "en", "") == "/en/p/a"


def _pagefind_files(documents: list[str], folder: Path) -> dict[str, bytes]:
    from builder.search.service import ShardJob, run_jobs

    run_jobs([ShardJob(folder, "en", len(documents), lambda: iter((f"/en/a{i}", d) for i, d in enumerate(documents)))], 1)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_staggered_services_write_the_same_bundles_and_keep_the_memory_bound(tmp_path, monkeypatch):
    """When the memory bound lets one shard make its files at a time (`finishing=1`) but two
    services run, each sends its pages while the other makes its files: the bundles are the same
    bytes as one service indexing them one after another, never two make files at once, and
    each shard's service ends once its files are out (Pagefind keeps its peak until it exits)."""
    from builder.search import service as service_module
    from builder.search.service import ShardJob, run_jobs

    def jobs(folder: Path) -> list[ShardJob]:
        return [ShardJob(folder / f"s{n}", "en", 30,
                         lambda n=n: iter((f"/en/s{n}/p{i}", f"<html lang=en><body><h1>Page {i} of {n}</h1>"
                                           f"<p>word{i} shard{n} text {'lorem ' * i}</p></body></html>")
                                          for i in range(30)))
                for n in range(4)]

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    run_jobs(jobs(tmp_path / "one"), 1)
    at_once = peak = started = 0
    lock = threading.Lock()
    take, init = service_module.Service.take_files, service_module.Service.__init__

    def counted_take(self, index_id):
        nonlocal at_once, peak
        with lock:
            at_once += 1
            peak = max(peak, at_once)
        time.sleep(0.05)  # long enough for the other service to want its turn
        try:
            return take(self, index_id)
        finally:
            with lock:
                at_once -= 1

    def counted_init(self, exe):
        nonlocal started
        with lock:
            started += 1
        init(self, exe)

    monkeypatch.setattr(service_module.Service, "take_files", counted_take)
    monkeypatch.setattr(service_module.Service, "__init__", counted_init)
    run_jobs(jobs(tmp_path / "staggered"), 2, finishing=1)
    assert files(tmp_path / "staggered") == files(tmp_path / "one") != {}
    assert peak == 1
    assert started == 4
    assert _pagefind_services() == []


@pytest.mark.parametrize("largest, expected", [
    (250, (2, 2)),   # two shards make their files at once
    (400, (2, 1)),   # one makes its files while the other sends its pages
    (600, (1, 1)),   # two would hold more than RECORDS_HELD: one at a time
])
def test_shard_size_decides_how_many_services_run(monkeypatch, tmp_path, largest, expected):
    from builder.search.service import ShardJob

    seen = []
    monkeypatch.setattr(shards_module, "run_jobs", lambda jobs, workers, stop, finishing: seen.append((workers, finishing)))
    shards_module.run_shards([ShardJob(tmp_path / "a", "en", largest, lambda: iter(())),
                              ShardJob(tmp_path / "b", "en", 10, lambda: iter(()))], 2)
    assert seen == [expected]


def test_inline_tags_left_out_of_indexed_documents_change_no_index_byte(tmp_path):
    """Documents lose their inline elements' tags before Pagefind reads them (a highlighted code
    block has a span per token); the index must be byte for byte the one of the full HTML."""
    from builder.search.shards import document

    bodies = [
        '<h1 id="t">Title</h1><p>Run <code>npm&nbsp;publish</code> then <a href="/en/x">read <em>this</em></a>'
        '<strong>now</strong>, semi<span class="x">colon</span>; H<sub>2</sub>O.</p>'
        '<pre><code><span class="k">def</span> <span class="nf">f</span>():\n    <span class="k">return</span> 1</code></pre>',
        '<h2 id="part">Part <code>two</code></h2><ul><li><b>bold</b> item</li><li>x<i>y</i>z</li></ul>'
        '<table><tr><td><kbd>Ctrl</kbd>+<kbd>C</kbd></td><td><a href="#part">back</a></td></tr></table>',
        # an inline element with an id is an anchor for Pagefind: such a body keeps its tags
        '<p>See <span id="here">the anchor</span> and <a href="/en/y">a link</a>.</p>',
    ]
    full = [document("en", f"T{i}", "P", b, ["fpt"]) for i, b in enumerate(bodies)]
    assert "<span" not in full[0] and "<code>" not in full[0] and "<pre>" in full[0] and 'id="t"' in full[0]
    assert '<span id="here">' in full[2]
    raw = [d for d in full]
    for i, b in enumerate(bodies):  # the same documents with every tag kept
        raw[i] = full[i].replace(full[i][full[i].index("<main data-pagefind-body>") + 25:full[i].index("</main>")], b)
    stripped, kept = _pagefind_files(full, tmp_path / "a"), _pagefind_files(raw, tmp_path / "b")
    assert any(name.startswith("fragment/") for name in stripped)
    assert stripped == kept
