"""The sharded search index: its layout and records, incremental builds equal to clean ones,
untouched index files when no page's text changed, determinism, a damaged state."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
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


def records(site: Path, slug: str, lang: str) -> dict[str, dict]:
    """url -> Pagefind fragment (url, meta, anchors, content) of every page in the shards listed
    by shards.json of one version x language."""
    listing = json.loads((site / "_pagefind" / slug / lang / "shards.json").read_text("utf-8"))
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
                                     "### Deeper\n\nMore text.\n", versions="{fpt: '*', ghes: '*'}"),
        "content/alpha/two.md": page("Two", "Two about kettles.\n", versions="{fpt: '*'}"),
        "content/beta/index.md": page("Beta product", "Beta.\n", children="[/three]"),
        "content/beta/three.md": page("Three", "Three about pianos.\n", versions="{fpt: '*', ghes: '*'}"),
        "translations/fr/content/alpha/index.md": page("Produit alpha", "Alpha fr.\n", children="[/one, /two]"),
        "translations/fr/content/alpha/one.md": page("Un", "## Première partie\n\nUn texte sur les lanternes.\n",
                                                      versions="{fpt: '*', ghes: '*'}"),
    }
    return write_tree(tmp_path / "src", files)


def test_index_layout_records_and_sub_results(products, tmp_path):
    out = tmp_path / "out"
    build(products, out, "--jobs", "1")
    slugs = sorted(p.name for p in (out / "_pagefind").iterdir())
    assert "fpt" in slugs and len(slugs) > 1
    en = records(out, "fpt", "en")
    assert sorted(en) == ["/en", "/en/alpha", "/en/alpha/one", "/en/alpha/two", "/en/beta", "/en/beta/three"]
    one = en["/en/alpha/one"]
    assert one["meta"]["title"] == "One"
    assert one["meta"]["product"] == "Alpha product"
    assert en["/en"]["meta"]["product"] == ""
    assert "lanterns" in one["content"]
    assert [a["id"] for a in one["anchors"] if a["element"] in ("h2", "h3")] == ["first-part", "deeper"]
    # the site's chrome (sidebar, header, footer) is not indexed
    assert "Beta product" not in one["content"]
    fr = records(out, "fpt", "fr")
    assert fr["/fr/alpha/one"]["meta"] == {**fr["/fr/alpha/one"]["meta"], "title": "Un", "product": "Produit alpha"}
    assert "lanternes" in fr["/fr/alpha/one"]["content"]
    # every version has its own index, with that version's URLs only
    for slug in slugs:
        for lang in ("en", "fr"):
            urls = records(out, slug, lang)
            assert urls and all(u.startswith(f"/{lang}") for u in urls)
    assert not (out / "_pagefind" / "fpt" / "en" / "g.home" / "pagefind-ui.js").exists()
    state = (out / ".build" / "search.json").read_text("utf-8")
    assert state.startswith('{"format":1,"checksum":"sha256:')


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
    source.write_text(source.read_text("utf-8").replace("More text.", "More text about zeppelins."), "utf-8")
    build(products, out)
    after = index_files(out)
    changed = {"/".join(p.split("/")[1:3]) for p in set(before) | set(after)
               if before.get(p) != after.get(p) and not p.endswith("shards.json")}
    # English shards of the versions the page is in; not French (its translation did not
    # change), not Enterprise Cloud (the page is not in it)
    assert "fpt/en" in changed and any(c.startswith("ghes-") for c in changed)
    assert all(c.endswith("/en") and not c.startswith("ghec/") for c in changed), changed
    assert "zeppelins" in records(out, "fpt", "en")["/en/alpha/one"]["content"]
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
    en = records(out, "fpt", "en")
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
    # a huge version x language still has a bounded number of shards
    many = {f"p{k}": [f"/en/p{k}/{i}" for i in range(400)] for k in range(100)}
    assert len(plan_shards(many)) <= shards_module.MAX_SHARDS


def test_write_index_api(tmp_path):
    recs = [SearchRecord(f"/en/fpt/p{k}/a{i}", "en", "fpt", f"Product {k}", f"Article {i}",
                         f'<p>body {i} walrus</p><h2 id="h{i}">Part</h2><p>more</p>') for k in range(3) for i in range(5)]
    recs.append(SearchRecord("/ja/fpt/p0/a0", "ja", "fpt", "製品", "記事", "<p>日本語の本文</p>"))
    assert write_index(recs, tmp_path) == []
    en = records(tmp_path, "fpt", "en")
    assert len(en) == 15 and en["/en/fpt/p1/a2"]["meta"]["product"] == "Product 1"
    assert en["/en/fpt/p1/a2"]["meta"]["title"] == "Article 2"
    ja = records(tmp_path, "fpt", "ja")
    assert ja["/ja/fpt/p0/a0"]["meta"]["product"] == "製品"
    listing = json.loads((tmp_path / "_pagefind/fpt/en/shards.json").read_text("utf-8"))
    assert listing["shards"] == sorted(listing["shards"]) and all(s.startswith("/_pagefind/fpt/en/") for s in listing["shards"])
