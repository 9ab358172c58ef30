"""Shared fixtures: small sites written to a temporary folder, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import io
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.cli.main import main
from builder.versions.model import VersionSpace

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "github-docs"
OVERLAY = SHARED / "corpus" / "github-docs-overlay"

VERSIONS_YML = """\
plans:
  - short: fpt
    name: free-pro-team
    title: Free, Pro, & Team
  - short: ghec
    name: enterprise-cloud
    title: Enterprise Cloud
  - short: ghes
    name: enterprise-server
    title: Enterprise Server
    releases: ["3.10", "3.9", "3.8"]
    deprecated: ["3.7", "3.6"]
retired: [ghae, github-ae]
"""

LANGUAGES_YML = "en: {name: English}\n"

ALL_VERSIONS = [
    "free-pro-team@latest",
    "enterprise-cloud@latest",
    "enterprise-server@3.10",
    "enterprise-server@3.9",
    "enterprise-server@3.8",
]


def make_space() -> VersionSpace:
    import yaml

    return VersionSpace.from_data(yaml.safe_load(VERSIONS_YML))


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, "utf-8")
    return root


def page(title: str, body: str = "", versions: str = "{fpt: '*', ghec: '*', ghes: '*'}", **extra: str) -> str:
    lines = ["---", f"title: {title}", f"versions: {versions}"]
    for key, value in extra.items():
        lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def site_files(pages: dict[str, str] | None = None, **more: str) -> dict[str, str]:
    """A minimal site: a home page listing `children`, plus the given pages and files."""
    files = {"data/versions.yml": VERSIONS_YML, "data/languages.yml": LANGUAGES_YML}
    pages = pages or {}
    children = sorted({rel.split("/")[0].removesuffix(".md") for rel in pages if rel != "index.md"})
    if "index.md" not in pages:
        files["content/index.md"] = page("Home", "Welcome.\n", children="[" + ", ".join(f"/{c}" for c in children) + "]")
    for rel, text in pages.items():
        files[f"content/{rel}"] = text
    files.update({k.replace("__", "/"): v for k, v in more.items()})
    return files


@pytest.fixture
def src(tmp_path):
    """A copy of the bundled example site (content, data, translations) to edit."""
    root = tmp_path / "src"
    for part in ("content", "data", "translations"):
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture
def make_site(tmp_path):
    def make(pages: dict[str, str] | None = None, files: dict[str, str] | None = None) -> Path:
        root = tmp_path / "site-src"
        all_files = site_files(pages)
        all_files.update(files or {})
        return write_tree(root, all_files)

    return make


@dataclass
class CliResult:
    status: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return CliResult(status, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def read(path: Path) -> str:
    return path.read_text("utf-8")
