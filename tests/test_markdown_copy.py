"""Markdown copies (index.md next to every index.html), llms.txt and llms-full.txt: the copies
say what the HTML says, their links go where the HTML's go, and incremental builds equal
clean ones."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import REPO, page, write_tree, site_files
from tests.test_incremental import assert_same_as_clean, build, edit

CORPUS = REPO.parent / "shared" / "corpus" / "github-docs"
OVERLAY = REPO.parent / "shared" / "corpus" / "github-docs-overlay"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("md") / "site"
    build(REPO, out)
    return out


def _html_words(html: str) -> list[str]:
    """The words of the page's <main>, without what the layout adds (breadcrumbs, the
    in-this-article list, notices, alert titles, code block labels and buttons)."""
    text = re.search(r"<main\b.*?</main>", html, re.S).group(0)
    text = re.sub(r"<nav\b.*?</nav>", " ", text, flags=re.S)
    text = re.sub(r'<div class="notice\b[^"]*"[^>]*>.*?</div>', " ", text, flags=re.S)
    text = re.sub(r"<(script|style|button|svg)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r'<(p|span) class="(markdown-alert-title|code-lang)"[^>]*>.*?</\1>', " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->|<[^>]+>", " ", text, flags=re.S)
    return re.findall(r"\w+", unescape(text).lower())


_FENCE = re.compile(r"^ *(```|~~~).*$", re.M)


def _md_words(md: str) -> list[str]:
    """The words of a Markdown copy, without its syntax: link targets, alert markers, list
    markers, fences, and HTML tags outside code blocks."""
    parts = _FENCE.split(md)
    words = []
    inside = False
    for n, part in enumerate(parts):
        if n % 2 == 1:  # a fence line's marker
            inside = not inside
            continue
        if not inside:
            part = re.sub(r"\]\([^)\s]*\)", "] ", part)
            part = re.sub(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", " ", part)
            part = re.sub(r"^\s*(\d+\.|[-*+] \[[ xX]\])", " ", part, flags=re.M)
            part = re.sub(r"(`+).*?\1|<!--.*?-->|<[^>]+>", lambda m: m.group(0) if m.group(1) else " ", part, flags=re.S)
            part = unescape(part)
        words += re.findall(r"\w+", part.lower())
    return words


def _page_outputs(out: Path) -> list[Path]:
    """The pages' HTML files, as the manifest lists them, each with its Markdown copy listed too."""
    outputs = json.loads((out / ".build/manifest.json").read_text("utf-8"))["outputs"]
    pages = sorted(path for path, entry in outputs.items() if "page" in entry)
    assert all(path[: -len("html")] + "md" in outputs for path in pages)
    return [out / path for path in pages]


def test_every_page_has_a_markdown_copy_with_the_text_of_its_html(bundled):
    pages = _page_outputs(bundled)
    assert len(pages) > 200
    differ = []
    for html_file in pages:
        md_file = html_file.with_name("index.md")
        assert md_file.is_file(), f"no Markdown copy next to {html_file.relative_to(bundled)}"
        html = html_file.read_text("utf-8")
        rel = "/" + md_file.relative_to(bundled).as_posix()
        assert f'<link rel="alternate" type="text/markdown" href="{rel}">' in html
        ours, theirs = _md_words(md_file.read_text("utf-8")), _html_words(html)
        if ours != theirs:
            ops = [(op, ours[a:b], theirs[c:d]) for op, a, b, c, d in
                   difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes() if op != "equal"]
            differ.append((rel, ops[:3]))
    assert differ == []


def _links(md: str) -> list[str]:
    return [m for m in re.findall(r"\]\(([^)\s]+)\)", md) if m.startswith("/")]


def test_markdown_links_go_where_the_html_links_go(bundled):
    md = (bundled / "en/enterprise-server@3.16/packages/learn/publishing-a-package/index.md").read_text("utf-8")
    html = (bundled / "en/enterprise-server@3.16/packages/learn/publishing-a-package/index.html").read_text("utf-8")
    links = _links(md)
    assert links and all(link.startswith("/en/enterprise-server@3.16/") for link in links), links
    body = html[html.index('<div class="article-body">'):]
    hrefs = set(re.findall(r'href="(/[^"]*)"', body))
    assert set(links) <= hrefs
    assert "AUTOTITLE" not in md
    fr = (bundled / "fr/packages/learn/publishing-a-package/index.md").read_text("utf-8")
    assert _links(fr) and all(link.startswith("/fr/") for link in _links(fr))


LINE = re.compile(r"^- \[(?:[^\]\\]|\\.)+\]\((?:https://docs\.example\.com)?(/[^)\s]+)\)(: .+)?$")
"""An entry; the bundled site's links start with its base URL (`base_url` of data/site.yml)."""


def test_llms_txt_lists_pages_in_navigation_order_with_links_to_markdown(bundled):
    for folder in ("", "en/", "fr/", "en/enterprise-server@3.14/", "ja/enterprise-cloud@latest/"):
        text = (bundled / folder / "llms.txt").read_text("utf-8")
        lines = text.split("\n")
        assert lines[0].startswith("# ") and lines[2].startswith("> "), folder
        assert text.endswith("\n") and "\n\n\n" not in text
        entries = [line for line in lines if line.startswith("- ")]
        assert len(entries) > 5
        for line in lines[4:]:
            assert line == "" or line.startswith("## ") or LINE.match(line), (folder, line)
        urls = [LINE.match(line).group(1) for line in entries]
        for url in urls:
            assert url.endswith("/index.md") and (bundled / url.lstrip("/")).is_file(), url
        full = (bundled / folder / "llms-full.txt").read_text("utf-8")
        copies = [(bundled / url.lstrip("/")).read_text("utf-8") for url in urls]
        assert full == "\n".join(copies)
    assert (bundled / "llms.txt").read_bytes() == (bundled / "en/llms.txt").read_bytes()
    en = (bundled / "en/llms.txt").read_text("utf-8")
    assert en.index("/en/packages/learn/index.md") < en.index("/en/packages/learn/about-packages/index.md")


def test_no_markdown_writes_no_copies(tmp_path):
    out = tmp_path / "out"
    build(REPO, out, "--no-markdown", "--version", "fpt", "--language", "en")
    assert list(out.rglob("*.md")) == [] and list(out.rglob("llms*.txt")) == []
    assert 'type="text/markdown"' not in (out / "en/packages/index.html").read_text("utf-8")
    build(REPO, out, "--version", "fpt", "--language", "en")  # turned on again: the copies appear
    assert (out / "en/packages/index.md").is_file() and (out / "llms.txt").is_file()


def test_frontmatter_text_cannot_add_lines_to_llms_txt(tmp_path):
    title = '"Evil\\n## Injected\\n- [x](/bad)"'
    root = write_tree(tmp_path / "src", site_files({
        "evil.md": page(title, "Body.\n", intro='"one\\n\\n# two"'),
    }))
    out = tmp_path / "out"
    build(root, out)
    text = (out / "llms.txt").read_text("utf-8")
    assert "\n## Injected" not in text and "\n# two" not in text
    assert "\n- [Evil ## Injected - x](/en/evil/index.md): one two\n" in text
    assert all(LINE.match(line) for line in text.split("\n") if line.startswith("-"))
    copy = (out / "en/evil/index.md").read_text("utf-8")
    assert copy.startswith("# Evil ## Injected - x\n\none two\n\nBody.\n")


def test_incremental_builds_equal_clean_builds(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    edit(src / "content/packages/registries/npm-registry.md", "title: ", "title: Renamed ")
    build(src, out)
    assert "Renamed" in (out / "en/packages/learn/publishing-a-package/index.md").read_text("utf-8") or \
        "Renamed" in (out / "en/llms.txt").read_text("utf-8")
    assert_same_as_clean(src, out, tmp_path)
    edit(src / "data/reusables/package_registry/token-expiry.md", "90 days", "60 days")
    build(src, out)
    assert "60 days" in (out / "en/packages/learn/publishing-a-package/index.md").read_text("utf-8")
    assert "60 days" in (out / "en/llms-full.txt").read_text("utf-8")
    assert_same_as_clean(src, out, tmp_path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the GitHub Docs corpus is not present in ../shared/corpus")
def test_github_docs_slice_builds_with_markdown_copies(tmp_path):
    root, out = tmp_path / "src", tmp_path / "site"
    shutil.copytree(CORPUS, root)
    if OVERLAY.is_dir():
        shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    from tests.conftest import run_cli

    result = run_cli("build", "--root", str(root), "--out", str(out), "--keep-going", "--no-search")
    assert result.status in (0, 1), result.stderr[-3000:]
    pages = _page_outputs(out)
    assert pages and all(p.with_name("index.md").is_file() for p in pages)
    text = (out / "llms.txt").read_text("utf-8")
    for url in [LINE.match(line).group(1) for line in text.split("\n") if line.startswith("- ")]:
        assert (out / url.lstrip("/")).is_file(), url
    copies = [p.with_name("index.md").read_text("utf-8") for p in pages]
    assert not [c for c in copies if "{% ifversion" in c or "{% data " in c]


def test_a_rebuild_that_changes_no_page_keeps_llms_full_txt_as_it_is(tmp_path):
    """llms-full.txt joins every copy of its version: a rebuild reads and rewrites it only when a
    page of it changed."""
    root = tmp_path / "src"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    out = tmp_path / "out"
    build(root, out, "--version", "fpt", "--language", "en")
    build(root, out, "--version", "fpt", "--language", "en")  # records what llms-full.txt was made from
    before = (out / "en/llms-full.txt").stat().st_ino
    build(root, out, "--version", "fpt", "--language", "en")
    assert (out / "en/llms-full.txt").stat().st_ino == before
    edit(root / "content/packages/quickstart.md", "\n---\n", "\n---\n\nThe word okapiquick is new here.\n")
    build(root, out, "--version", "fpt", "--language", "en")
    assert "okapiquick" in (out / "en/llms-full.txt").read_text("utf-8")


# llms-full.txt remade from the last one: only the copies a build wrote are read --------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from builder.output.markdown_copy import Part, llms_full, llms_full_spliced  # noqa: E402

_DOC = st.one_of(st.just(""), st.just("\n"), st.text(alphabet="ab# \n", max_size=12).map(lambda t: "# T\n" + t))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_DOC, st.one_of(st.none(), _DOC)), max_size=8))
def test_a_spliced_llms_full_equals_one_made_from_every_copy(docs):
    """Whatever the copies (blank ones, trailing newlines, `#` lines), the file remade from the
    last one and the changed copies equals the file made from all of them, or the splice gives up."""
    before = [d for d, _ in docs]
    now = [d if n is None else n for d, n in docs]
    last = llms_full(before).encode("utf-8")
    parts = [Part(len(d.encode()), None if n is None else d.encode(), None if n is None else n.encode())
             for d, n in docs]
    spliced = llms_full_spliced(last, parts)
    clean = all(d.endswith("\n") and not d.endswith("\n\n") and d.strip() for d, n in docs if n is None)
    if clean:
        assert spliced == llms_full(now).encode("utf-8")
    else:
        assert spliced in (None, llms_full(now).encode("utf-8"))


def test_a_spliced_llms_full_gives_up_when_the_last_file_does_not_fit():
    docs = ["# A\n\nalpha\n", "# B\n\nbeta\n", "# C\n\ngamma\n"]
    last = llms_full(docs).encode("utf-8")
    parts = [Part(len(d), None, None) for d in map(str.encode, docs)]
    assert llms_full_spliced(last, parts) == last
    assert llms_full_spliced(last[:-1], parts) is None  # shorter
    assert llms_full_spliced(last + b"\n# D\n", parts) is None  # longer
    swapped = llms_full([docs[1], docs[0], docs[2]]).encode("utf-8")
    changed = [Part(len(docs[0]), docs[0].encode(), b"# A\n\nnew\n")] + parts[1:]
    assert llms_full_spliced(swapped, changed) is None  # the changed copy is not where it was


def test_an_edit_remakes_llms_full_from_the_last_one_and_the_copies_it_wrote(src, tmp_path):
    """An incremental build takes the unchanged pages' text from the last llms-full.txt: a copy it
    did not write is not read (here one was altered by hand, keeping its size, and the file keeps
    the text the build made). A last llms-full.txt that does not fit is rebuilt from every copy."""
    out = tmp_path / "out"
    build(src, out)
    other = out / "en/packages/quickstart/index.md"
    text = other.read_text("utf-8")
    assert "Quickstart" in text
    other.write_text(text.replace("Quickstart", "QUICKSTART"), "utf-8")
    edit(src / "data/reusables/package_registry/token-expiry.md", "90 days", "61 days")
    build(src, out)
    full = (out / "en/llms-full.txt").read_text("utf-8")
    assert "61 days" in full and "90 days" not in full
    assert "QUICKSTART" not in full and "Quickstart" in full
    other.write_text(text, "utf-8")
    assert_same_as_clean(src, out, tmp_path)
    (out / "en/llms-full.txt").write_bytes((out / "en/llms-full.txt").read_bytes()[:-40])  # damaged
    edit(src / "data/reusables/package_registry/token-expiry.md", "61 days", "62 days")
    build(src, out)
    assert "62 days" in (out / "en/llms-full.txt").read_text("utf-8")
    assert_same_as_clean(src, out, tmp_path)


@pytest.mark.parametrize("copies", [
    [], ["# A\n"], ["# A\n\nText.\n", "", "# B"], ["\n\n", "# C\n\n\n", "\u3000\n", "\x1c", "\x1c# D\n"],
    ["é\n", " \n# E \n\n", "\u2028 x", "# F\r\n"],
])
def test_llms_full_written_from_the_copies_bytes_is_llms_full(copies):
    """llms-full.txt is written from the copies' bytes without being joined in memory: the same
    bytes and size as llms_full, blank copies (Unicode spaces too) left out."""
    from builder.output.markdown_copy import copy_segments, llms_full, segments_bytes, segments_size

    segments = copy_segments([c.encode("utf-8") for c in copies])
    expected = llms_full(copies).encode("utf-8")
    assert b"".join(segments_bytes(segments)) == expected
    assert segments_size(segments) == len(expected)
