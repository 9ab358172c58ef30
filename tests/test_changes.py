"""`.build/changes.json` on every build, and the pull-request summary (`--summary`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from builder.ci.changes import ChangeSet, PageInfo
from builder.ci.summary import MARKER, render
from tests.conftest import run_cli
from tests.test_preview import add_redirect, build, commit_all, delete_page, edit, edit_page


def changes_of(out: Path) -> dict:
    return json.loads((out / ".build/changes.json").read_text("utf-8"))


def by_path(doc: dict) -> dict[str, dict]:
    return {c["path"]: c for c in doc["changes"]}


def test_a_first_build_lists_every_output_as_added(src, tmp_path):
    out = tmp_path / "out"
    build(src, out, "--no-search")
    doc = changes_of(out)
    assert doc["format"] == 1 and doc["compared_with"] is None
    assert [c["path"] for c in doc["changes"]] == sorted(c["path"] for c in doc["changes"])
    assert {c["change"] for c in doc["changes"]} == {"added"}
    quick = by_path(doc)["en/packages/quickstart/index.html"]
    assert quick == {"path": "en/packages/quickstart/index.html", "url": "/en/packages/quickstart", "kind": "page",
                     "change": "added", "source": "content/packages/quickstart.md",
                     "version": "free-pro-team@latest", "language": "en"}
    kinds = {c["kind"] for c in doc["changes"]}
    assert kinds == {"page", "markdown", "redirect", "site"}
    assert by_path(doc)["sitemap.xml"]["kind"] == "site"
    assert by_path(doc)["redirects.json"]["kind"] == "redirect"


def test_a_rebuild_without_changes_lists_nothing(src, tmp_path):
    out = tmp_path / "out"
    build(src, out, "--no-search")
    build(src, out, "--no-search")
    assert changes_of(out) == {"format": 1, "compared_with": str(out), "changes": []}


def test_an_edited_page_is_modified_in_each_version_and_language_it_changed_in(src, tmp_path):
    out = tmp_path / "out"
    build(src, out, "--no-search")
    edit_page(src)
    build(src, out, "--no-search")
    changes = changes_of(out)["changes"]
    copies = {c["path"] for c in changes if c["kind"] == "markdown"}  # the pages' Markdown copies, llms-full.txt
    changes = [c for c in changes if c["kind"] != "markdown"]
    assert {c["kind"] for c in changes} == {"page"}
    assert {p for p in copies if p.endswith("/index.md")} == {c["path"][: -len("html")] + "md" for c in changes}
    assert copies - {p for p in copies if p.endswith("/index.md")} and all(
        p.endswith("llms-full.txt") for p in copies if not p.endswith("/index.md"))
    assert {c["change"] for c in changes} == {"modified"}
    assert {c["source"] for c in changes} == {"content/packages/quickstart.md"}
    assert {(c["language"], c["version"]) for c in changes} >= {("en", "free-pro-team@latest"),
                                                                 ("en", "enterprise-server@3.17")}
    assert "ja" not in {c["language"] for c in changes}  # the Japanese translation did not change


def test_added_removed_pages_and_redirects(src, tmp_path):
    out = tmp_path / "out"
    build(src, out, "--no-search")
    delete_page(src)
    add_redirect(src)
    (src / "content/admin/new-guide.md").write_text(
        "---\ntitle: A new guide\nversions:\n  ghes: '*'\n---\n\nNew.\n", "utf-8")
    edit(src / "content/admin/index.md", "children:\n", "children:\n  - /new-guide\n")
    build(src, out, "--no-search")
    changes = by_path(changes_of(out))
    removed = changes["en/enterprise-server@3.17/admin/monitoring-storage-usage/index.html"]
    assert removed == {"path": "en/enterprise-server@3.17/admin/monitoring-storage-usage/index.html",
                       "url": "/en/enterprise-server@3.17/admin/monitoring-storage-usage", "kind": "page",
                       "change": "removed", "source": "content/admin/monitoring-storage-usage.md",
                       "version": "enterprise-server@3.17", "language": "en"}
    assert changes["fr/enterprise-server@3.17/admin/monitoring-storage-usage/index.html"]["language"] == "fr"
    added = changes["en/enterprise-server@3.17/admin/new-guide/index.html"]
    assert (added["change"], added["kind"], added["source"]) == ("added", "page", "content/admin/new-guide.md")
    stub = changes["en/packages/javascript-packages/index.html"]
    assert (stub["kind"], stub["change"], stub["url"]) == ("redirect", "added", "/en/packages/javascript-packages")
    assert "source" not in stub
    assert changes["redirects.json"]["change"] == "modified"
    assert changes["sitemap.xml"] == {"path": "sitemap.xml", "url": "/sitemap.xml", "kind": "site",
                                      "change": "modified"}


def test_search_files_are_listed_as_search(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    edit_page(src)
    build(src, out)
    changes = changes_of(out)["changes"]
    search = [c for c in changes if c["kind"] == "search"]
    assert search and all(c["path"].startswith("_pagefind/") for c in search)


def test_a_preview_is_compared_with_its_base_site_and_the_list_is_deterministic(src, tmp_path):
    commit_all(src)
    base = tmp_path / "base"
    build(src, base, "--no-search")
    edit_page(src)
    lists = []
    for name in ("p1", "p2"):
        build(src, tmp_path / name, "--no-search", "--base-site", str(base), "--changed-since", "HEAD")
        lists.append((tmp_path / name / ".build/changes.json").read_bytes())
    assert lists[0] == lists[1]
    doc = json.loads(lists[0])
    assert doc["compared_with"] == str(base)
    assert {c["source"] for c in doc["changes"] if c["kind"] == "page"} == {"content/packages/quickstart.md"}


# The summary -----------------------------------------------------------------------------------


def test_the_summary_lists_each_changed_page_with_its_links(src, tmp_path):
    commit_all(src)
    base = tmp_path / "base"
    build(src, base, "--no-search")
    edit_page(src)
    delete_page(src)
    summary = tmp_path / "comment.md"
    build(src, tmp_path / "preview", "--no-search", "--base-site", str(base), "--changed-since", "HEAD",
          "--base-url", "https://pr-5.preview.example.com", "--production-url", "https://docs.example.com/",
          "--summary", str(summary))
    text = summary.read_text("utf-8")
    assert text.startswith(MARKER + "\n")
    assert "<code>content/packages/quickstart.md</code>" in text
    assert "[Free, Pro, &#38; Team (en)](https://pr-5.preview.example.com/en/packages/quickstart)" in text
    assert "[Enterprise Server 3.17 (en)](https://docs.example.com/en/enterprise-server@3.17/packages/quickstart)" in text
    assert "#### Removed pages" in text
    assert "<code>content/admin/monitoring-storage-usage.md</code> (<code>en</code>" in text
    products = re.findall(r"^#### (.*)$", text, re.M)
    assert products[:-1] == sorted(products[:-1], key=str.casefold) and len(products) >= 3  # grouped


def test_the_summary_says_when_nothing_changed(src, tmp_path):
    out, summary = tmp_path / "out", tmp_path / "comment.md"
    build(src, out, "--no-search")
    build(src, out, "--no-search", "--summary", str(summary))
    assert summary.read_text("utf-8") == f"{MARKER}\n### Preview of the documentation\n\nNo page changed.\n"


def test_the_summary_of_a_failed_build_says_so(src, tmp_path):
    summary = tmp_path / "comment.md"
    edit(src / "content/packages/quickstart.md", None, "\n{% data variables.nope %}\n")
    result = run_cli("build", "--root", str(src), "--out", str(tmp_path / "out"), "--no-search",
                     "--summary", str(summary))
    assert result.status == 1
    assert "The preview build failed" in summary.read_text("utf-8")


def _pages(n: int, title: str = "Page", links: int = 2, url_size: int = 10) -> ChangeSet:
    changes = ChangeSet("base", [])
    for i in range(n):
        info = PageInfo(f"content/p{i % 3}/a{i:03}.md", f"{title} {i:03}", f"Product {i % 3}")
        for j in range(links):
            info.links.append((f"Version {j}", "en", f"/en/v{j}/p/{'x' * url_size}{i}", "modified"))
        changes.pages[info.source] = info
    return changes


def test_a_big_change_is_capped_with_a_count():
    text = render(_pages(80), base_url="https://pr.example.com", production_url="https://docs.example.com")
    assert len(re.findall(r"^\| Page \| Preview \| Production \|$", text, re.M)) == 2  # one table per product (the third is past the cap)
    assert text.count("<code>content/p") == 50
    assert "and 30 more pages" in text


def test_the_summary_always_fits_in_a_github_comment():
    huge = _pages(50, title="T" * 5000, links=40, url_size=2000)
    text = render(huge, base_url="https://pr.example.com/" + "b" * 3000, production_url="https://docs.example.com")
    assert len(text) <= 65_536
    assert re.search(r"and \d+ more pages", text)


def test_titles_cannot_break_the_table_or_inject_html():
    changes = ChangeSet(None, [])
    info = PageInfo("content/a.md", "A | B ] [x](https://evil.example) <script>alert(1)</script> `c` *d*\nE",
                    "Prod <b>|</b>")
    info.links.append(("Free | Pro", "en", "/en/a b)c", "added"))
    changes.pages[info.source] = info
    text = render(changes, base_url="https://pr.example.com", production_url="https://docs.example.com")
    row = next(line for line in text.splitlines() if "content/a.md" in line)
    assert row.count("|") == 4  # Page | Preview | Production: no cell split by the title
    for raw in ("<script", "<b>", "](https://evil", "`c`", "*d*"):
        assert raw not in text
    assert "(https://pr.example.com/en/a%20b%29c)" in row  # the URL cannot end the link early
    assert "Free &#124; Pro (en): new" in row  # an added page has no production link yet
