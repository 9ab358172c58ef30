"""`docs-builder deprecate`: the command on small sites, and the property that the built site of
every remaining version and language is unchanged, on the bundled site and on the GitHub Docs slice."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, OVERLAY, REPO, page, site_files, write_tree

LANGS = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"


def _snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


@pytest.fixture
def small(tmp_path):
    files = site_files({
        "guide/index.md": page("Guide", versions="{fpt: '*', ghes: '*'}", children="[/current, /legacy]"),
        "guide/current.md": page("Current", "Intro.\n\n{% ifversion fpt or ghec or ghes > 3.8 %}\nNew.\n{% endif %}\n",
                                 versions="\n  fpt: '*'\n  ghes: '>= 3.8'  # since 3.8"),
        "guide/legacy.md": page("Legacy", "Old only.\n", versions="{ghes: '< 3.9'}"),
    })
    files["data/languages.yml"] = LANGS
    files["translations/fr-FR/content/guide/current.md"] = page(
        "Actuel", "Intro.\n\n{% ifversion fpt or ghec or ghes > 3.8 %}\nNouveau.\n{% endif %}\n")
    files["translations/fr-FR/content/guide/legacy.md"] = page("Ancien", "Ancien.\n")
    files["translations/fr-FR/data/reusables/broken.md"] = "{% ifversion ghes > 3.8 %}x\n"
    return write_tree(tmp_path / "src", files)


def test_refuses_a_release_that_is_not_the_oldest(small, cli):
    before = _snapshot(small)
    result = cli("deprecate", "ghes@3.9", "--root", str(small))
    assert result.status == 2
    assert ("error[DB660]: enterprise-server@3.9 is not the oldest supported release: releases are deprecated "
            "oldest first, so deprecate enterprise-server@3.8 first") in result.stderr
    for arg, message in [("ghes@3.7", "enterprise-server@3.7 is already deprecated"),
                         ("fpt@latest", "'fpt@latest' is not a release of a plan with numbered releases"),
                         ("ghes@3.99", "enterprise-server has no release '3.99'")]:
        result = cli("deprecate", arg, "--root", str(small))
        assert result.status == 2 and message in result.stderr, result.stderr
    assert _snapshot(small) == before


def test_dry_run_prints_the_diff_and_writes_nothing(small, cli):
    before = _snapshot(small)
    result = cli("deprecate", "enterprise-server@3.8", "--root", str(small), "--dry-run")
    assert result.status == 0, result.stderr
    assert _snapshot(small) == before
    assert "--- a/content/guide/current.md\n+++ b/content/guide/current.md\n" in result.stdout
    assert "-{% ifversion fpt or ghec or ghes > 3.8 %}\n New.\n-{% endif %}\n" in result.stdout
    assert "--- a/content/guide/legacy.md\n+++ /dev/null\n" in result.stdout
    assert "would change 4 files, would remove 2" in result.stderr


def test_deprecate_rewrites_the_sources(small, cli):
    result = cli("deprecate", "ghes@3.8", "--root", str(small))
    assert result.status == 0, result.stderr
    versions = (small / "data/versions.yml").read_text()
    assert 'releases: ["3.10", "3.9"]\n    deprecated: ["3.8", "3.7", "3.6"]\n' in versions
    current = (small / "content/guide/current.md").read_text()
    assert current == page("Current", "Intro.\n\nNew.\n", versions="\n  fpt: '*'\n  ghes: '*'  # since 3.8")
    assert (small / "translations/fr-FR/content/guide/current.md").read_text().endswith("Intro.\n\nNouveau.\n")
    # a page only for the deprecated release goes, with its translation and its `children` entry
    assert not (small / "content/guide/legacy.md").exists()
    assert not (small / "translations/fr-FR/content/guide/legacy.md").exists()
    assert "children: [/current]" in (small / "content/guide/index.md").read_text()
    # Liquid that does not parse is left as it is, and said
    assert (small / "translations/fr-FR/data/reusables/broken.md").read_text() == "{% ifversion ghes > 3.8 %}x\n"
    assert ("translations/fr-FR/data/reusables/broken.md:1:1: warning[DB661]: the Liquid does not parse "
            "(a 'ifversion' block is never closed); the text is left as it is") in result.stderr
    assert not list(small.rglob(".docs-builder-*"))
    assert cli("build", "--root", str(small), "--no-search").status == 0


# The property: every remaining version and language builds byte for byte as before ----------------

CONDITION = re.compile(r"\{%-?\s*(?:ifversion|elsif)\s(.*?)-?%\}", re.S)


def _normalise(rel: str, data: bytes, gone: str, oldest: str) -> bytes:
    """What may differ: the version pickers and maps no longer list the deprecated release, the
    new oldest release shows the "oldest supported release" notice, and source line numbers in
    the comments that say why a translation fell back to English."""
    if rel == "versions.json":  # the current versions archived pages read: the release leaves it
        listing = json.loads(data)
        listing["versions"] = [v for v in listing["versions"] if gone not in v["id"]]
        return json.dumps(listing).encode()
    if rel.endswith("sitemap.xml"):
        data = re.sub(rb"  <url>(?:(?!</url>).)*?" + re.escape(gone.encode()) + rb"(?:(?!</url>).)*?</url>\n", b"",
                      data, flags=re.S)
    data = b"".join(line for line in data.splitlines(True) if gone.encode() not in line)
    data = re.sub(rb'<div class="notice notice-warning" role="note" data-pagefind-ignore>(?:(?!</div>).)*?'
                  + re.escape(oldest.encode()) + rb"(?:(?!</div>).)*?</div>\n", b"", data)
    return re.sub(rb" line=\d+ col=\d+ ", b" line=L col=C ", data)


def _same_site(before: Path, after: Path, gone: str, oldest: str) -> None:
    old = {k: v for k, v in _snapshot(before).items() if not k.startswith(".build/") and gone not in k
           and not k.endswith("translation-status/index.html")}  # a report of problems, of 3.x too
    new = {k: v for k, v in _snapshot(after).items() if not k.startswith(".build/")
           and not k.endswith("translation-status/index.html")}
    assert sorted(old) == sorted(new)
    differ = [k for k in old if old[k] != new[k] and _normalise(k, old[k], gone, "") != _normalise(
        k, new[k], gone, f" {oldest} ")]
    assert not differ, differ[:10]


def _mentions(root: Path, plan: str, oldest: str) -> list[str]:
    """Conditions left in content, data and translations that compare with a deprecated release."""
    found = []
    for path in sorted(p for top in ("content", "data", "translations") for p in (root / top).rglob("*")
                       if p.suffix in (".md", ".yml")):
        for m in CONDITION.finditer(path.read_text("utf-8", "replace")):
            for op, rel in re.findall(rf"\b{plan}\s*(!=|<=|>=|=|<|>)\s*(\d+(?:\.\d+)+)", m.group(1)):
                key, low = tuple(map(int, rel.split("."))), tuple(map(int, oldest.split(".")))
                if key < low or (key == low and op in (">=", "<")):
                    found.append(f"{path.relative_to(root)}: {m.group(0)}")
    return found


def _deprecate_and_compare(cli, root: Path, tmp_path: Path, release: str, oldest: str, *build_args: str):
    gone = "enterprise-server@" + release.split("@")[1]
    args = ("--no-search", "-j", "1", *build_args)
    status = cli("build", "--root", str(root), "--out", str(tmp_path / "before"), *args).status
    result = cli("deprecate", release, "--root", str(root))
    assert result.status == 0, result.stderr
    assert cli("build", "--root", str(root), "--out", str(tmp_path / "after"), *args).status == status
    _same_site(tmp_path / "before", tmp_path / "after", gone, oldest)
    assert not _mentions(root, "ghes", oldest)
    return result


def test_bundled_site_builds_the_same_after_deprecating_its_oldest_release(src, tmp_path, cli):
    result = _deprecate_and_compare(cli, src, tmp_path, "ghes@3.14", "3.15")
    assert "0 warnings" in result.stderr
    assert "ghes: '*'" in (src / "data/features/container-registry.yml").read_text()


@pytest.mark.corpus
def test_github_docs_slice_builds_the_same_after_deprecating_its_oldest_release(tmp_path, cli):
    if not (CORPUS.is_dir() and OVERLAY.is_dir()):
        pytest.skip("the GitHub Docs corpus is not present in ../shared/corpus")
    root = tmp_path / "src"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    result = _deprecate_and_compare(cli, root, tmp_path, "ghes@3.4", "3.5", "--keep-going")
    print("\n" + result.stderr.strip().splitlines()[-1])
