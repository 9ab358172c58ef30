"""Content rules (builder/checks/lint.py), driven by tests/cases/lint.md; `docs-builder lint` and `check --lint`."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from builder.checks.lint import lint_site
from builder.checks.rules.table_shape import cells
from tests.casefile import read_cases
from tests.conftest import CORPUS, LANGUAGES_YML, OVERLAY, VERSIONS_YML, page, run_cli, write_tree

CASES = Path(__file__).resolve().parents[1] / "cases" / "lint.md"
TODAY = date(2026, 6, 1)


def _write_case(root: Path, source: str) -> str:
    lines = source.split("\n")
    rel = "content/page.md"
    while lines and lines[0].startswith("%"):
        head, _, rest = lines.pop(0).partition(" ")
        if head == "%reusable":
            rel = "data/reusables/case.md"
        elif head == "%lint.yml":
            (root / "data").mkdir(parents=True, exist_ok=True)
            (root / "data" / "lint.yml").write_text(rest + "\n", "utf-8")
        elif head == "%variables":
            (root / "data" / "variables").mkdir(parents=True, exist_ok=True)
            (root / "data" / "variables" / "product.yml").write_text(rest + "\n", "utf-8")
        else:
            raise AssertionError(f"unknown case directive {head}")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return rel


@pytest.mark.parametrize("source, expected", read_cases(CASES))
def test_rule_case(source, expected, tmp_path):
    rel = _write_case(tmp_path, source)
    found, count = lint_site(tmp_path, today=TODAY)
    assert count == 1
    got = [f"{d.location.line}:{d.location.col} {d.severity} {d.code.name}" for d in found
           if d.location.path == rel]
    assert sorted(got, key=_order) == sorted([e for e in expected.split("\n") if e], key=_order)


def _order(line: str):
    where = line.split()[0].split(":")
    return int(where[0]), int(where[1]), line


def test_table_cells_count_like_gfm():
    assert cells("| a | b |") == 2
    assert cells("a | b") == 2
    assert cells("| a \\| b | c |") == 2
    assert cells("|  |") == 1


SITE = {
    "data/versions.yml": VERSIONS_YML,
    "data/languages.yml": LANGUAGES_YML,
    "content/index.md": page("Home", "See [here](/guide).\n", children="[/guide]"),
    "content/guide.md": page("Guide", "Intro.\n\n```\ncode\n```\n"),
}


def test_cli_lint_exit_status_and_json(tmp_path):
    write_tree(tmp_path, SITE)
    result = run_cli("lint", "--root", str(tmp_path))
    assert result.status == 0, result.stderr
    assert "content/index.md:" in result.stderr and "warning[DB743]" in result.stderr
    assert result.stderr.rstrip().endswith("linted 2 files; 0 errors, 2 warnings")

    (tmp_path / "data" / "lint.yml").write_text("rules:\n  link-text: error\n", "utf-8")
    result = run_cli("lint", "--root", str(tmp_path), "--format", "json", "content/index.md")
    assert result.status == 1
    doc = json.loads(result.stdout)
    assert (doc["errors"], doc["warnings"]) == (1, 0)
    assert doc["diagnostics"][0]["name"] == "link-text" and doc["diagnostics"][0]["line"] == 6

    result = run_cli("lint", "--root", str(tmp_path), "--format", "github")
    assert "::error file=content/index.md,line=6,col=5,title=DB743 link-text::" in result.stderr


def test_cli_lint_refuses_bad_config_and_paths(tmp_path):
    write_tree(tmp_path, SITE)
    (tmp_path / "data" / "lint.yml").write_text("rules:\n  link-txt: error\n  fence-language: loud\n", "utf-8")
    result = run_cli("lint", "--root", str(tmp_path))
    assert result.status == 2
    assert "data/lint.yml:2:3: error[DB747]: data/lint.yml: no rule is called 'link-txt'" in result.stderr
    assert "data/lint.yml:3:3: error[DB747]: data/lint.yml: the level of fence-language" in result.stderr
    (tmp_path / "data" / "lint.yml").unlink()
    outside = tmp_path.parent / "outside.md"
    outside.write_text("[here](/a)\n", "utf-8")
    result = run_cli("lint", "--root", str(tmp_path), str(outside))
    assert result.status == 2 and "error[DB748]" in result.stderr and "outside the site's root" in result.stderr
    result = run_cli("lint", "--root", str(tmp_path), "data/versions.yml")
    assert result.status == 2 and "is not a page or a reusable" in result.stderr


def test_check_runs_the_rules_with_lint_yml_or_flag(tmp_path):
    write_tree(tmp_path, SITE)
    result = run_cli("check", "--root", str(tmp_path))
    assert "DB743" not in result.stderr and result.status == 0
    result = run_cli("check", "--root", str(tmp_path), "--lint")
    assert "warning[DB743]" in result.stderr and "warning[DB742]" in result.stderr and result.status == 0
    (tmp_path / "data" / "lint.yml").write_text("rules: {fence-language: error}\n", "utf-8")
    result = run_cli("check", "--root", str(tmp_path))
    assert "error[DB742]" in result.stderr and result.status == 1


@pytest.mark.skipif(not (CORPUS.is_dir() and OVERLAY.is_dir()), reason="GitHub Docs corpus not present")
def test_lint_runs_on_the_github_docs_slice(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    found, count = lint_site(root, today=TODAY)
    assert count > 100
    by_rule = Counter(d.code.name for d in found)
    assert by_rule["hardcoded-name"] >= 1 and by_rule["heading-increment"] >= 1, by_rule


@pytest.mark.parametrize("body", ["{% " * 50000, "[here](/a) " * 10000, "<!-- lint-disable-line " * 20000,
                                  "{% a %}" * 20000])
def test_hostile_sources_lint_in_linear_time(body, tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\ntitle: A\n---\n" + body, "utf-8")
    started = time.monotonic()
    lint_site(tmp_path, today=TODAY)
    assert time.monotonic() - started < 5


def test_lint_reads_english_only(tmp_path):
    write_tree(tmp_path, SITE)
    result = run_cli("lint", "--root", str(tmp_path), "--language", "fr")
    assert result.status == 2 and "English sources only" in result.stderr
