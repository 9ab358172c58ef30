"""The README's "Getting started" shows what a newcomer's first commands print: checked here
against the commands themselves (timings masked), so the README cannot drift from the tool."""

from __future__ import annotations

import re
import shutil

from .conftest import REPO, run_cli

SECONDS = re.compile(r"in \d+\.\ds;")


def _getting_started() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("## Getting started", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.*?)```", section, re.S)


def _site(tmp_path):
    root = tmp_path / "docs"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    return root


def test_the_first_lines_install_in_a_virtual_environment():
    first = (REPO / "README.md").read_text("utf-8").splitlines()[2:4]
    assert all(line.strip().startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e ") for line in first)
    assert first[0].rstrip().endswith("docs-builder build") and first[1].rstrip().endswith("python3 -m pytest")


def test_getting_started_prints_what_the_readme_shows(tmp_path):
    ok_block, error_block = _getting_started()
    root = _site(tmp_path)
    out = root / "site"
    expected = next(line for line in ok_block.splitlines() if line.startswith("built "))
    result = run_cli("build", "--root", str(root), "--out", str(out))
    assert result.status == 0
    printed = result.stderr.strip().splitlines()[-1]
    assert SECONDS.sub("in 0s;", printed) == SECONDS.sub("in 0s;", expected.replace(" into site ", f" into {out} "))

    # The error example: the line the README adds, then the report as printed.
    page = root / "content" / "packages" / "quickstart.md"
    lines = page.read_text("utf-8").split("\n")
    lines.insert([i for i, line in enumerate(lines) if line == "---"][1] + 2, "{% data reusables.nope %}\n")
    page.write_text("\n".join(lines), "utf-8")
    result = run_cli("build", "--root", str(root), "--out", str(out))
    assert result.status == 1
    shown = [line for line in error_block.splitlines() if not line.startswith("$ ")]
    printed = [line for line in result.stderr.splitlines() if line.strip()]
    printed[-1] = printed[-1].replace(f"; nothing written, {out} is unchanged", "; nothing written, site is unchanged")
    assert [SECONDS.sub("in 0s;", line) for line in printed] == [SECONDS.sub("in 0s;", line) for line in shown]
