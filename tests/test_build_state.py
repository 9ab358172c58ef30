"""Build state in `<out>/.build/` cannot run code or reach outside `--out`, and change detection
is exact: by content, and with the bytes the build actually read.

`--out` may come back from a CI cache or artifact that other jobs can write: a planted or edited
cache or manifest is ignored with a warning, never loaded as code, never followed out of the
output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.pipeline import build as build_module
from builder.pipeline.cache import builder_digest
from tests.conftest import REPO, page, run_cli, site_files, write_tree
from tests.test_build import tree_digest

REUSABLE = "data/reusables/package_registry/token-expiry.md"


def build(root: Path, out: Path, *extra: str):
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", *extra)
    assert result.status == 0, result.stderr
    return result


def site_of(out: Path) -> dict[str, str]:
    return tree_digest(out, ("_pagefind/", ".build/"))


def assert_same_as_clean(root: Path, out: Path, tmp: Path) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, "--clean")
    ours, theirs = site_of(out), site_of(clean)
    assert sorted(set(ours) ^ set(theirs)) == []
    assert [p for p in ours if ours[p] != theirs[p]] == []


def warnings_of(stderr: str, root: Path) -> list[str]:
    return [line.replace(str(root), "<T>") for line in stderr.splitlines() if line.startswith("warning[DB61")]


def everything_under(folder: Path, skip: Path) -> dict[str, bytes]:
    """Every file and link under `folder` except those under `skip` (the output folder)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip and not d.startswith(".docs-builder-")]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath, name)
            found[str(path)] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def reseal_cache(path: Path, edit) -> None:
    """Rewrite `cache.json` through `edit(records)` with a checksum that matches (what a
    tamperer who read the format would do)."""
    head, rest = path.read_text("utf-8").split("\n", 1)
    lines = rest.split("\n")
    assert lines[-2:] == ["]}", ""]
    records = [json.loads(line.rstrip(",")) for line in lines[:-2]]
    edit(records)
    body = ",\n".join(json.dumps(r, sort_keys=True, separators=(",", ":")) for r in records) + "\n]}\n"
    header = json.loads(head + "]}")
    header["checksum"] = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    head = json.dumps(header, separators=(",", ":"))[: -len("]}")]
    path.write_text(head + "\n" + body, "utf-8")


def reseal_manifest(path: Path, edit) -> None:
    manifest = json.loads(path.read_text("utf-8"))
    edit(manifest)
    rest = '"extra_outputs":' + json.dumps(manifest["extra_outputs"]) + ',"outputs":' + json.dumps(
        manifest["outputs"], separators=(",", ":")) + "}\n"
    digest = hashlib.sha256(rest.encode()).hexdigest()
    path.write_text('{"format":3,"checksum":"sha256:%s",' % digest + rest, "utf-8")


# Nothing in build state runs code --------------------------------------------------------


def test_a_planted_pickle_never_runs_and_is_deleted(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    pwned = tmp_path / "pwned"
    # Unpickling this calls open(pwned, "w"): the file would appear.
    (out / ".build/cache.pickle").write_bytes(b"cbuiltins\nopen\n(S'%s'\nS'w'\ntR." % str(pwned).encode())
    assert run_cli("check", "--root", str(src)).status == 0
    assert (out / ".build/cache.pickle").exists()  # `check` never touches --out
    result = build(src, out)
    assert not pwned.exists()
    assert warnings_of(result.stderr, out) == [
        "warning[DB610]: <T>/.build/cache.pickle is the pickled cache of an older docs-builder; it is never "
        "loaded (unpickling can run code) and is deleted"]
    assert not (out / ".build/cache.pickle").exists()
    assert "16 unchanged" in result.stderr  # the JSON cache is still used
    assert warnings_of(build(src, out).stderr, out) == []


def test_nothing_in_the_builder_unpickles():
    package = REPO / "builder"
    for path in package.rglob("*.py"):
        text = path.read_text("utf-8")
        for needle in ("pickle.load", "marshal.load", "import shelve", "import dill"):
            assert needle not in text, f"{path.relative_to(REPO)} uses {needle}"


# A damaged, old or edited cache is ignored with a warning; the build runs clean ----------


def _edit_page_record(records, rel, change):
    for record in records:
        if record["kind"] == "page" and record["rel"] == rel:
            change(record["record"])
            return
    raise AssertionError(f"no record for {rel}")


CACHE_TAMPERING = [
    ("truncated", lambda p: p.write_bytes(p.read_bytes()[:-2000]),
     "cache.json does not match its checksum (it is damaged or was edited)"),
    ("a byte flipped", lambda p: p.write_bytes(p.read_bytes().replace(b'"failed":0', b'"failed":1', 1)),
     "cache.json does not match its checksum (it is damaged or was edited)"),
    ("not JSON at all", lambda p: p.write_bytes(b"\x80\x04\x95garbage"),
     "cache.json is not a docs-builder cache (its first line is not its header)"),
    ("a field of the wrong type", lambda p: reseal_cache(p, lambda rs: _edit_page_record(
        rs, "packages/index.md", lambda r: r["result"].__setitem__("failed", "0"))),
     "cache.json line {n} is malformed: record.result.failed: expected an integer, found text"),
    ("an unknown diagnostic code", lambda p: reseal_cache(p, lambda rs: _edit_page_record(
        rs, "packages/index.md", lambda r: r["result"]["problems"].append(
            {"code": "DB999", "message": "x", "location": None, "severity": "warning", "notes": [],
             "versions": []}))),
     "cache.json line {n} is malformed: record.result.problems[0].code: 'DB999' is not a diagnostic code"),
    ("an unknown field", lambda p: reseal_cache(p, lambda rs: _edit_page_record(
        rs, "packages/index.md", lambda r: r.__setitem__("__reduce__", "os.system"))),
     "cache.json line {n} is malformed: record: unknown field '__reduce__'"),
    ("an output above --out", lambda p: reseal_cache(p, lambda rs: _edit_page_record(
        rs, "packages/index.md", lambda r: r["result"]["outputs"][0].__setitem__("path", "../secret.txt"))),
     "cache.json names the output '../secret.txt', which contains a '..' segment"),
    ("a source outside the root", lambda p: reseal_cache(p, lambda rs: _edit_page_record(
        rs, "packages/index.md", lambda r: r["result"]["outputs"][0]["sources"].append("/dev/zero"))),
     "cache.json names the source file '/dev/zero', which is absolute"),
]


@pytest.mark.parametrize("change", [
    {"version": "nope@latest"}, {"lang": "xx"}, {"path": "en/packages/quickstart/index.html"}, {"page": "index.md"},
], ids=["an unknown version", "an unknown language", "another page's file", "another page"])
def test_a_record_edited_to_name_what_its_page_does_not_make_is_not_reused(src, tmp_path, change):
    """Sound JSON, a matching checksum, safe paths: still not what the page makes."""
    out = tmp_path / "out"
    build(src, out)
    cache = out / ".build/cache.json"
    reseal_cache(cache, lambda rs: _edit_page_record(rs, "packages/index.md",
                                                     lambda r: r["result"]["outputs"][0].update(change)))
    result = build(src, out)
    assert warnings_of(result.stderr, out) == []
    assert "15 unchanged" in result.stderr  # that page alone is built again
    assert_same_as_clean(src, out, tmp_path)


@pytest.mark.parametrize("name, tamper, why", CACHE_TAMPERING, ids=[c[0] for c in CACHE_TAMPERING])
def test_a_damaged_or_edited_cache_is_ignored_with_a_warning(src, tmp_path, name, tamper, why):
    out = tmp_path / "out"
    build(src, out)
    (tmp_path / "secret.txt").write_text("do not publish\n", "utf-8")
    cache = out / ".build/cache.json"
    tamper(cache)
    line = next((i for i, text in enumerate(cache.read_text("utf-8", "replace").split("\n"), start=1)
                 if '"rel":"packages/index.md"' in text), 0)
    result = build(src, out)
    assert warnings_of(result.stderr, out) == [
        f"warning[{'DB612' if 'names the' in why else 'DB610'}]: <T>/.build/{why.format(n=line)}; it is ignored: "
        "every page is built afresh"]
    assert "unchanged" not in result.stderr  # every page was built
    assert (tmp_path / "secret.txt").read_text("utf-8") == "do not publish\n"
    assert_same_as_clean(src, out, tmp_path)
    assert warnings_of(build(src, out).stderr, out) == []  # the new cache is sound


def test_a_cache_that_is_not_a_regular_file_is_ignored(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    cache = out / ".build/cache.json"
    cache.unlink()
    os.mkfifo(cache)  # reading it would block the build forever
    result = build(src, out)
    assert warnings_of(result.stderr, out) == [
        "warning[DB610]: <T>/.build/cache.json is not a regular file; it is ignored: every page is built afresh"]
    assert_same_as_clean(src, out, tmp_path)


def test_a_cache_from_other_builder_code_is_out_of_date_not_damaged(src, tmp_path):
    out = tmp_path / "out"
    build(src, out)
    cache = out / ".build/cache.json"
    cache.write_text(cache.read_text("utf-8").replace(builder_digest(), "0" * 40, 1), "utf-8")
    result = build(src, out)
    assert warnings_of(result.stderr, out) == []
    assert "unchanged" not in result.stderr


# Nothing a manifest names is trusted as a path --------------------------------------------


def _incremental_site(tmp_path: Path) -> tuple[Path, Path]:
    """A site whose rebuild after one edit commits in place (most pages reused): the old
    manifest decides which old files are deleted."""
    root = tmp_path / "src"
    pages = {f"p{i}.md": page(f"P{i}", f"Body {i}.\n") for i in range(6)}
    write_tree(root, site_files(pages))
    out = tmp_path / "out"
    build(root, out)
    return root, out


MANIFEST_TAMPERING = [
    ("a path above --out", "../victim/index.html", "contains a '..' segment"),
    ("an absolute path", "{victim}/index.html", "is absolute"),
    ("a path with an empty segment", "p1//../../victim/index.html", "contains a '//' segment"),
    ("a path through a symlinked folder", "linked/index.html", "lies under 'linked', a symbolic link"),
]


@pytest.mark.parametrize("name, entry, reason", MANIFEST_TAMPERING, ids=[c[0] for c in MANIFEST_TAMPERING])
def test_a_manifest_never_deletes_or_moves_anything_outside_out(tmp_path, monkeypatch, name, entry, reason):
    monkeypatch.setenv("DOCS_BUILDER_SYNC_CLEANUP", "1")  # the old site is gone when the build returns
    root, out = _incremental_site(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("someone else's\n", "utf-8")
    os.symlink(victim, out / "linked")
    entry = entry.format(victim=victim)
    shown = entry if len(entry) <= 80 else entry[:80] + "..."  # the message cuts a long path (a deep tmp_path)
    reseal_manifest(out / ".build/manifest.json", lambda m: m["outputs"].__setitem__(entry, {"sources": []}))
    (root / "content/p1.md").write_text(page("P1", "Edited.\n"), "utf-8")
    before = everything_under(tmp_path, out)
    result = build(root, out)
    assert everything_under(tmp_path, out) == before
    assert warnings_of(result.stderr, out) == [
        f"warning[DB612]: <T>/.build/manifest.json names the output {shown!r}, which {reason}; it is ignored: every "
        "page is built afresh and the site is replaced as a whole (files docs-builder did not write are not kept)"]
    assert "unchanged" not in result.stderr
    assert_same_as_clean(root, out, tmp_path)


def test_a_sound_manifest_keeps_foreign_files_but_never_what_links_lead_to(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCS_BUILDER_SYNC_CLEANUP", "1")
    root, out = _incremental_site(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.txt").write_text("outside\n", "utf-8")
    (out / "CNAME").write_text("docs.example.com\n", "utf-8")
    os.symlink(outside, out / "shared")
    os.symlink(outside / "file.txt", out / "linked.txt")
    before = everything_under(tmp_path, out)
    build(root, out, "--clean")  # the site is swapped in whole: foreign files move over
    assert (out / "CNAME").read_text("utf-8") == "docs.example.com\n"
    assert not os.path.lexists(out / "shared") and not os.path.lexists(out / "linked.txt")
    assert everything_under(tmp_path, out) == before


@pytest.mark.parametrize("damage, why", [
    (lambda p: p.write_text(p.read_text("utf-8")[:-10], "utf-8"), "is not valid JSON"),
    (lambda p: p.write_text(p.read_text("utf-8").replace('"p1/index.html"', '"p1/index.htm"'), "utf-8"),
     "does not match its checksum (it is damaged or was edited)"),
], ids=["truncated", "edited"])
def test_a_damaged_manifest_is_ignored_and_the_site_replaced(tmp_path, damage, why):
    root, out = _incremental_site(tmp_path)
    (out / "stale.html").write_text("stale\n", "utf-8")
    damage(out / ".build/manifest.json")
    result = build(root, out)
    assert warnings_of(result.stderr, out) == [
        f"warning[DB611]: <T>/.build/manifest.json {why}; it is ignored: every page is built afresh and the site "
        "is replaced as a whole (files docs-builder did not write are not kept)"]
    assert not (out / "stale.html").exists()
    assert_same_as_clean(root, out, tmp_path)


# Change detection by content, with the bytes the build read ---------------------------------


def _edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    st = path.stat()
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_an_edit_keeping_size_and_mtime_is_seen(src, tmp_path):
    """`cp -p`, `rsync -a`, `touch -r`: same size, same time, other bytes."""
    out = tmp_path / "out"
    build(src, out)
    reusable = src / REUSABLE
    word = reusable.read_text("utf-8").split()[0]
    _edit_keeping_size_and_time(reusable, word, word.upper() if word.upper() != word else word.lower())
    build(src, out)
    assert_same_as_clean(src, out, tmp_path)


def test_a_title_edit_keeping_size_and_mtime_is_seen(tmp_path):
    root = tmp_path / "src"
    write_tree(root, site_files({"a.md": page("Alpha", "Body.\n"), "b.md": page("Beta", "[AUTOTITLE](/a)\n")}))
    out = tmp_path / "out"
    build(root, out)
    _edit_keeping_size_and_time(root / "content/a.md", "title: Alpha", "title: Gamma")
    build(root, out)
    assert "Gamma" in (out / "en/b/index.html").read_text("utf-8")
    assert_same_as_clean(root, out, tmp_path)


@pytest.fixture
def at_step():
    """`at_step(name, action)`: run `action` once when a build reaches step `name`."""
    added = []

    def add(name, action):
        def hook(step):
            if step == name and not done:
                done.append(step)
                action()
        done: list[str] = []
        added.append(hook)
        build_module.STEP_HOOKS.append(hook)

    yield add
    for hook in added:
        build_module.STEP_HOOKS.remove(hook)


@pytest.mark.parametrize("first", [(), ("--clean",)], ids=["first build", "clean build"])
def test_an_edit_made_while_a_build_runs_is_rebuilt_next_time(src, tmp_path, at_step, first):
    out = tmp_path / "out"
    if first:
        build(src, out)
    reusable = src / REUSABLE
    at_step("pages-built", lambda: reusable.write_text(reusable.read_text("utf-8") + "\nAdded mid-build.\n",
                                                       "utf-8"))
    build(src, out, *first)
    built = [p for p in out.rglob("*.html") if "Added mid-build." in p.read_text("utf-8")]
    assert built == []  # the build read the reusable before the edit
    result = build(src, out)
    assert "unchanged" in result.stderr  # an incremental build, which sees the edit
    assert_same_as_clean(src, out, tmp_path)


def test_an_edit_made_during_an_incremental_build_is_rebuilt_next_time(src, tmp_path, at_step):
    out = tmp_path / "out"
    build(src, out)
    reusable = src / REUSABLE
    reusable.write_text(reusable.read_text("utf-8") + "\nFirst edit.\n", "utf-8")
    at_step("pages-built", lambda: reusable.write_text(reusable.read_text("utf-8") + "\nSecond edit.\n", "utf-8"))
    build(src, out)
    build(src, out)
    assert_same_as_clean(src, out, tmp_path)


# Byte-identical state ----------------------------------------------------------------------


def test_the_state_is_byte_identical_whatever_the_jobs_and_hash_seed(tmp_path):
    """More pages than a build makes in-process, so --jobs 2 really uses worker processes; a
    translation, frontmatter data and sets of sources in the records."""
    root = tmp_path / "src"
    n = 40
    pages = {"docs/index.md": page("Docs", "x\n", children="[" + ", ".join(f"/p{i}" for i in range(n)) + "]")}
    for i in range(n):
        body = f"Body {i}: {{% data reusables.r{i % 3} %}} [AUTOTITLE](/docs/p{(i + 1) % n}).\n\n## Part\n"
        pages[f"docs/p{i}.md"] = page(f"P{i}", body, intro=f"'Intro {i}'", redirect_from=f"[/old/{i}]")
    files = site_files(pages)
    files["data/languages.yml"] = "en: {name: English}\nfr: {name: Français, dir: translations/fr}\n"
    for r in range(3):
        files[f"data/reusables/r{r}.md"] = f"Reusable {r}.\n"
    files["translations/fr/content/docs/p1.md"] = page("P1 fr", "Corps [lien](/docs/nowhere).\n")
    write_tree(root, files)
    states = []
    for jobs, seed in (("1", "1"), ("2", "2"), ("2", "3")):
        out = tmp_path / f"out-{jobs}-{seed}"
        result = subprocess.run([sys.executable, "-m", "builder", "build", "--root", str(root), "--out", str(out),
                                 "--no-search", "--jobs", jobs], capture_output=True, text=True, cwd=REPO,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        states.append(((out / ".build/cache.json").read_bytes(), (out / ".build/manifest.json").read_bytes()))
    assert states[0] == states[1] == states[2]
    assert b'"kind":"meta","lang":"fr"' in states[0][0]


def test_the_state_after_an_incremental_build_is_a_clean_builds_byte_for_byte(src, tmp_path):
    """Records kept from the last build read back and write out exactly as a clean build makes them."""
    out = tmp_path / "out"
    build(src, out)
    reusable = src / REUSABLE
    reusable.write_text(reusable.read_text("utf-8") + "\nAn added sentence.\n", "utf-8")
    assert "unchanged" in build(src, out).stderr
    clean = tmp_path / "clean"
    build(src, clean)
    for name in ("cache.json", "manifest.json"):
        assert (out / ".build" / name).read_bytes() == (clean / ".build" / name).read_bytes(), name


def test_a_file_hashed_after_the_build_read_it_is_checked_again_at_the_end(tmp_path):
    from builder.pipeline.digests import CHANGED, FileDigests

    (tmp_path / "content").mkdir()
    (tmp_path / "content/a.md").write_text("a\n", "utf-8")
    (tmp_path / "extra.yml").write_text("x: 1\n", "utf-8")
    digests = FileDigests(tmp_path)
    digests.prime(["content"])
    (tmp_path / "content/a.md").write_text("edited\n", "utf-8")  # after the snapshot: its digest stays
    first = digests.digest("extra.yml")  # outside the snapshot: hashed now
    (tmp_path / "extra.yml").write_text("x: 2\n", "utf-8")
    assert digests.digest("extra.yml") == first
    assert digests.recheck() == {"extra.yml"}
    assert digests.current["extra.yml"] == CHANGED
    assert digests.digest("content/a.md") == hashlib.sha256(b"a\n").hexdigest()
    assert digests.digest("../outside") == digests.digest("/etc/hostname") == "-"


def test_a_pipe_among_the_sources_is_never_waited_on(tmp_path):
    from builder.pipeline.digests import FileDigests

    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data/pipe.yml")  # opening it for reading would wait for a writer
    digests = FileDigests(tmp_path)
    digests.prime(["data"])
    assert digests.digest("data/pipe.yml") == "-"


def test_a_folder_without_a_manifest_is_refused_untouched(src, tmp_path):
    out = tmp_path / "out"
    (out / ".build").mkdir(parents=True)
    (out / ".build/cache.pickle").write_bytes(b"not ours")
    result = run_cli("build", "--root", str(src), "--out", str(out), "--no-search")
    assert result.status == 2 and "error[DB605]" in result.stderr
    assert (out / ".build/cache.pickle").read_bytes() == b"not ours"


def test_the_first_build_after_an_upgrade_keeps_files_docs_builder_did_not_write(tmp_path):
    """A site built by docs-builder 0.1 (manifest format 2, pickled cache): the new builder ignores
    the pickle, rebuilds every page and still keeps the user's own files, such as a CNAME."""
    root = write_tree(tmp_path / "src", site_files({"a.md": page("A", "Body\n")}))
    out = root / "site"
    assert run_cli("build", "--root", str(root), "--no-search").status == 0
    (out / "CNAME").write_text("docs.example.com\n")
    manifest = json.loads((out / ".build/manifest.json").read_text("utf-8"))
    legacy = {"format": 2, "extra_outputs": manifest["extra_outputs"], "outputs": manifest["outputs"]}
    (out / ".build/manifest.json").write_text(json.dumps(legacy), "utf-8")
    (out / ".build/cache.json").unlink()
    (out / "stale.html").write_text("old")
    legacy["extra_outputs"].append("stale.html")
    (out / ".build/manifest.json").write_text(json.dumps(legacy), "utf-8")
    result = run_cli("build", "--root", str(root), "--no-search", "--base-url", "https://docs.example.com")
    assert result.status == 0, result.stderr
    assert "warning[" not in result.stderr
    assert (out / "CNAME").read_text() == "docs.example.com\n"
    assert not (out / "stale.html").exists()  # listed as ours, no longer built: removed
    assert (out / "en/a/index.html").is_file()


def test_a_legacy_manifest_naming_paths_outside_out_is_ignored(tmp_path):
    root = write_tree(tmp_path / "src", site_files({"a.md": page("A", "Body\n")}))
    out = root / "site"
    assert run_cli("build", "--root", str(root), "--no-search").status == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / ".build/manifest.json").write_text(json.dumps(
        {"format": 2, "extra_outputs": ["../../victim.txt"], "outputs": {}}), "utf-8")
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0
    assert "warning[DB612]" in result.stderr
    assert victim.read_text() == "keep me"


def test_the_manifest_digest_of_every_output_is_that_of_its_file(src, tmp_path):
    """The manifest's digests (which the change list and deploys trust) are those of the files:
    pages, redirect stubs, status pages and the other site-wide files; after a full build and
    after an edit of a `redirect_from` rewrites the stubs."""
    out = tmp_path / "out"

    def check() -> int:
        manifest = json.loads((out / ".build/manifest.json").read_text("utf-8"))
        for rel, entry in manifest["outputs"].items():
            data = (out / rel).read_bytes()
            assert entry["digest"] == hashlib.blake2b(data, digest_size=16).hexdigest(), rel
        return len(manifest["outputs"])

    build(src, out)
    assert check() > 500
    quickstart = src / "content/packages/quickstart.md"
    quickstart.write_text(quickstart.read_text("utf-8").replace("  - /packages/getting-started\n",
                                                                "  - /packages/getting-started\n  - /packages/first-steps\n"),
                          "utf-8")
    build(src, out)
    assert "quickstart" in (out / "en/packages/first-steps/index.html").read_text("utf-8")
    check()
