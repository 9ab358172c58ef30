"""End to end through the CLI: output paths, exit status, messages, manifest, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import page, read


def tree_digest(root: Path, skip=("_pagefind/",)) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(skip)
    }


BASIC = {
    "packages/index.md": page("Packages", "Intro text.\n", children="[/about, /server-only]", layout="product-landing"),
    "packages/about.md": page(
        "About packages",
        "## Overview\n\n{% ifversion ghes %}Server text.{% else %}Cloud text.{% endifversion %}\n\n"
        "{% data reusables.note %} {% ifversion not ghec %}[AUTOTITLE](/packages/server-only){% endif %}\n",
        versions="{fpt: '*', ghec: '*', ghes: '>= 3.9'}",
    ),
    "packages/server-only.md": page("Server only", "Only on {% data variables.product.name %}.\n",
                                    versions="{ghes: '*', fpt: '*'}"),
}
BASIC_DATA = {
    "data/reusables/note.md": "A reusable note.\n",
    "data/variables/product.yml": "name: Enterprise Server\n",
}


def test_build_writes_every_language_version_and_page(make_site, cli, tmp_path):
    root = make_site(BASIC, BASIC_DATA)
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    assert (out / "index.html").is_file()
    assert 'url=/en' in read(out / "index.html")
    assert (out / "en/index.html").is_file()
    assert (out / "en/enterprise-server@3.10/index.html").is_file()
    about = "packages/about/index.html"
    assert (out / "en" / about).is_file()
    assert (out / "en/enterprise-cloud@latest" / about).is_file()
    assert (out / "en/enterprise-server@3.9" / about).is_file()
    assert not (out / "en/enterprise-server@3.8" / about).exists()  # ghes >= 3.9 only
    assert "Server text." in read(out / "en/enterprise-server@3.9" / about)
    assert "Cloud text." in read(out / "en" / about)
    assert not (out / "en/enterprise-cloud@latest/packages/server-only/index.html").exists()
    # the category exists in the union of its children's versions
    assert (out / "en/enterprise-server@3.8/packages/index.html").is_file()
    assert "built " in result.stderr and "0 errors" in result.stderr


def test_links_are_rewritten_and_autotitle_filled(make_site, cli, tmp_path):
    root = make_site(BASIC, BASIC_DATA)
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search", "--version", "ghes").status == 0
    html = read(out / "en/enterprise-server@3.9/packages/about/index.html")
    assert '<a href="/en/enterprise-server@3.9/packages/server-only">Server only</a>' in html


def test_broken_link_is_an_error_at_its_line_and_nothing_is_written(make_site, cli, tmp_path):
    root = make_site(BASIC, BASIC_DATA)
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    before = tree_digest(out)
    about = root / "content/packages/about.md"
    about.write_text(read(about) + "\nSee [the guide](/packages/nowhere).\n", "utf-8")
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 1
    line = read(about).split("\n").index("See [the guide](/packages/nowhere).") + 1
    assert f"content/packages/about.md:{line}:17: error[DB401]: link '/packages/nowhere' is broken" in result.stderr
    assert f"  {line} | See [the guide](/packages/nowhere)." in result.stderr
    assert "nothing written" in result.stderr
    assert tree_digest(out) == before


def test_keep_going_writes_what_built(make_site, cli, tmp_path):
    pages = dict(BASIC)
    pages["packages/about.md"] = page("About packages", "{% ifversion nope %}x{% endif %}\n")
    root = make_site(pages, BASIC_DATA)
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search", "--keep-going")
    assert result.status == 1
    assert (out / "en/packages/server-only/index.html").is_file()
    assert not (out / "en/packages/about/index.html").exists()


def test_check_writes_nothing_and_reports_every_problem(make_site, cli, tmp_path):
    pages = dict(BASIC)
    pages["packages/about.md"] = page("About", "{% bogus %}\n\n{% data variables.product.nope %}\n", ftitle="x")
    root = make_site(pages, BASIC_DATA)
    result = cli("check", "--root", str(root))
    assert result.status == 1
    assert not (root / "site").exists()
    assert "content/packages/about.md:4:1: error[DB106]: unknown frontmatter key 'ftitle'" in result.stderr
    assert "error[DB202]: unknown tag 'bogus'" in result.stderr
    assert "error[DB220]: variable 'variables.product.nope' not found" in result.stderr
    assert "3 errors" in result.stderr


def test_formats_github_and_json(make_site, cli):
    pages = dict(BASIC)
    pages["packages/about.md"] = page("About", "Text\n{% ifversion ghez %}x{% endif %}\n")
    root = make_site(pages, BASIC_DATA)
    gh = cli("check", "--root", str(root), "--format", "github")
    assert gh.status == 1
    assert "::error file=content/packages/about.md,line=6,col=14,title=DB211 ifversion-unknown-name::unknown version or feature 'ghez'" in gh.stderr
    js = cli("check", "--root", str(root), "--format", "json")
    doc = json.loads(js.stdout)
    assert doc["errors"] == 1
    assert doc["diagnostics"][0]["code"] == "DB211"
    assert (doc["diagnostics"][0]["file"], doc["diagnostics"][0]["line"], doc["diagnostics"][0]["col"]) == (
        "content/packages/about.md", 6, 14)


def test_configuration_errors_exit_2(make_site, cli, tmp_path):
    root = make_site(BASIC, BASIC_DATA)
    assert cli("build", "--root", str(root), "--version", "ghes@9.9").status == 2
    assert cli("build", "--root", str(root), "--language", "xx").status == 2
    (root / "data/versions.yml").write_text("plans: [\n", "utf-8")
    result = cli("check", "--root", str(root))
    assert result.status == 2
    assert ("data/versions.yml:1:9: error[DB601]: data/versions.yml is not valid YAML: did not find expected "
            "node content (while parsing a flow node)\n  1 | plans: [\n") in result.stderr
    assert cli("build", "--root", str(tmp_path / "missing")).status == 2
    assert cli("build", "--bogus-flag").status == 2


def test_frontmatter_problems_name_the_key_line(make_site, cli):
    pages = dict(BASIC)
    pages["packages/about.md"] = "---\ntitle: About\nversions:\n  fpt: '*'\n  ghes: '>= banana'\n  ftp: '*'\n---\nBody\n"
    root = make_site(pages, BASIC_DATA)
    result = cli("check", "--root", str(root))
    assert "content/packages/about.md:5:9: error[DB110]: bad range '>= banana' for ghes" in result.stderr
    assert "content/packages/about.md:6:3: error[DB111]: unknown plan 'ftp' in versions" in result.stderr


def test_missing_title_and_unclosed_frontmatter(make_site, cli):
    pages = dict(BASIC)
    pages["packages/about.md"] = "---\nversions: {fpt: '*'}\n---\nBody\n"
    pages["packages/server-only.md"] = "---\ntitle: Oops\nversions: {fpt: '*'}\nBody never closed\n"
    root = make_site(pages, BASIC_DATA)
    result = cli("check", "--root", str(root))
    assert "content/packages/about.md:2:1: error[DB107]: missing required frontmatter key 'title'" in result.stderr
    assert "content/packages/server-only.md:1:1: error[DB103]: frontmatter is never closed" in result.stderr


def test_manifest_records_what_each_output_read(make_site, cli, tmp_path):
    files = dict(BASIC_DATA)
    files["data/features/cr.yml"] = "versions:\n  fpt: '*'\n"
    pages = dict(BASIC)
    pages["packages/about.md"] = page("About", "{% data reusables.note %} {% ifversion cr %}cr{% endif %}\n")
    root = make_site(pages, files)
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    manifest = json.loads(read(out / ".build/manifest.json"))
    sources = manifest["outputs"]["en/packages/about/index.html"]["sources"]
    assert "content/packages/about.md" in sources
    assert "data/reusables/note.md" in sources
    server = manifest["outputs"]["en/enterprise-server@3.9/packages/server-only/index.html"]["sources"]
    assert "data/variables/product.yml" in server


def test_unreachable_page_is_a_warning_and_not_built(make_site, cli, tmp_path):
    root = make_site(BASIC, {**BASIC_DATA, "content/packages/orphan.md": page("Orphan", "x\n")})
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0
    assert "content/packages/orphan.md:1:1: warning[DB305]" in result.stderr
    assert not (out / "en/packages/orphan").exists()


def test_builds_are_byte_identical(make_site, cli, tmp_path):
    root = make_site(BASIC, BASIC_DATA)
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--root", str(root), "--out", str(a), "--no-search", "--jobs", "1").status == 0
    assert cli("build", "--root", str(root), "--out", str(b), "--no-search", "--jobs", "2").status == 0
    assert tree_digest(a) == tree_digest(b)
