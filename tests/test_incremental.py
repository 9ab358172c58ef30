"""Incremental builds: a rebuild redoes exactly what a change affects, and its output is the
same, byte for byte, as a clean build's, across a series of edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import VERSIONS_YML, page, run_cli, write_tree
from tests.test_build import tree_digest

SKIP = ("_pagefind/", ".build/cache.json", ".build/changes.json")
"""Differ by design: the search index (rebuilt per bundle), the cache, and the change list (what changed since the previous build)."""


def build(root: Path, out: Path, *extra: str, search: bool = False) -> dict:
    result = run_cli("build", "--root", str(root), "--out", str(out), *([] if search else ["--no-search"]),
                     "--format", "json", *extra)
    doc = json.loads(result.stdout)
    assert result.status == 0, result.stderr + result.stdout
    return doc


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def assert_same_as_clean(root: Path, out: Path, tmp: Path, search: bool = False) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, "--clean", search=search)
    skip = (".build/",) if search else SKIP
    ours, theirs = tree_digest(out, skip), tree_digest(clean, skip)
    assert sorted(set(ours) ^ set(theirs)) == []
    assert [p for p in ours if ours[p] != theirs[p]] == []


def test_no_change_rebuild_reuses_every_page(src, tmp_path):
    out = tmp_path / "out"
    first = build(src, out)
    assert first["unchanged_pages"] == 0
    again = build(src, out)
    assert again["unchanged_pages"] == again["pages"]
    assert again["outputs"] == first["outputs"]


EDITS = [
    ("a reusable", "data/reusables/package_registry/token-expiry.md", None),
    ("a variable", "data/variables/product.yml", "prodname_packages"),
    ("a feature file", "data/features/package-retention.yml", None),
    ("a children list", "content/packages/learn/index.md", "children"),
    ("a title used by AUTOTITLE", "content/packages/registries/npm-registry.md", "title"),
    ("a translation", "translations/fr-FR/content/packages/quickstart.md", None),
]


def test_series_of_edits_matches_clean_builds(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    total = build(src, out)["pages"]

    # A reusable: only the pages that include it are rebuilt.
    reusable = src / "data/reusables/package_registry/token-expiry.md"
    reusable.write_text(reusable.read_text("utf-8") + "\nAn added sentence.\n", "utf-8")
    doc = build(src, out)
    assert 0 < total - doc["unchanged_pages"] < total / 2
    assert_same_as_clean(src, out, tmp_path)

    # A variable.
    edit(src / "data/variables/product.yml", "company_short: Nimbus\n", "company_short: Nimbus Inc\n")
    build(src, out)
    assert_same_as_clean(src, out, tmp_path)

    # A variable file that only a short title reads: every sidebar showing that title changes,
    # though no page body reads the file.
    labels = src / "data/variables/labels.yml"
    labels.write_text("quickstart: First steps\n", "utf-8")
    quick = src / "content/packages/quickstart.md"
    edit(quick, "shortTitle: Quickstart\n", "shortTitle: '{% data variables.labels.quickstart %}'\n")
    build(src, out)
    assert_same_as_clean(src, out, tmp_path)
    labels.write_text("quickstart: Getting going\n", "utf-8")
    build(src, out)
    assert "Getting going" in (out / "en/packages/learn/about-packages/index.html").read_text("utf-8")
    assert_same_as_clean(src, out, tmp_path)

    # A feature file: widen it to every release.
    feature = src / "data/features/package-retention.yml"
    feature.write_text("versions:\n  fpt: '*'\n  ghec: '*'\n  ghes: '*'\n", "utf-8")
    build(src, out)
    assert_same_as_clean(src, out, tmp_path)

    # A title used by AUTOTITLE elsewhere.
    npm = src / "content/packages/registries/npm-registry.md"
    edit(npm, "title: ", "title: Renamed ")
    doc = build(src, out)
    assert doc["unchanged_pages"] < total
    assert_same_as_clean(src, out, tmp_path)

    # A translation.
    quick = src / "translations/fr-FR/content/packages/quickstart.md"
    quick.write_text(quick.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    doc = build(src, out)
    assert total - doc["unchanged_pages"] >= 1
    assert_same_as_clean(src, out, tmp_path)

    # Add a page, then rename it, then delete it (children lists change with it).
    learn = src / "content/packages/learn/index.md"
    new_page = src / "content/packages/learn/brand-new.md"
    new_page.write_text("---\ntitle: Brand new\nversions: {fpt: '*', ghec: '*', ghes: '*'}\n---\nFresh.\n", "utf-8")
    edit(learn, "children:\n", "children:\n  - /brand-new\n")
    build(src, out)
    assert (out / "en/packages/learn/brand-new/index.html").is_file()
    assert_same_as_clean(src, out, tmp_path)

    new_page.rename(src / "content/packages/learn/renamed.md")
    edit(learn, "  - /brand-new\n", "  - /renamed\n")
    build(src, out)
    assert not (out / "en/packages/learn/brand-new/index.html").exists()
    assert (out / "en/packages/learn/renamed/index.html").is_file()
    assert_same_as_clean(src, out, tmp_path)

    (src / "content/packages/learn/renamed.md").unlink()
    edit(learn, "  - /renamed\n", "")
    build(src, out)
    assert not (out / "en/packages/learn/renamed").exists()
    assert_same_as_clean(src, out, tmp_path)


def test_template_change_rebuilds_everything(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    (src / "templates").mkdir()
    (src / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block article %}<h1>{{ page.title }}</h1><p class="custom">Custom</p>'
        "{{ page.body }}{% endblock %}", "utf-8")
    doc = build(src, out)
    assert doc["unchanged_pages"] == 0
    assert 'class="custom"' in (out / "en/packages/quickstart/index.html").read_text("utf-8")
    assert_same_as_clean(src, out, tmp_path)


def test_foreign_files_survive_rebuilds(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    (out / "CNAME").write_text("docs.example.com\n", "utf-8")
    build(src, out)
    build(src, out, "--clean")
    assert (out / "CNAME").read_text("utf-8") == "docs.example.com\n"


# Two products that link to each other, and a French translation.
PRODUCTS = {
    "data/versions.yml": VERSIONS_YML,
    "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
    "content/index.md": page("Home", "Welcome.\n", children="[/alpha, /beta]"),
    "content/alpha/index.md": page("Alpha", "A.\n", children="[/one, /two]", layout="product-landing"),
    "content/alpha/one.md": page("One", "Body of one.\n", intro="'Read [AUTOTITLE](/beta/three) first.'"),
    "content/alpha/two.md": page("Two", "See [AUTOTITLE](/beta/three).\n", intro="'Read [AUTOTITLE](/beta) first.'"),
    "content/beta/index.md": page("Beta", "B.\n", children="[/three, /four]"),
    "content/beta/three.md": page("Three", "Three.\n"),
    "content/beta/four.md": page("Four", "Four.\n", versions="{fpt: '*'}"),
    "translations/fr/content/alpha/two.md": page("Deux", "Voir [la suite](/beta/suite).\n"),
    "translations/fr/content/alpha/one.md": page("Un", "Voir [quatre](/beta/four).\n"),
}


@pytest.fixture
def products(tmp_path):
    return write_tree(tmp_path / "products", dict(PRODUCTS))


def test_autotitle_into_another_product_follows_its_title_and_path(products, tmp_path):
    """alpha/index.md shows one.md's intro, whose AUTOTITLE names a page of the other product."""
    out = tmp_path / "out"
    build(products, out)
    three = products / "content/beta/three.md"
    edit(three, "title: Three", "title: Three retitled")
    build(products, out)
    for path in ("en/alpha/index.html", "en/alpha/one/index.html", "en/alpha/two/index.html"):
        assert "Three retitled" in (out / path).read_text("utf-8"), path
    assert_same_as_clean(products, out, tmp_path)

    # Renamed, its old path kept by redirect_from: the links now lead to the new path.
    three.rename(products / "content/beta/three-renamed.md")
    edit(three.with_name("three-renamed.md"), "---\nThree", "redirect_from: [/beta/three]\n---\nThree")
    edit(products / "content/beta/index.md", "/three,", "/three-renamed,")
    build(products, out)
    assert "/beta/three-renamed" in (out / "en/alpha/index.html").read_text("utf-8")
    assert_same_as_clean(products, out, tmp_path)


def test_children_swapping_their_intro_links(products, tmp_path):
    """The same links and the same intro texts on alpha's page, each now in the other's intro."""
    out = tmp_path / "out"
    build(products, out)
    edit(products / "content/alpha/one.md", "(/beta/three)", "(/beta)")
    edit(products / "content/alpha/two.md", "(/beta)", "(/beta/three)")
    build(products, out)
    landing = (out / "en/alpha/index.html").read_text("utf-8")
    assert landing.index('href="/en/beta"') < landing.index('href="/en/beta/three"')
    assert_same_as_clean(products, out, tmp_path)


def test_a_translation_comes_back_when_its_broken_link_is_fixed_by_a_redirect(products, tmp_path):
    out = tmp_path / "out"
    first = run_cli("build", "--root", str(products), "--out", str(out), "--no-search")
    assert "fr: body of content/alpha/two.md falls back to English" in first.stderr
    assert "Voir" not in (out / "fr/alpha/two/index.html").read_text("utf-8")
    edit(products / "content/beta/three.md", "---\nThree", "redirect_from: [/beta/suite]\n---\nThree")
    again = run_cli("build", "--root", str(products), "--out", str(out), "--no-search")
    assert "content/alpha/two.md falls back" not in again.stderr
    assert "Voir" in (out / "fr/alpha/two/index.html").read_text("utf-8")
    assert_same_as_clean(products, out, tmp_path)


def test_a_translation_comes_back_when_its_link_target_widens_its_versions(products, tmp_path):
    """fr one.md links to four.md, which exists only in fpt: in the other versions the French
    page falls back to English until four.md exists there too."""
    out = tmp_path / "out"
    build(products, out)
    assert "Voir" in (out / "fr/alpha/one/index.html").read_text("utf-8")
    assert "Voir" not in (out / "fr/enterprise-cloud@latest/alpha/one/index.html").read_text("utf-8")
    edit(products / "content/beta/four.md", "versions: {fpt: '*'}", "versions: {fpt: '*', ghec: '*', ghes: '*'}")
    build(products, out)
    assert "Voir" in (out / "fr/enterprise-cloud@latest/alpha/one/index.html").read_text("utf-8")
    assert_same_as_clean(products, out, tmp_path)


def test_incremental_builds_with_search_match_clean_ones(products, tmp_path):
    out = tmp_path / "out"
    build(products, out, search=True)
    edit(products / "content/beta/three.md", "Three.\n", "Three, with a searchable zeppelin.\n")
    build(products, out, search=True)
    assert_same_as_clean(products, out, tmp_path, search=True)
    edit(products / "translations/fr/content/alpha/two.md", "/beta/suite", "/beta/three")
    build(products, out, search=True)
    assert_same_as_clean(products, out, tmp_path, search=True)
    listing = json.loads((out / "_pagefind/fr/shards.json").read_text("utf-8"))
    entry = (out / listing["shards"][0].strip("/") / "pagefind-entry.json").read_text("utf-8")
    assert '"fr"' in entry and '"en"' not in entry


def test_a_french_only_build_follows_the_english_headings_it_uses(tmp_path):
    """A translation's headings take English's ids: with --language fr no English page is built,
    yet an English reusable's heading still decides the French anchors."""
    root = write_tree(tmp_path / "heads", {
        "data/versions.yml": VERSIONS_YML,
        "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
        "data/reusables/head.md": "## Heading A\n\nText.\n",
        "content/index.md": page("Home", "Welcome.\n", children="[/a]"),
        "content/a/index.md": page("A", "{% data reusables.head %}\n"),
        "translations/fr/content/a/index.md": page("A fr", "## Titre\n\nTexte.\n"),
    })
    out = tmp_path / "out"
    build(root, out, "--language", "fr")
    (root / "data/reusables/head.md").write_text("## Heading B\n\nText.\n", "utf-8")
    build(root, out, "--language", "fr")
    assert 'id="heading-b"' in (out / "fr/a/index.html").read_text("utf-8")
    clean = tmp_path / "clean"
    build(root, clean, "--language", "fr", "--clean")
    assert tree_digest(out, SKIP) == tree_digest(clean, SKIP)
