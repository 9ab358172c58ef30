"""Host profiles (`build --host`): every old URL of the full redirect map reaches its page on
each host, through the host's `_redirects` rules, the stubs and the 404 page, as a small
evaluator of each host's documented semantics resolves it; rule budgets and limits."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from builder.output import hosts
from tests.conftest import page, run_cli, site_files, write_tree

LANGS = ["en", "fr"]
LATEST = {"enterprise-server@latest": "enterprise-server@3.10"}
PROFILES = ["cloudflare", "netlify", "gitlab", "github-pages", "nginx"]


def _site(root: Path) -> Path:
    files = site_files({
        "get-started/index.md": page("Get started", "Intro.\n", children="[/quickstart, /setup]"),
        "get-started/quickstart.md": page("Quickstart", "Body.\n",
                                          redirect_from="[/old-quickstart, /get-started/old-start]"),
        "get-started/setup.md": page("Setup", "Body.\n", versions="{ghes: '>=3.9'}", redirect_from="[/setup-old]"),
        "admin/index.md": page("Admin", "A.\n", versions="{ghec: '*', ghes: '*'}", children="[/enterprise]"),
        "admin/enterprise.md": page("Enterprise", "E.\n", versions="{ghec: '*', ghes: '*'}",
                                    redirect_from="[/get-started/enterprise-old, /ent]"),
    })
    files["data/languages.yml"] = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"
    files["translations/fr-FR/content/get-started/quickstart.md"] = page(
        "Démarrage", "Corps.\n", redirect_from="[/old-quickstart, /get-started/old-start]")
    return write_tree(root, files)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test site built once per profile (and once generic: the full redirect map)."""
    base = tmp_path_factory.mktemp("hosts")
    root = _site(base / "src")
    sites = {}
    for name in ["generic", *PROFILES]:
        result = run_cli("build", "--root", str(root), "--out", str(base / name), "--host", name, "--no-search",
                         "--jobs", "1")
        assert result.status == 0, result.stderr
        sites[name] = (base / name, result.stderr)
    return sites


# --- an evaluator of the hosts' documented semantics ------------------------------------------

def _rules(site: Path) -> list[tuple[re.Pattern, str]]:
    """`_redirects` as (regex, target): `*` is the splat, `:name` a placeholder of one segment."""
    rules = []
    for line in (site / "_redirects").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        source, target, _status = line.split()
        parts = [re.escape(p) for p in source.split("*")]
        pattern = "(?P<splat>.*)".join(parts)
        pattern = re.sub(r":([A-Za-z]\w*)", r"(?P<\1>[^/]+)", pattern)
        rules.append((re.compile("^" + pattern + "$"), target))
    return rules


def _apply(rules, path: str) -> str | None:
    for regex, target in rules:
        m = regex.match(path)
        if m:
            for name, value in sorted(m.groupdict().items(), key=lambda kv: -len(kv[0])):
                target = target.replace(f":{name}", value)
            return target.rstrip("/") or "/"
    return None


def _nginx(site: Path) -> dict[str, str]:
    return dict(re.findall(r'^\s+"([^"]+)" "([^"]+)";$', (site / "nginx-redirects.conf").read_text("utf-8"), re.M))


def _file(site: Path, path: str) -> tuple[str, str | None] | None:
    """('page', None) or ('stub', target) for the file a static host serves at `path`."""
    f = site / path.strip("/") / "index.html"
    if not f.is_file():
        return None
    text = f.read_text("utf-8")
    m = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text)
    return ("stub", html.unescape(m.group(1))) if m else ("page", None)


def _not_found(site: Path, path: str, with_map: bool) -> str | None:
    """What 404.html's script does (the map part with --host cloudflare)."""
    parts = path.split("/")
    changed = False
    if parts[1] not in LANGS:
        parts.insert(1, "en")
        changed = True
    if len(parts) > 2 and parts[2] in LATEST:
        parts[2] = LATEST[parts[2]]
        changed = True
    if changed:
        return "/".join(parts)
    if not with_map:
        return None
    doc = json.loads((site / "redirect-map.json").read_text("utf-8"))
    version = parts[2] if len(parts) > 2 and "@" in parts[2] else ""
    rest = "/".join(parts[3:] if version else parts[2:])
    entry = doc["pages"].get(rest)
    if entry is None:
        return None
    versions = doc["versions"][entry[1]]
    seg = (version if version in versions else None) if version else versions[0]
    if seg is None:
        return None
    return "/" + parts[1] + (f"/{seg}" if seg else "") + (f"/{entry[0]}" if entry[0] else "")


def resolve(site: Path, host: str, path: str) -> list[str]:
    """The URLs a browser goes through from `path` until a page (or a dead end, last = None)."""
    rules = _rules(site) if host in ("cloudflare", "netlify", "gitlab") else []
    nginx = _nginx(site) if host == "nginx" else {}
    seen = [path]
    for _ in range(8):
        nxt = None
        if host == "cloudflare":  # rules always apply, before files
            nxt = _apply(rules, path)
        if host == "nginx":
            nxt = nginx.get(path)
        if nxt is None:
            found = _file(site, path)
            if found and found[0] == "page":
                return seen
            if found:
                nxt = found[1]
        if nxt is None and host in ("netlify", "gitlab"):  # files shadow rules
            nxt = _apply(rules, path)
        if nxt is None:
            nxt = _not_found(site, path, (site / "redirect-map.json").is_file())
        if nxt is None:
            return [*seen, None]
        path = nxt
        seen.append(path)
    return [*seen, None]


def _truth(built) -> dict[str, str]:
    site, _ = built["generic"]
    return json.loads((site / "redirects.json").read_text("utf-8"))


@pytest.mark.parametrize("host", PROFILES)
def test_every_old_url_reaches_its_page(built, host):
    truth = _truth(built)
    assert len(truth) > 60 and any(s.startswith("/fr/enterprise-server@3.9/") for s in truth)
    site, _ = built[host]
    wrong = {}
    for source, target in sorted(truth.items()):
        chain = resolve(site, host, source)
        if chain[-1] != target:
            wrong[source] = chain
    assert not wrong, wrong
    # and every page is served as itself (no rule takes a page's URL)
    for f in sorted((built["generic"][0] / "fr").rglob("index.html"))[:40]:
        url = "/" + str(f.parent.relative_to(built["generic"][0]))
        if _file(built["generic"][0], url)[0] == "page":
            assert resolve(site, host, url) == [url]


def test_rules_are_compressed_per_entry_for_every_language_and_version(built):
    site, stderr = built["cloudflare"]
    text = (site / "_redirects").read_text("utf-8")
    assert "/:lang/old-quickstart /:lang/get-started/quickstart 301\n" in text
    assert "/:lang/:version/old-quickstart /:lang/:version/get-started/quickstart 301\n" in text
    assert "/:lang/enterprise-server@latest/* /:lang/enterprise-server@3.10/:splat 302\n" in text
    assert "/get-started/* /en/get-started/:splat 302\n" in text
    assert "/fr/" not in text  # one rule for every language
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    kinds = [hosts.is_dynamic(line.split()[0]) for line in lines]
    assert kinds == sorted(kinds)  # static rules precede dynamic ones (Cloudflare)
    assert "--host cloudflare: " in stderr and "of 20,000 (free)" in stderr and "of 100,000 (paid)" in stderr
    # no stub: Cloudflare serves the rest by rules and the 404 page's map
    assert not (site / "old-quickstart").exists() and not (site / "en" / "ent").exists()
    assert (site / "redirect-map.json").is_file() and "redirect-map.json" in (site / "404.html").read_text("utf-8")
    generic = built["generic"][0]
    assert "redirect-map.json" not in (generic / "404.html").read_text("utf-8")
    assert len((generic / "_redirects").read_text("utf-8").splitlines()) > 3 * len(lines)


def test_profiles_write_their_own_files(built):
    assert (built["github-pages"][0] / "en" / "ent" / "index.html").is_file()
    assert not (built["github-pages"][0] / "_redirects").exists()
    assert (built["nginx"][0] / "nginx-redirects.conf").is_file()
    assert not (built["nginx"][0] / "en" / "ent").exists()
    assert not (built["netlify"][0] / "en" / "ent").exists()
    assert not (built["gitlab"][0] / "redirect-map.json").exists()


def test_small_rule_budgets_move_the_rest_to_stubs_or_the_map(tmp_path, monkeypatch):
    root = _site(tmp_path / "src")
    tiny_cf = hosts.Host("cloudflare", fallback="map", assets_first=False, files=20_000, files_paid=100_000, static_rules=3, dynamic_rules=9,
                         rule_chars=1_000)
    tiny_gl = hosts.Host("gitlab", files=200_000, rules=10, rules_bytes=64_000)
    monkeypatch.setitem(hosts.HOSTS, "cloudflare", tiny_cf)
    monkeypatch.setitem(hosts.HOSTS, "gitlab", tiny_gl)
    truth_site = tmp_path / "generic"
    assert run_cli("build", "--root", str(root), "--out", str(truth_site), "--no-search").status == 0
    truth = json.loads((truth_site / "redirects.json").read_text("utf-8"))
    for name, host in (("cloudflare", tiny_cf), ("gitlab", tiny_gl)):
        site = tmp_path / name
        result = run_cli("build", "--root", str(root), "--out", str(site), "--host", name, "--no-search")
        assert result.status == 0, result.stderr
        static, dynamic, _ = hosts.count_rules((site / "_redirects").read_text("utf-8"))
        assert static <= (host.static_rules or 10) and dynamic <= (host.dynamic_rules or 10)
        assert static + dynamic <= (host.rules or 12)
        for source, target in truth.items():
            assert resolve(site, name, source)[-1] == target, (name, source, resolve(site, name, source))
    assert list((tmp_path / "gitlab" / "en").glob("enterprise-server@3.9/*/index.html"))  # stubs for the rest


def test_over_a_limit_is_an_error_and_nothing_is_written(tmp_path, monkeypatch):
    root = _site(tmp_path / "src")
    monkeypatch.setitem(hosts.HOSTS, "cloudflare", hosts.Host("cloudflare", fallback="map", assets_first=False, files=100, files_paid=1_000,
                                                              static_rules=2_000, dynamic_rules=100))
    out = tmp_path / "out"
    result = run_cli("build", "--root", str(root), "--out", str(out), "--host", "cloudflare", "--no-search")
    assert result.status == 2
    assert re.search(r"error\[DB691\]: --host cloudflare: the site's file count 1\d\d \(50 pages, \d+ Markdown copies, 0 search "
                     r"files, \d+ redirect stubs and other files\) is over the limit of 100 by "
                     r"\d+; nothing was written: the paid plan allows 1,000", result.stderr), result.stderr
    assert not out.exists() or not any(out.iterdir())
    monkeypatch.setitem(hosts.HOSTS, "cloudflare", hosts.Host("cloudflare", fallback="map", assets_first=False, files=140, static_rules=2_000,
                                                              dynamic_rules=100))
    result = run_cli("build", "--root", str(root), "--out", str(out), "--host", "cloudflare", "--no-search")
    assert result.status == 0
    assert re.search(r"warning\[DB692\]: --host cloudflare: the site's file count 13\d \([^)]*\) is 9\d% of the limit of 140",
                     result.stderr), result.stderr
    assert (out / "_redirects").is_file()


def test_largest_file_and_total_size(tmp_path, monkeypatch):
    root = _site(tmp_path / "src")
    monkeypatch.setitem(hosts.HOSTS, "github-pages", hosts.Host("github-pages", total_size=10_000, file_size=2_000,
                                                                redirect_rules=False))
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "o"), "--host", "github-pages",
                     "--no-search")
    assert result.status == 2
    assert "the largest file, _static/style.css, " in result.stderr and "is over the limit of 2,000 bytes" in result.stderr
    assert "the site's total size" in result.stderr and "deploy versions or languages separately" in result.stderr


def _follow(site: Path, rel: str, seen: set[str]) -> str:
    """The text of `rel` and of every llms-full.txt or Markdown copy it links to, as an agent
    reading a split llms-full.txt would gather it."""
    seen.add(rel)
    text = (site / rel).read_text("utf-8")
    found = [text]
    for url in re.findall(r"^- \[[^\]]*\]\((/[^)]+)\)$", text, re.M):
        linked = url.lstrip("/")
        if linked.endswith(("/llms-full.txt", "/index.md")) and linked not in seen:
            found.append(_follow(site, linked, seen))
    return "\n".join(found)


def test_an_llms_full_txt_over_the_file_limit_is_split_by_section(tmp_path, monkeypatch):
    """A version's llms-full.txt over the host's file size limit holds its home page's copy and
    links to one file per section, so the site deploys and an agent still reaches every page's
    text; rebuilds, incremental or sharded, give the clean single build's files."""
    from tests.test_shards import assert_same, build_shards

    root = _site(tmp_path / "src")
    words = "Words about packages and registries. " * 1500  # two 55 KB copies: 110 KB where both are built
    for path in [root / "content" / "get-started" / f"{name}.md" for name in ("quickstart", "setup")] + [
            root / "translations" / "fr-FR" / "content" / "get-started" / "quickstart.md"]:
        path.write_text(path.read_text("utf-8") + words, "utf-8")
    monkeypatch.setitem(hosts.HOSTS, "github-pages", hosts.Host("github-pages", file_size=100_000,
                                                                redirect_rules=False))
    host = ("--host", "github-pages", "--no-search")
    out = tmp_path / "o"
    result = run_cli("build", "--root", str(root), "--out", str(out), *host)
    assert result.status == 0, result.stderr
    assert "DB69" not in result.stderr  # neither over nor near the limit
    fulls = sorted(p.relative_to(out).as_posix() for p in out.rglob("llms-full.txt"))
    assert all((out / rel).stat().st_size < 90_000 for rel in fulls)
    # free-pro-team has only the quickstart (setup is GHES >= 3.9): one whole file, as without a host
    assert (out / "en/llms-full.txt").read_text("utf-8").count("Words about") == 1500
    assert "en/get-started/llms-full.txt" not in fulls
    # GHES 3.10 has both: the version's file links to its sections' files, get-started to its pages' copies
    top = (out / "en/enterprise-server@3.10/llms-full.txt").read_text("utf-8")
    assert top.startswith("# Home\n") and "Words about" not in top
    assert "## The rest of this text, one file per section\n\n" in top
    assert "- [Get started](/en/enterprise-server@3.10/get-started/llms-full.txt)" in top
    assert "- [Admin](/en/enterprise-server@3.10/admin/llms-full.txt)" in top
    section = (out / "en/enterprise-server@3.10/get-started/llms-full.txt").read_text("utf-8")
    assert "- [Quickstart](/en/enterprise-server@3.10/get-started/quickstart/index.md)" in section
    assert "# Enterprise\n" in (out / "en/enterprise-server@3.10/admin/llms-full.txt").read_text("utf-8")
    assert "La suite de ce texte, un fichier par section" in (
        out / "fr/enterprise-server@3.10/llms-full.txt").read_text("utf-8")
    gathered = _follow(out, "en/enterprise-server@3.10/llms-full.txt", set())
    copies = sorted((out / "en/enterprise-server@3.10").rglob("index.md"))
    assert len(copies) == 6 and all(p.read_text("utf-8").strip() in gathered for p in copies)

    # a rebuild whose Markdown copies are all the same (a new redirect_from) keeps the sections' files
    path = root / "content" / "admin" / "enterprise.md"
    path.write_text(path.read_text("utf-8").replace("redirect_from: [", "redirect_from: [/ent-older, "), "utf-8")
    assert run_cli("build", "--root", str(root), "--out", str(out), *host).status == 0
    assert (out / "en/enterprise-server@3.10/get-started/llms-full.txt").read_text("utf-8") == section
    assert "en/enterprise-server@3.10/get-started/llms-full.txt" in (out / ".build/manifest.json").read_text("utf-8")

    # sharded: the same files
    folders = build_shards(root, tmp_path / "shards", 2, *host)
    assembled = tmp_path / "assembled"
    result = run_cli("assemble", "--root", str(root), *map(str, folders), "--out", str(assembled))
    assert result.status == 0, result.stderr
    assert_same(out, assembled)

    # the pages shrink: one whole file again, the sections' files are gone, as in a clean build
    path = root / "content" / "get-started" / "setup.md"
    path.write_text(path.read_text("utf-8").replace(words, "Short.\n"), "utf-8")
    assert run_cli("build", "--root", str(root), "--out", str(out), *host).status == 0
    assert not (out / "en/enterprise-server@3.10/get-started/llms-full.txt").exists()
    assert (out / "en/enterprise-server@3.10/llms-full.txt").read_text("utf-8").count("Words about") == 1500
    clean = tmp_path / "clean"
    assert run_cli("build", "--root", str(root), "--out", str(clean), *host).status == 0
    assert_same(out, clean)


def test_the_sections_files_kept_from_the_last_build_are_only_its_own():
    """A rebuild that keeps the split llms-full.txt claims the sections' files its cache names:
    only llms-full.txt files under the folder that pass the path policy."""
    from builder.pipeline.llms import _kept_parts

    named = ["en/a/llms-full.txt", "en/../x/llms-full.txt", "fr/a/llms-full.txt", "en/a/index.html",
             "en//llms-full.txt", 3]
    assert _kept_parts("en/", named) == ["en/a/llms-full.txt"]
    assert _kept_parts("en/", "en/a/llms-full.txt") == []


def _settings(root: Path, text: str) -> None:
    (root / "data" / "site.yml").write_text("base_url: https://docs.example.com/\n" + text, "utf-8")


def test_host_in_site_settings_and_unknown_profile(tmp_path):
    root = _site(tmp_path / "src")
    out = tmp_path / "o"
    _settings(root, "host: netlfy\n")
    result = run_cli("build", "--root", str(root), "--out", str(out))
    assert result.status == 2 and not out.exists()
    assert ("data/site.yml:2:7: error[DB690]: data/site.yml: host 'netlfy' is not a host profile; known: generic, "
            "cloudflare") in result.stderr
    _settings(root, "host: {name: cloudflare, limits: {files: 50000}}\n")
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    assert "--host cloudflare: 1" in result.stderr and "% of 50,000 (data/site.yml)" in result.stderr
    assert "(free)" not in result.stderr and "(paid)" not in result.stderr
    assert (out / "redirect-map.json").is_file()
    assert "<loc>https://docs.example.com/en/" in (out / "sitemap.xml").read_text("utf-8")  # base_url beside it
    # --host naming the same profile keeps the file's limits; another profile wins with its own figures
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--host", "cloudflare")
    assert result.status == 0 and "% of 50,000 (data/site.yml)" in result.stderr
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--host", "gitlab")
    assert result.status == 0, result.stderr
    assert "--host gitlab: 1" in result.stderr and "% of 200,000" in result.stderr and "50,000" not in result.stderr
    assert not (out / "redirect-map.json").exists()
    # a mistake in the file is reported even when --host chooses the profile
    _settings(root, "host: {name: cloudflare, limits: {files: -1}}\n")
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search", "--host", "gitlab")
    assert result.status == 2
    assert "data/site.yml:2:42: error[DB690]: data/site.yml: host limit files must be a whole number, not -1" in result.stderr
    # the rest of the file keeps its own code
    _settings(root, "hosts: cloudflare\n")
    result = run_cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 2
    assert "data/site.yml:2:1: error[DB821]: data/site.yml: unknown setting 'hosts'; known: base_url, host" in result.stderr


def test_deterministic_and_incremental(tmp_path, built):
    root = _site(tmp_path / "src")
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert run_cli("build", "--root", str(root), "--out", str(out), "--host", "cloudflare", "--no-search",
                       "--clean").status == 0
    for name in ("_redirects", "redirect-map.json", "404.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    # a generic build into a cloudflare site rebuilds as generic (the profile is in the cache key)
    assert run_cli("build", "--root", str(root), "--out", str(a), "--no-search").status == 0
    generic = built["generic"][0]
    for name in ("_redirects", "404.html", "redirects.json"):
        assert (a / name).read_bytes() == (generic / name).read_bytes()
    assert not (a / "redirect-map.json").exists() and (a / "en" / "ent" / "index.html").is_file()


@pytest.mark.parametrize("host", ["cloudflare", "gitlab"])
def test_incremental_builds_with_a_profile_match_clean_ones(tmp_path, host):
    from tests.test_incremental import assert_same_as_clean, build, edit

    root = _site(tmp_path / "src")
    _settings(root, f"host: {host}\n")
    out = tmp_path / "out"
    build(root, out)
    quick = root / "content" / "get-started" / "quickstart.md"
    edit(quick, "Body.", "Body, edited.")  # a page: the redirect files are kept as they are
    assert build(root, out)["unchanged_pages"] > 0
    assert_same_as_clean(root, out, tmp_path)
    edit(quick, "redirect_from: [/old-quickstart,", "redirect_from: [/older-quickstart, /old-quickstart,")
    build(root, out)
    assert_same_as_clean(root, out, tmp_path)
    assert "older-quickstart" in (out / "_redirects").read_text("utf-8")
    edit(root / "content" / "admin" / "enterprise.md", ", /ent]", "]")  # an old path dropped
    build(root, out)
    assert_same_as_clean(root, out, tmp_path)
    changes = json.loads((out / ".build" / "changes.json").read_text("utf-8"))["changes"]
    assert {"path": "_redirects", "url": "/_redirects", "kind": "redirect", "change": "modified"} in changes
    if host == "cloudflare":
        assert {"path": "redirect-map.json", "url": "/redirect-map.json", "kind": "redirect",
                "change": "modified"} in changes


def test_rule_limits_are_checked_in_the_files_of_the_site(tmp_path):
    """The plan stays within the budgets (above); the check reads the file itself, so a file over
    them is still refused, and a full budget is no warning."""
    (tmp_path / "_redirects").write_text("# x\n/a /b 301\n/c /d 301\n/:lang/e /:lang/f 301\n/g/* /h/:splat 302\n", "utf-8")
    host = hosts.Host("cloudflare", fallback="map", assets_first=False, static_rules=2, dynamic_rules=1, rule_chars=12)
    found = hosts.check_site(host, ["_redirects"], [tmp_path])
    assert [d.message for d in found] == [
        "--host cloudflare: _redirects dynamic rules 2 is over the limit of 1 by 1; nothing was written: the "
        "profile plans its rules within the limits, so this is a docs-builder bug: please report it",
        "--host cloudflare: the longest _redirects rule 21 characters is over the limit of 12 characters by 9 "
        "characters; nothing was written: the profile plans its rules within the limits, so this is a "
        "docs-builder bug: please report it"]
    assert all(d.code.code == "DB691" for d in found)
    assert hosts.count_rules((tmp_path / "_redirects").read_text("utf-8")) == (2, 2, 21)


def test_pages_alone_over_the_file_limit_stop_before_building(tmp_path, monkeypatch):
    from builder.pipeline import build as pipeline

    root = _site(tmp_path / "src")
    monkeypatch.setitem(hosts.HOSTS, "cloudflare", hosts.Host("cloudflare", fallback="map", assets_first=False, files=60))
    reached = []
    monkeypatch.setattr(pipeline, "STEP_HOOKS", [reached.append])
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "o"), "--host", "cloudflare", "--no-search")
    assert result.status == 2 and reached == []
    assert ("error[DB691]: --host cloudflare: the site would hold at least 100 files (50 pages and 50 Markdown "
            "copies), over the limit of 60 by 40; nothing was built: deploy languages") in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs-builder")]
    assert run_cli("build", "--root", str(root), "--out", str(tmp_path / "o"), "--host", "cloudflare", "--no-search",
                   "--no-markdown").status == 2  # 50 pages + the site's other files: still over, after building


@pytest.mark.parametrize("host", ["netlify", "gitlab"])
def test_rules_of_hosts_where_files_win(built, host):
    site, stderr = built[host]
    text = (site / "_redirects").read_text("utf-8")
    assert text.startswith(f"# Redirects for {host} (written by docs-builder --host {host}; see docs/deploy.md).\n")
    for line in ("/:lang/setup-old /:lang/enterprise-server@3.10/get-started/setup 301",
                 "/:lang/:version/setup-old /:lang/:version/get-started/setup 301",
                 "/:lang/get-started/setup /:lang/enterprise-server@3.10/get-started/setup 301",  # not in fpt
                 "/:lang/enterprise-server@latest/* /:lang/enterprise-server@3.10/:splat 302",
                 "/admin/* /en/admin/:splat 302"):
        assert line + "\n" in text
    assert [line for line in text.splitlines() if line.startswith(("/fr/", "/en/enterprise-server@3.9/"))] == []
    assert not list(site.glob("**/setup-old/index.html"))  # every entry by rule: no stub
    assert f"--host {host}: " in stderr


@pytest.mark.parametrize("host", ["gitlab", "github-pages"])
def test_the_404_map_instead_of_stubs(tmp_path, built, host):
    """`redirects: map` in `host:` of data/site.yml: no stub, the old URLs beyond the rules by the 404 page."""
    root = _site(tmp_path / "src")
    _settings(root, f"host:\n  name: {host}\n  redirects: map\n")
    site = tmp_path / "site"
    result = run_cli("build", "--root", str(root), "--out", str(site), "--no-search")
    assert result.status == 0, result.stderr
    assert not (site / "en" / "ent").exists() and not (site / "setup-old").exists()
    assert "redirect-map.json" in (site / "404.html").read_text("utf-8")
    assert "by 404.html and redirect-map.json (8 entries)" in result.stderr
    for source, target in _truth(built).items():
        assert resolve(site, host, source)[-1] == target, (source, resolve(site, host, source))
    _settings(root, f"host:\n  name: {host}\n  redirects: files\n")
    result = run_cli("build", "--root", str(root), "--out", str(site), "--no-search")
    assert result.status == 2
    assert "data/site.yml:4:14: error[DB690]: data/site.yml: host redirects must be stubs or map, not 'files'" in result.stderr


def test_host_setting_without_a_name_and_unknown_option_together(tmp_path):
    """The host part comes from data/site.yml as plain data; its problems are reported together,
    with an unknown --host, each where it is (the --host one has no place in a file)."""
    from builder.core.errors import ConfigError
    from builder.sources.settings import load_settings

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "site.yml").write_text("host:\n  limits: {files: 5}\n", "utf-8")
    setting = load_settings(tmp_path).host
    assert hosts.resolve((), None) is hosts.HOSTS["generic"]
    with pytest.raises(ConfigError) as err:
        hosts.resolve(setting, "netlfy")
    found = [(str(d.location) if d.location else "", d.message) for d in err.value.diagnostics]
    assert found == [("", "--host 'netlfy' is not a host profile; known: generic, cloudflare, netlify, gitlab, "
                          "github-pages, nginx"),
                     ("data/site.yml:2:3", "data/site.yml: host needs a name: one of generic, cloudflare, netlify, "
                                           "gitlab, github-pages, nginx")]
