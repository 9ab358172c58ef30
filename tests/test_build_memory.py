"""What keeps a build's memory lower as the site grows (issue 13): results kept as compact shared
records, state files streamed to disk, external links collected only by `check`. Each must
leave the site byte for byte as it was."""

from __future__ import annotations

import hashlib
import json

import pytest

from builder.output.checksummed import write_checksummed
from builder.output.writer import read_manifest
from builder.pipeline.build import BuildOptions, run_build
from builder.pipeline.results import Compactor, Output, PageResult
from tests.conftest import page


def _many_pages(n: int) -> dict[str, str]:
    pages = {"docs/index.md": page("Docs", "The docs.\n", children="[" + ", ".join(f"/p{i}" for i in range(n)) + "]")}
    for i in range(n):
        pages[f"docs/p{i}.md"] = page(f"Page {i}", f"## Part {i}\n\nText {i} with [a link](/docs/p{(i + 1) % n}) "
                                      "and [elsewhere](https://example.com/x).\n")
    return pages


def test_state_files_are_written_in_parts_with_their_checksum_first(tmp_path):
    parts = ['"a":1', ',"b":"\u00e9t\u00e9"', "}\n"] * 1000

    def head(checksum: str) -> bytes:
        return ('{"format":4,"checksum":"sha256:%s",' % checksum).encode()

    target = tmp_path / "f.json"
    with open(target, "wb") as fh:
        write_checksummed(fh, head, iter(parts))
    rest = "".join(parts).encode("utf-8")
    assert target.read_bytes() == head(hashlib.sha256(rest).hexdigest()) + rest
    with open(tmp_path / "g.json", "wb") as fh, pytest.raises(ValueError, match="changed length"):
        write_checksummed(fh, lambda c: c.encode() if c.startswith("0") else b"x", ["a"])


def test_a_built_manifest_passes_its_checksum_and_lists_every_output(make_site, tmp_path):
    root = make_site(_many_pages(3))
    out = tmp_path / "out"
    report = run_build(BuildOptions(root=root, out=out, jobs=1, search=False))
    problems: list = []
    manifest = read_manifest(out, problems)
    assert not problems
    pages = {p: e for p, e in manifest["outputs"].items() if p.endswith("/index.html") and "page" in e}
    assert len(pages) == report.outputs
    written = json.loads((out / ".build/manifest.json").read_bytes())["outputs"]["en/docs/p1/index.html"]
    assert written["page"] == "docs/p1.md" and "content/docs/p1.md" in written["sources"]
    # read back, an entry keeps what the next build compares and reports, not every source
    entry = pages["en/docs/p1/index.html"]
    assert entry == {k: written[k] for k in ("digest", "page", "lang", "version")}
    assert entry["lang"] is pages["en/docs/p2/index.html"]["lang"]  # one string for all its entries
    assert manifest["outputs"]["_static/site.js"].keys() == {"digest"}


def test_an_older_manifest_read_back_keeps_the_first_source_of_a_page(tmp_path):
    """Format 3 names no page: a removed page is reported by its first source (changes.py)."""
    rest = json.dumps({"extra_outputs": [], "outputs": {
        "en/a/index.html": {"sources": ["content/a.md", "data/x.yml"]}}}, separators=(",", ":"))[1:]
    head = '{"format":3,"checksum":"sha256:%s",' % hashlib.sha256(rest.encode()).hexdigest()
    (tmp_path / ".build").mkdir()
    (tmp_path / ".build/manifest.json").write_text(head + rest, "utf-8")
    (tmp_path / "en/a").mkdir(parents=True)
    (tmp_path / "en/a/index.html").write_text("a", "utf-8")
    problems: list = []
    manifest = read_manifest(tmp_path, problems)
    assert not problems
    assert manifest["outputs"] == {"en/a/index.html": {"sources": ["content/a.md"]}}


def test_compacted_results_share_equal_values_and_encode_as_before():
    def result(path: str) -> PageResult:
        r = PageResult("a.md")
        # built apart, as two workers' results arrive: equal values, distinct objects
        r.outputs.append(Output(path, ["content/a.md", "data/d\u00e9j\u00e0.yml"], "en", "fpt", "a.md",
                                [("/b", True)], path.replace(".html", ".md"), "0f" * 16))
        r.anchors[("en", "fpt")] = ("main", "title")
        return r

    compact = Compactor()
    a, b = compact(result("en/a/index.html")), compact(result("en/\u00e9/index.html"))
    oa, ob = a.outputs[0], b.outputs[0]
    assert oa.sources is ob.sources and oa.links is ob.links
    assert a.anchors[("en", "fpt")] is b.anchors[("en", "fpt")]
    for o in (oa, ob):
        expected = json.dumps(o.path, ensure_ascii=False) + ":" + json.dumps(
            {"sources": list(o.sources), "digest": o.digest, "page": o.page, "lang": o.lang, "version": o.version},
            ensure_ascii=False, separators=(",", ":"))
        assert o.manifest_entry({}) == o.manifest_entry() == expected


def test_external_links_are_collected_by_check_only(make_site, tmp_path):
    root = make_site(_many_pages(2))
    checked = run_build(BuildOptions(root=root, write=False, jobs=1, search=False))
    assert {url for url, *_ in checked.external} == {"https://example.com/x"}
    built = run_build(BuildOptions(root=root, out=tmp_path / "out", jobs=1, search=False))
    assert built.external == []
    cache = (tmp_path / "out" / ".build" / "cache.json").read_text()
    assert "example.com" not in cache
