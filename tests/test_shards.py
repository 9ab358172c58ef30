"""Sharded builds: `build --shard K/N` then `assemble` gives the single build's site, byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builder.links import outputs as links_outputs
from builder.pipeline.shard import partition, search_plan, shown_pages
from builder.pipeline.site import Site
from builder.search import shards as search_shards
from tests.conftest import VERSIONS_YML, page, run_cli, write_tree


def files_of(site: Path, build_state: bool = False) -> dict[str, bytes]:
    found = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and (build_state or not rel.startswith(".build/")):
            found[rel] = path.read_bytes()
    return found


def assert_same(a: Path, b: Path) -> None:
    ours, theirs = files_of(a), files_of(b)
    assert sorted(set(ours) ^ set(theirs)) == []
    assert [rel for rel in ours if ours[rel] != theirs[rel]] == []
    # what a deploy step reads is the same too, and the cache the next build starts from
    for rel in (".build/manifest.json", ".build/search.json", ".build/cache.json"):
        assert (a / rel).is_file() == (b / rel).is_file()
        if (a / rel).is_file():
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def cli_ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.status == 0, result.stderr
    return result.stderr


def build_shards(root: Path, where: Path, n: int, *extra: str) -> list[Path]:
    folders = []
    for k in range(1, n + 1):
        folder = where / f"shard-{k}"
        cli_ok("build", "--root", str(root), "--shard", f"{k}/{n}", "--out", str(folder), *extra)
        folders.append(folder)
    return folders


def assemble(root: Path, folders: list[Path], out: Path):
    return run_cli("assemble", "--root", str(root), *map(str, folders), "--out", str(out))


@pytest.fixture
def generated(tmp_path, monkeypatch):
    """Three products of six articles in English and French (half translated), three
    redirect_from each, on five versions; search bundles of at most 4 pages, so each language
    has several search shards and a product is split by URL hash."""
    monkeypatch.setattr(search_shards, "TARGET_PAGES", 4)
    files = {"data/versions.yml": VERSIONS_YML,
             "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
             "data/reusables/note.md": "A note {% ifversion ghes %}for servers{% else %}for the cloud{% endif %}.\n",
             "content/index.md": page("Home", "Welcome.\n", children="[/p0, /p1, /p2]")}
    for p in range(3):
        files[f"content/p{p}/index.md"] = page(f"Product {p}", "Intro.\n", children="[" + ", ".join(
            f"/a{i}" for i in range(6)) + "]")
        for i in range(6):
            body = (f"## Part {i}\n\n{{% data reusables.note %}} Words {'x ' * (40 * i)}\n\n"
                    f"See [the next](/p{(p + 1) % 3}/a{i}#part-{i}) and [a missing part](/p{p}/a0#nowhere).\n")
            versions = "{fpt: '*', ghes: '>=3.9'}" if i % 2 else "{fpt: '*', ghec: '*', ghes: '*'}"
            redirects = "[" + ", ".join(f"/p{p}/old-{i}-{r}" for r in range(3)) + "]"
            files[f"content/p{p}/a{i}.md"] = page(f"Article {p}.{i}", body, versions=versions,
                                                  redirect_from=redirects, intro=f"'About [product {p}](/p{p}).'")
            if i % 2 == 0:
                files[f"translations/fr/content/p{p}/a{i}.md"] = page(f"Article fr {p}.{i}", body.replace(
                    "Words", "Mots"), versions=versions)
    return write_tree(tmp_path / "gen", files)


def test_example_site_in_three_shards_equals_the_single_build(src, tmp_path):
    cli_ok("build", "--root", str(src), "--out", str(tmp_path / "single"))
    folders = build_shards(src, tmp_path, 3)
    result = assemble(src, folders, tmp_path / "site")
    assert result.status == 0, result.stderr
    assert "assembled" in result.stderr and "from 3 shards" in result.stderr
    assert_same(tmp_path / "single", tmp_path / "site")
    # a shard holds only its part: the whole-site files that need no page built are each written
    # by one shard (the last ones, whose runs of pages are shorter), and linked by assemble
    for name in ("sitemap.xml", "_redirects", "redirects.json", "nginx-redirects.conf"):
        holders = [f for f in folders if (f / name).exists()]
        assert holders == [folders[{"sitemap.xml": 2, "_redirects": 1, "redirects.json": 0}.get(name, 2)]], name
        assert (tmp_path / "site" / name).stat().st_ino == (holders[0] / name).stat().st_ino, name
    for folder in folders:
        assert not (folder / "404.html").exists() and not list(folder.glob("_pagefind/*/shards.json"))
    # two shards: a page's en and ja in one, its fr in the other; its link checks in language order
    two = build_shards(src, tmp_path / "two", 2)
    assert {lang for f in two for lang in ("en", "fr", "ja") if (f / lang).is_dir()} == {"en", "fr", "ja"}
    site = merge(two, tmp_path / "merged")
    assert run_cli("assemble", "--root", str(src), "--in-place", "--out", str(site)).status == 0
    assert_same(tmp_path / "single", site)
    assert (site / ".build/cache.json").read_bytes() == (tmp_path / "single" / ".build/cache.json").read_bytes()


@pytest.mark.parametrize("n", [4, 40])
def test_generated_site_with_search_equals_the_single_build(generated, tmp_path, n):
    single = run_cli("build", "--root", str(generated), "--out", str(tmp_path / "single"))
    assert single.status == 0, single.stderr
    assert len(list((tmp_path / "single" / "_pagefind" / "en").iterdir())) > 4  # several search shards
    folders = build_shards(generated, tmp_path, n)
    if n == 40:  # more shards than units: some are empty, and valid
        assert any(not list(f.glob("*/*/index.html")) and not (f / "en").exists() for f in folders)
    result = assemble(generated, folders, tmp_path / "site")
    assert result.status == 0, result.stderr
    assert_same(tmp_path / "single", tmp_path / "site")
    # the cross-shard anchor checks are reported once, as by the single build
    assert result.stderr.count("warning[DB") == single.stderr.count("warning[DB") > 0
    assert result.stderr.count("has no heading or element with id 'nowhere'") == \
        single.stderr.count("has no heading or element with id 'nowhere'") > 0


def test_each_redirect_stub_is_written_by_the_shard_that_builds_its_page(generated, tmp_path, monkeypatch):
    """The stubs are split with the pages (assemble links them rather than writing 100,000s of
    files on one machine): each is in exactly one shard, the one with the page it leads to; and
    assemble takes them, and the redirect files, as the shards made them, without computing the
    whole site's redirect map again (a second of a big site's assembly)."""
    cli_ok("build", "--root", str(generated), "--out", str(tmp_path / "single"))
    rules = json.loads((tmp_path / "single" / "redirects.json").read_text())
    stubs = {source.strip("/") + "/index.html": target.strip("/") + "/index.html"
             for source, target in rules.items() if source != "/"
             and (tmp_path / "single" / source.strip("/") / "index.html").is_file()}
    assert len(stubs) > 100 and "fr/p1/old-2-0/index.html" in stubs
    folders = build_shards(generated, tmp_path, 3)
    for stub, page_file in stubs.items():
        holders = [f for f in folders if (f / stub).is_file()]
        assert len(holders) == 1, stub
        assert (holders[0] / page_file).is_file(), (stub, page_file)
    assert all(any((f / stub).is_file() for stub in stubs) for f in folders)

    def no_map(*args, **kwargs):
        raise AssertionError("assemble computed the redirect map again")

    monkeypatch.setattr(links_outputs, "compute_redirects", no_map)
    result = assemble(generated, folders, tmp_path / "site")
    assert result.status == 0, result.stderr
    assert_same(tmp_path / "single", tmp_path / "site")
    stub = "fr/p1/old-2-0/index.html"
    holder = next(f for f in folders if (f / stub).is_file())
    assert (tmp_path / "site" / stub).stat().st_ino == (holder / stub).stat().st_ino  # linked, not written again
    (holder / stub).unlink()  # a shard folder damaged since: refused, as a missing page is
    result = assemble(generated, folders, tmp_path / "again")
    assert result.status == 2 and f"{holder}/{stub} is missing from its shard" in result.stderr, result.stderr
    assert not (tmp_path / "again").exists()


def test_partition_covers_every_page_and_language_once_and_is_balanced(generated, monkeypatch):
    site = Site(generated)
    parts = partition(site, 3)
    seen = sorted((rel, lang) for part in parts for rel, langs in part.items() for lang in langs)
    assert seen == sorted((rel, lang.code) for rel in site.tree.pages for lang in site.languages)
    assert parts == partition(Site(generated), 3)
    sizes = [sum(len(langs) for langs in part.values()) for part in parts]
    assert min(sizes) > 0 and max(sizes) <= 2 * min(sizes)
    # a page is built in all its languages by one shard (its record is kept as the shard wrote it),
    # but where a cut falls between two languages of a search shard: at most 2 cuts of 3 shards
    split = {rel for part in parts for rel, langs in part.items() if len(langs) < len(site.languages)}
    assert len(split) <= 2 * max(len(urls) for urls in _search_units(search_plan(site)).values())
    # a shard's pages come from few products: its sidebars show those alone, not the whole site
    shown = [len(shown_pages(site, part)) for part in parts]
    assert min(shown) < len(site.tree.pages) and sum(shown) < 2 * len(site.tree.pages), shown


def _search_units(plan: dict[str, dict[str, str]]) -> dict[tuple[str, str], list[str]]:
    units: dict[tuple[str, str], list[str]] = {}
    for lang, urls in plan.items():
        for url, name in urls.items():
            units.setdefault((lang, name), []).append(url)
    return units


def test_a_shard_rebuilt_after_an_edit_equals_a_clean_shard(generated, tmp_path):
    folders = build_shards(generated, tmp_path, 2)
    assert assemble(generated, folders, tmp_path / "site").status == 0
    (tmp_path / "site" / "CNAME").write_text("docs.example.com\n")  # a file of the deployer's: kept
    target = generated / "content" / "p1" / "a2.md"
    target.write_text(target.read_text("utf-8").replace("Words", "Edited words")
                      .replace("/p1/old-2-1", "/p1/renamed-2-1"), "utf-8")  # and a redirect_from: its stubs move
    for k, folder in enumerate(folders, start=1):
        cli_ok("build", "--root", str(generated), "--shard", f"{k}/2", "--out", str(folder))
        clean = tmp_path / f"clean-{k}"
        cli_ok("build", "--root", str(generated), "--shard", f"{k}/2", "--out", str(clean), "--clean")
        assert_same(folder, clean)
        assert (folder / ".build/shard.json").read_bytes() == (clean / ".build/shard.json").read_bytes()
    cli_ok("build", "--root", str(generated), "--out", str(tmp_path / "single"))
    result = assemble(generated, folders, tmp_path / "site")  # into the site assembled before the edit
    assert result.status == 0, result.stderr
    assert (tmp_path / "site" / "CNAME").read_text() == "docs.example.com\n"
    (tmp_path / "site" / "CNAME").unlink()
    assert_same(tmp_path / "single", tmp_path / "site")
    assert b"Edited words" in (tmp_path / "site" / "en" / "p1" / "a2" / "index.html").read_bytes()
    assert (tmp_path / "site" / "fr" / "p1" / "renamed-2-1" / "index.html").is_file()
    assert not (tmp_path / "site" / "fr" / "p1" / "old-2-1").exists()


def test_a_whole_site_file_a_shard_made_for_other_pages_is_written_by_assemble(generated, tmp_path):
    """The sitemap and redirect files a shard writes list every page a whole build writes. A page
    that failed (--keep-going) is not in the site: assemble sees that the shard's sitemap was made
    from other outputs and writes its own, as a single build does (and the redirect files: the
    page's URLs are not live either)."""
    bad = generated / "content" / "p1" / "a2.md"
    bad.write_text(bad.read_text("utf-8").replace("Words", "{% data reusables.nowhere %} Words"), "utf-8")
    common = ("--root", str(generated), "--base-url", "https://docs.example.com", "--keep-going")
    assert run_cli("build", *common, "--out", str(tmp_path / "single")).status == 1
    folders = [tmp_path / f"shard-{k}" for k in (1, 2, 3)]
    statuses = [run_cli("build", *common, "--shard", f"{k}/3", "--out", str(folder)).status
                for k, folder in enumerate(folders, start=1)]
    assert sorted(statuses) == [0, 0, 1]  # the shard with the page
    result = run_cli("assemble", "--root", str(generated), "--keep-going", *map(str, folders),
                     "--out", str(tmp_path / "site"))
    assert result.status == 1 and "reusables.nowhere" in result.stderr
    assert_same(tmp_path / "single", tmp_path / "site")
    made, site = folders[2] / "sitemap.xml", tmp_path / "site" / "sitemap.xml"
    assert "/en/p1/a2/" in made.read_text() and "/en/p1/a2/" not in site.read_text()
    assert site.stat().st_ino != made.stat().st_ino
    assert (tmp_path / "site" / "_redirects").stat().st_ino != (folders[1] / "_redirects").stat().st_ino


def test_assemble_refuses_shards_that_do_not_fit_together(src, tmp_path):
    folders = build_shards(src, tmp_path, 3)
    site = tmp_path / "site"

    def refused(folders, *expected: str) -> None:
        result = assemble(src, folders, site)
        assert result.status == 2, result.stderr
        for text in expected:
            assert text in result.stderr, result.stderr
        assert not site.exists()

    plain = tmp_path / "plain"
    plain.mkdir()
    refused([*folders, plain], f"error[DB680]: {plain} is not a build shard")
    refused(folders[:2], "error[DB682]: shard 3/3 missing", str(folders[0]))
    copy = tmp_path / "copy-of-1"
    shutil.copytree(folders[0], copy)
    refused([*folders, copy], f"error[DB683]: shard 1/3 is given twice: {folders[0]}, {copy}")
    other = tmp_path / "shard-2-no-search"
    cli_ok("build", "--root", str(src), "--shard", "2/3", "--out", str(other), "--no-search")
    refused([folders[0], other, folders[2]], "error[DB681]: the shards were built from different sources or settings")
    # sources edited after the shards were built: they no longer fit --root
    index = src / "content" / "index.md"
    index.write_text(index.read_text("utf-8") + "\nMore.\n", "utf-8")
    refused(folders, "error[DB681]: the shards", "than --root")


def test_shard_option_is_checked(src, tmp_path):
    for bad in ("0/3", "4/3", "x", "2"):
        result = run_cli("build", "--root", str(src), "--shard", bad, "--out", str(tmp_path / "o"))
        assert result.status == 2 and "error[DB684]: --shard" in result.stderr
    result = run_cli("build", "--root", str(src), "--shard", "1/2", "--changed-since", "HEAD")
    assert result.status == 2 and "cannot be combined with --changed-since" in result.stderr


def test_shards_make_the_intros_of_their_llms_txt_entries(generated, tmp_path):
    """An llms.txt entry's intro has its links finished for its version: each shard makes those of
    its pages and assemble takes them as they are; one it cannot use is made again, alike."""
    cli_ok("build", "--root", str(generated), "--out", str(tmp_path / "single"))
    folders = build_shards(generated, tmp_path, 2)
    intros = [json.loads((f / ".build/llms-intros.json").read_text()) for f in folders]
    assert set(intros[0]).isdisjoint(intros[1])
    mine = 0 if "en/p0/a1/index.md" in intros[0] else 1
    assert intros[mine]["en/p0/a1/index.md"] == "About product 0."
    intros[mine]["en/p0/a1/index.md"] = "Made by the shard."
    (folders[mine] / ".build/llms-intros.json").write_text(json.dumps(intros[mine]))
    assert assemble(generated, folders, tmp_path / "site").status == 0
    assert "[Article 0.1](/en/p0/a1/index.md): Made by the shard." in (tmp_path / "site/en/llms.txt").read_text()
    # missing in one shard, damaged in the other: every entry is made here, as the single build does
    (folders[mine] / ".build/llms-intros.json").unlink()
    (folders[1 - mine] / ".build/llms-intros.json").write_text("{not json")
    assert assemble(generated, folders, tmp_path / "again").status == 0
    assert_same(tmp_path / "single", tmp_path / "again")


def merge(folders: list[Path], into: Path) -> Path:
    """What CI's download of every shard's artifact into one folder makes (later files win)."""
    for folder in folders:
        shutil.copytree(folder, into, dirs_exist_ok=True)
    return into


def test_shards_merged_into_one_folder_are_assembled_in_place(generated, tmp_path):
    """`assemble --in-place`: no page is copied or linked; the folder becomes the single build's
    site, build state included, and the change list compares with --base-site."""
    cli_ok("build", "--root", str(generated), "--out", str(tmp_path / "single"))
    folders = build_shards(generated, tmp_path, 3)
    site = merge(folders, tmp_path / "site")
    page_file = site / "en" / "p1" / "a2" / "index.html"
    inode = page_file.stat().st_ino
    result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site))
    assert result.status == 0, result.stderr
    assert "assembled" in result.stderr and "from 3 shards" in result.stderr
    assert_same(tmp_path / "single", site)
    assert (site / ".build" / "cache.json").read_bytes() == (tmp_path / "single" / ".build" / "cache.json").read_bytes()
    assert not (site / ".build" / "shards").exists() and not (site / ".build" / "shard.json").exists()
    assert page_file.stat().st_ino == inode  # left where the merge put it
    again = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site))
    assert again.status == 2 and f"error[DB680]: {site} holds no merged shards" in again.stderr

    # the next push: one page edited; the shards rebuilt, merged into a new folder, compared with the last site
    target = generated / "content" / "p1" / "a2.md"
    target.write_text(target.read_text("utf-8").replace("Words", "Edited words"), "utf-8")
    for k, folder in enumerate(folders, start=1):
        cli_ok("build", "--root", str(generated), "--shard", f"{k}/3", "--out", str(folder))
    nxt = merge(folders, tmp_path / "next")
    result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(nxt), "--base-site", str(site))
    assert result.status == 0, result.stderr
    cli_ok("build", "--root", str(generated), "--out", str(tmp_path / "single-2"))
    assert_same(tmp_path / "single-2", nxt)
    changes = json.loads((nxt / ".build" / "changes.json").read_text("utf-8"))
    modified = {c["path"] for c in changes["changes"] if c["change"] == "modified"}
    assert "en/p1/a2/index.html" in modified and "en/p0/a2/index.html" not in modified
    assert [c["path"] for c in changes["changes"] if c["change"] == "added" and "_pagefind/" not in c["path"]] == []


def test_assemble_in_place_refuses_what_it_cannot_use(generated, tmp_path):
    folders = build_shards(generated, tmp_path, 2)
    site = merge(folders[:1], tmp_path / "site")  # shard 2 was not downloaded
    result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site))
    assert result.status == 2 and "error[DB682]: shard 2/2 missing" in result.stderr, result.stderr
    result = run_cli("assemble", "--root", str(generated), "--in-place", str(folders[0]), "--out", str(site))
    assert result.status == 2 and "--in-place takes no SHARD_DIR" in result.stderr
    result = run_cli("assemble", "--root", str(generated), "--out", str(site))
    assert result.status == 2 and "name the shard folders (SHARD_DIR...), or merge them" in result.stderr
    result = run_cli("assemble", "--root", str(generated), *map(str, folders), "--out", str(site),
                     "--base-site", str(folders[0]))
    assert result.status == 2 and "--base-site goes with --in-place" in result.stderr
    merge(folders[1:], site)
    (site / "en" / "p0" / "a1" / "index.html").unlink()  # a download cut short
    for jobs in ("2", "1"):  # checked by a forked process, or (--jobs 1) by this one
        result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site), "--jobs", jobs)
        assert result.status == 2 and "en/p0/a1/index.html is missing from its shard" in result.stderr, result.stderr
    assert (site / ".build" / "shards").is_dir()  # nothing changed: fixed, it can be assembled again
    merge(folders, site)
    stub = next(f for f in ("fr/p1/old-2-0/index.html", "en/p1/old-2-0/index.html") if (site / f).is_file())
    (site / stub).unlink()  # a redirect stub a shard wrote
    result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site))
    assert result.status == 2 and f"{stub} is missing from its shard" in result.stderr, result.stderr
    result = run_cli("assemble", "--root", str(generated), "--in-place", "--out", str(site), "--base-site",
                     str(tmp_path / "nowhere"))
    assert result.status == 2 and "is not a site docs-builder built" in result.stderr, result.stderr
