"""Incremental builds: a rebuild redoes exactly what a change affects, and its output is the
same, byte for byte, as a clean build's, across a series of edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.test_build import tree_digest

SKIP = ("_pagefind/", ".build/cache.json")


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "src"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    return root


def build(root: Path, out: Path, *extra: str) -> dict:
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--format", "json", *extra)
    doc = json.loads(result.stdout)
    assert result.status == 0, result.stderr + result.stdout
    return doc


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def assert_same_as_clean(root: Path, out: Path, tmp: Path) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, "--clean")
    ours, theirs = tree_digest(out, SKIP), tree_digest(clean, SKIP)
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
