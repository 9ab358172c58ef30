"""`page.available_since` in the layout context: the first supported release a page appears in,
for a "new in" badge; incremental builds follow an edit of the page's versions exactly."""

from __future__ import annotations

from tests.conftest import page, run_cli, site_files, write_tree

BADGE = ('{% extends "base.html" %}{% block article %}{% if page.available_since %}'
         '<span class="badge" data-version="{{ page.available_since.version }}">New in '
         '{{ page.available_since.title }}</span>{% endif %}{{ page.body }}{% endblock %}')


def _badge(out, path: str) -> str | None:
    html = (out / path / "index.html").read_text("utf-8")
    start = html.find('<span class="badge"')
    return html[start: html.find("</span>", start) + 7] if start != -1 else None


def test_available_since_names_the_first_release_with_the_page(tmp_path):
    files = site_files({
        "new.md": page("New", "Body.\n", versions="{fpt: '*', ghes: '>=3.9'}"),
        "old.md": page("Old", "Body.\n"),
    })
    files["templates/article.html"] = BADGE
    root = write_tree(tmp_path / "src", files)
    out = root / "site"
    assert run_cli("build", "--root", str(root), "--no-search").status == 0
    expected = '<span class="badge" data-version="enterprise-server@3.9">New in Enterprise Server 3.9</span>'
    assert _badge(out, "en/enterprise-server@3.9/new") == expected
    assert _badge(out, "en/enterprise-server@3.10/new") == expected
    assert _badge(out, "en/new") is None  # a plan without numbered releases
    assert _badge(out, "en/enterprise-server@3.8/old") is None  # in every supported release
    assert _badge(out, "en/enterprise-server@3.10/old") is None

    (root / "content" / "new.md").write_text(page("New", "Body.\n", versions="{fpt: '*', ghes: '>=3.10'}"), "utf-8")
    assert run_cli("build", "--root", str(root), "--no-search").status == 0
    incremental = (out / "en/enterprise-server@3.10/new/index.html").read_bytes()
    assert b"New in Enterprise Server 3.10" in incremental
    assert not (out / "en/enterprise-server@3.9/new").exists()
    assert run_cli("build", "--root", str(root), "--no-search", "--clean").status == 0
    assert (out / "en/enterprise-server@3.10/new/index.html").read_bytes() == incremental
