"""Links and redirects: the rewriting table, AUTOTITLE, broken links, redirect outputs, sitemap."""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.request
import uuid
from functools import partial
from pathlib import Path

import pytest

from builder.links.table import LinkTable
from builder.pipeline.site import Site
from tests.conftest import page, read, run_cli

PAGES = {
    "get-started/index.md": page("Get started", "Start here.\n", children="[/hello-world, /cloud-only, /moved]"),
    "get-started/hello-world.md": page("Hello World", "## First steps\n\nHi.\n", redirect_from="[/hello, /old/hello-world]"),
    "get-started/cloud-only.md": page("Cloud only", "Cloud.\n", versions="{ghec: '*', ghes: '>= 3.9'}"),
    "get-started/moved.md": page("Moved here", "Moved.\n", redirect_from="[/get-started/previous-name]"),
}


@pytest.fixture
def site(make_site):
    root = make_site(PAGES, {"data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n",
                             "translations/fr-FR/content/get-started/hello-world.md": page("Bonjour le monde", "Salut.\n")})
    return Site(root)


# (href, version, language) -> expected URL; GitHub Docs' link-rewriting table.
TABLE = [
    ("/get-started/hello-world", "free-pro-team@latest", "en", "/en/get-started/hello-world"),
    ("/get-started/hello-world", "enterprise-cloud@latest", "en", "/en/enterprise-cloud@latest/get-started/hello-world"),
    ("/get-started/hello-world", "enterprise-server@3.9", "fr", "/fr/enterprise-server@3.9/get-started/hello-world"),
    ("/get-started/hello-world#first-steps", "enterprise-server@3.9", "en", "/en/enterprise-server@3.9/get-started/hello-world#first-steps"),
    ("/get-started/hello-world?tool=cli#x", "free-pro-team@latest", "fr", "/fr/get-started/hello-world?tool=cli#x"),
    ("/free-pro-team@latest/get-started/hello-world", "enterprise-server@3.8", "en", "/en/get-started/hello-world"),
    ("/enterprise-cloud@latest/get-started/cloud-only", "free-pro-team@latest", "en", "/en/enterprise-cloud@latest/get-started/cloud-only"),
    ("/enterprise-server@latest/get-started/hello-world", "free-pro-team@latest", "en", "/en/enterprise-server@3.10/get-started/hello-world"),
    ("/enterprise-server@3.8/get-started/hello-world", "enterprise-server@3.10", "fr", "/fr/enterprise-server@3.8/get-started/hello-world"),
    ("/en/get-started/hello-world", "free-pro-team@latest", "fr", "/fr/get-started/hello-world"),
    ("/get-started/hello-world/", "free-pro-team@latest", "en", "/en/get-started/hello-world"),
    ("/hello", "enterprise-server@3.9", "en", "/en/enterprise-server@3.9/get-started/hello-world"),
    ("/enterprise/11.10.340/admin/x", "free-pro-team@latest", "en", "/en/enterprise/11.10.340/admin/x"),
    ("/enterprise-server@3.6/old/page", "free-pro-team@latest", "en", "/en/enterprise-server@3.6/old/page"),
    ("/", "enterprise-cloud@latest", "fr", "/fr/enterprise-cloud@latest"),
]


@pytest.mark.parametrize("href, version, lang, expected", TABLE, ids=[f"{t[0]} on {t[1]} in {t[2]}" for t in TABLE])
def test_link_rewriting_table(site, href, version, lang, expected):
    resolved = site.links.resolve(href, lang, site.config.space.by_id[version])
    assert resolved.problem is None
    assert resolved.url == expected


def test_link_to_a_page_missing_in_the_version_is_broken(site):
    space = site.config.space
    res = site.links.resolve("/get-started/cloud-only", "en", space.by_id["free-pro-team@latest"])
    assert res.problem.startswith("content/get-started/cloud-only.md does not exist in this version (it exists in ")
    res = site.links.resolve("/enterprise-server@3.8/get-started/cloud-only", "en", space.by_id["free-pro-team@latest"])
    assert "does not exist in enterprise-server@3.8" in res.problem
    assert "no page at /nowhere" in site.links.resolve("/nowhere", "en", space.default).problem


def test_external_and_asset_links_are_untouched(make_site, cli, tmp_path):
    body = "[ext](https://example.com/a) [asset](/assets/images/x.png) [pub](/public/x.pdf) [hw](/get-started/hello-world)\n"
    root = make_site({**PAGES, "get-started/moved.md": page("Moved here", body, redirect_from="[/get-started/previous-name]")})
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    html = read(out / "en/enterprise-server@3.9/get-started/moved/index.html")
    assert 'href="https://example.com/a"' in html and 'href="/assets/images/x.png"' in html and 'href="/public/x.pdf"' in html
    assert 'href="/en/enterprise-server@3.9/get-started/hello-world"' in html


def test_autotitle_in_english_and_french_follows_redirects(make_site, cli, tmp_path):
    pages = {**PAGES, "get-started/moved.md": page("Moved here", "See [AUTOTITLE](/hello#first-steps).\n",
                                                   redirect_from="[/get-started/previous-name]")}
    files = {"data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n",
             "translations/fr-FR/content/get-started/hello-world.md": page("Bonjour le monde", "## Premiers pas\n\nSalut.\n")}
    root = make_site(pages, files)
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    assert '<a href="/en/get-started/hello-world#first-steps">Hello World</a>' in read(out / "en/get-started/moved/index.html")
    assert '<a href="/fr/get-started/hello-world#first-steps">Bonjour le monde</a>' in read(out / "fr/get-started/moved/index.html")


def test_broken_anchor_is_a_warning_and_autotitle_errors(make_site, cli):
    pages = {**PAGES, "get-started/moved.md": page(
        "Moved", "Line one\n[x](/get-started/hello-world#nope)\n[AUTOTITLE](/get-started/nowhere)\n[AUTOTITLE](#local)\n")}
    root = make_site(pages)
    result = cli("check", "--root", str(root))
    assert result.status == 1
    assert ("content/get-started/moved.md:6:5: warning[DB402]: link '/get-started/hello-world#nope': "
            "content/get-started/hello-world.md has no heading or element with id 'nope'\n") in result.stderr
    assert "content/get-started/moved.md:7:13: error[DB403]: AUTOTITLE link '/get-started/nowhere' is broken" in result.stderr
    assert "error[DB403]: AUTOTITLE needs a link to a page; '#local' is not one" in result.stderr


def test_errors_in_reusables_point_at_the_reusable_and_the_page(make_site, cli):
    pages = {**PAGES, "get-started/moved.md": page("Moved", "Intro\n\n{% data reusables.links %}\n")}
    root = make_site(pages, {"data/reusables/links.md": "Fine line\nSee [the thing](/get-started/gone).\n"})
    result = cli("check", "--root", str(root), "--version", "fpt")
    assert "data/reusables/links.md:2:17: error[DB401]: link '/get-started/gone' is broken: no page at /get-started/gone" in result.stderr
    assert "  = note: included from content/get-started/moved.md:7:1\n  = in: free-pro-team@latest" in result.stderr


def test_redirect_collisions_loops_and_live_pages(make_site, cli):
    pages = dict(PAGES)
    pages["get-started/moved.md"] = page("Moved", "x\n", redirect_from="[/hello, /get-started/moved, /get-started/cloud-only]")
    root = make_site(pages)
    result = cli("check", "--root", str(root))
    assert result.status == 1
    assert ("content/get-started/moved.md:4:17: error[DB404]: redirect_from /hello is also claimed by "
            "content/get-started/hello-world.md") in result.stderr
    assert "error[DB405]: redirect_from entry '/get-started/moved' is this page's own path" in result.stderr
    assert "warning[DB404]: redirect_from /get-started/cloud-only is the path of the live page" in result.stderr


@pytest.fixture
def built(make_site, cli, tmp_path):
    files = {"data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n",
             "translations/fr-FR/content/get-started/moved.md": page("Déplacée ici", "Déplacée.\n"),
             "data/site.yml": "base_url: https://d.example\n"}
    root = make_site(PAGES, files)
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    return out


def test_redirect_outputs(built):
    redirects = json.loads(read(built / "redirects.json"))
    assert redirects["/en/hello"] == "/en/get-started/hello-world"
    assert redirects["/fr/old/hello-world"] == "/fr/get-started/hello-world"
    assert redirects["/en/enterprise-server@3.9/hello"] == "/en/enterprise-server@3.9/get-started/hello-world"
    assert redirects["/en/enterprise-server@latest/get-started/hello-world"] == "/en/enterprise-server@3.10/get-started/hello-world"
    # a page not in the default plan is reachable at its version-less path
    assert redirects["/en/get-started/cloud-only"] == "/en/enterprise-cloud@latest/get-started/cloud-only"
    # a path without a language leads to the default language
    assert redirects["/get-started/hello-world"] == "/en/get-started/hello-world"
    assert redirects["/hello"] == "/en/get-started/hello-world"
    # live pages win: no redirect from a live path
    assert "/en/get-started/hello-world" not in redirects
    netlify = read(built / "_redirects")
    assert "/en/hello /en/get-started/hello-world 301\n" in netlify
    assert "/en/enterprise-server@latest/* /en/enterprise-server@3.10/:splat 302" in netlify
    nginx = read(built / "nginx-redirects.conf")
    assert 'map $uri $docs_redirect {' in nginx and '"/en/hello" "/en/get-started/hello-world";' in nginx
    stub = read(built / "en/hello/index.html")
    assert '<meta http-equiv="refresh" content="0; url=/en/get-started/hello-world">' in stub
    assert '<link rel="canonical" href="/en/get-started/hello-world">' in stub
    assert 'location.replace("/en/get-started/hello-world"' in stub
    assert '<a href="/en/get-started/hello-world">' in stub


def test_sitemap_and_alternates(built):
    sitemap = read(built / "sitemap.xml")
    assert "<loc>https://d.example/en/get-started/hello-world/</loc>" in sitemap
    assert '<xhtml:link rel="alternate" hreflang="fr" href="https://d.example/fr/get-started/hello-world/"/>' in sitemap
    html = read(built / "en/get-started/hello-world/index.html")
    assert '<link rel="canonical" href="/en/get-started/hello-world">' in html
    assert '<link rel="alternate" hreflang="fr" href="/fr/get-started/hello-world">' in html


def _serve(root):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _follow(base: str, path: str, hops: int = 3) -> tuple[str, str]:
    """GET a path; follow meta-refresh stubs as a browser would; return (final path, body)."""
    for _ in range(hops):
        with urllib.request.urlopen(base + path) as response:
            assert response.status == 200
            body = response.read().decode("utf-8")
        m = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body)
        if not m:
            return path, body
        path = m.group(1)
    raise AssertionError("too many redirects")


def test_redirects_work_on_a_static_server(built):
    server = _serve(built)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert _follow(base, "/")[0] == "/en"
        final, body = _follow(base, "/en/hello")
        assert final == "/en/get-started/hello-world" and "Hello World</h1>" in body
        final, body = _follow(base, "/fr/enterprise-server@latest/get-started/hello-world")
        assert final == "/fr/enterprise-server@3.10/get-started/hello-world"
        final, _ = _follow(base, "/get-started/cloud-only")
        assert final == "/en/enterprise-cloud@latest/get-started/cloud-only"
        final, _ = _follow(base, "/en/get-started/previous-name")
        assert final == "/en/get-started/moved"
    finally:
        server.shutdown()


def test_link_table_is_built_from_english_frontmatter(site):
    assert isinstance(site.links, LinkTable)
    assert site.links.page_for("/old/hello-world").rel == "get-started/hello-world.md"


def test_404_page_sends_paths_without_a_language_to_the_default(built):
    page404 = read(built / "404.html")
    assert '"en", "fr"' in page404 or '["en", "fr"]' in page404
    assert '"enterprise-server@latest": "enterprise-server@3.10"' in page404
    redirects = json.loads(read(built / "redirects.json"))
    # versioned paths without a language are left to 404.html (no stub per page and version)
    assert "/enterprise-server@3.9/get-started/hello-world" not in redirects


def test_base_url_is_for_that_build_only(make_site, cli, tmp_path):
    root = make_site(PAGES)
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search",
               "--base-url", "https://docs.example.com/").status == 0
    assert "<loc>https://docs.example.com/en/get-started/hello-world/</loc>" in read(out / "sitemap.xml")
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0 and "warning[DB820]: sitemap.xml was not written" in result.stderr
    assert not (out / "sitemap.xml").exists()  # never relative URLs: the sitemap protocol wants absolute ones


def test_table_of_contents_shows_autotitle_titles(make_site, cli, tmp_path):
    pages = {**PAGES, "get-started/moved.md": page(
        "Moved here", "## About [AUTOTITLE](/get-started/hello-world)\n\nText.\n\n## Second *part*\n\nMore.\n")}
    root = make_site(pages)
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search").status == 0
    html = read(out / "en/get-started/moved/index.html")
    toc = html.split('class="mini-toc"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="#about-autotitle">About Hello World</a>' in toc
    assert '<a href="#second-part">Second part</a>' in toc


def test_a_translation_link_that_only_looks_like_the_english_one_is_still_caught(make_site, cli, tmp_path):
    pages = {**PAGES, "get-started/moved.md": page("Moved here", "See [the guide](/get-started/hello-world).\n")}
    root = make_site(pages, {"data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n",
                             "translations/fr-FR/content/get-started/moved.md":
                                 page("Déplacée", "Voir [le guide](/get-started/hello).\n\nEt [ceci](/get-started/hello-w).\n")})
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    # '/get-started/hello-w' is not English's link: the French body falls back to English
    html = read(out / "fr/get-started/moved/index.html")
    assert "Voir" not in html and 'See <a href="/fr/get-started/hello-world">the guide</a>' in html
    assert "warning[DB502]: fr: body of content/get-started/moved.md falls back to English" in result.stderr


def test_broken_links_in_an_intro_are_errors_at_the_intro(make_site, cli):
    pages = {**PAGES, "get-started/moved.md": page(
        "Moved here", "Body.\n", intro="'See [x](/no/such/page) and [AUTOTITLE](/get-started/hello-world).'")}
    result = cli("check", "--root", str(make_site(pages)))
    assert result.status == 1
    assert ("content/get-started/moved.md:4:8: error[DB401]: link '/no/such/page' is broken: "
            "no page at /no/such/page") in result.stderr
    assert "hello-world' is broken" not in result.stderr


# Hostile values never reach a host file ---------------------------------------------------

HOSTILE_OLD_PATHS = [
    '"/x\\n/* https://evil.example 200!\\n#"',  # a forced catch-all rule in _redirects
    '"/y\\r\\n/* /evil 200!"',
    '"/z\\u2028/* /evil 200!"',
    '"/w\\t/evil"',
    '"/v\\"; /evil\\" \\"x"',  # an nginx map entry of its own
    "/../../../../tmp/x/ABS",
    "/./get-started/hello-world",  # a live page, spelled another way
    "/get-started/moved/../hello-world",
    "/%2e%2e/%2e%2e/etc",
    "//evil.example/x",
    "https://evil.example",
    "javascript:alert(1)",
    "/*",
    "/x/:splat",
    "/sitemap.xml",
    "/_redirects",
    "/index.html",
]


def _hostile_site(make_site, extra: list[str]):
    pages = dict(PAGES)
    entries = "\n".join(f"  - {e}" for e in ["/hello", "/old/hello-world", *extra])
    pages["get-started/hello-world.md"] = (
        "---\ntitle: Hello World\nversions: {fpt: '*', ghec: '*', ghes: '*'}\nredirect_from:\n" + entries + "\n---\nHi.\n")
    return make_site(pages, {"data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n",
                             "translations/fr-FR/content/get-started/moved.md": page("Déplacée ici", "Déplacée.\n")})


def _host_rules(out) -> dict[str, list]:
    """Every rule of every host file, parsed as the host would read it."""
    netlify = [line.split() for line in read(out / "_redirects").splitlines() if line and not line.startswith("#")]
    assert all(len(rule) == 3 for rule in netlify), netlify
    nginx_text = read(out / "nginx-redirects.conf")
    body = nginx_text[nginx_text.index("{\n") + 2 : nginx_text.rindex("\n}")]
    nginx = [re.fullmatch(r'    ("(?:[^"\\]|\\.)*") ("(?:[^"\\$]|\\.)*");', line) for line in body.splitlines()]
    assert all(nginx[1:]), body  # the first line is `default "";`
    sitemap = re.findall(r"<loc>([^<]*)</loc>", read(out / "sitemap.xml"))
    return {"_redirects": netlify, "nginx": [m.groups() for m in nginx[1:]],
            "redirects.json": sorted(json.loads(read(out / "redirects.json")).items()), "sitemap": sitemap}


def test_hostile_redirect_from_adds_no_rule_to_any_host_file(make_site, cli, tmp_path):
    """Built with --keep-going (the site is written despite the errors), every hostile entry is
    reported at its line and dropped: each host file has exactly the rules of the same site
    without them, and nothing is written outside --out."""
    clean = tmp_path / "clean"
    assert cli("build", "--root", str(_hostile_site(make_site, [])), "--out", str(clean), "--no-search",
               "--base-url", "https://d.example").status == 0
    hostile_root = tmp_path / "hostile"
    hostile_root.mkdir()
    (tmp_path / "site-src").rename(hostile_root / "first")
    escape = Path("/tmp") / f"docs-builder-escape-{uuid.uuid4().hex}"  # enough '..' to reach / from anywhere
    root = _hostile_site(make_site, [*HOSTILE_OLD_PATHS, "/.." * 40 + f"{escape}/ABS"])
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search", "--keep-going",
                 "--base-url", "https://d.example")
    assert result.status == 1
    assert result.stderr.count("error[DB406]") == len(HOSTILE_OLD_PATHS) + 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert _host_rules(out) == _host_rules(clean)
    assert not escape.exists()
    assert read(out / "en/get-started/hello-world/index.html") == read(clean / "en/get-started/hello-world/index.html")
    outside = sorted(p.name for p in tmp_path.iterdir())
    assert outside == ["clean", "hostile", "out", "site-src"], outside


def test_unsafe_link_paths_are_errors_at_the_characters(make_site, cli):
    body = ("See [a](/../../etc/passwd) and [b](/get-started/%2e%2e/x).\n\n"
            '<a href="/get-started/./hello-world">c</a> and [AUTOTITLE](/get-started//hello-world).\n')
    root = make_site({**PAGES, "get-started/moved.md": page("Moved here", body)})
    result = cli("check", "--root", str(root))
    assert result.status == 1
    assert ("content/get-started/moved.md:5:10: error[DB407]: link '/../../etc/passwd' contains a '..' segment; "
            "write the path of a page of this site, such as /get-started/quickstart\n"
            "  5 | See [a](/../../etc/passwd) and [b](/get-started/%2e%2e/x).\n"
            "    |          ^^\n") in result.stderr
    assert ("content/get-started/moved.md:5:49: error[DB407]: link '/get-started/%2e%2e/x' contains '%2e', "
            "a percent-encoded '.'") in result.stderr
    assert ("content/get-started/moved.md:7:23: error[DB407]: link '/get-started/./hello-world' contains a '.' "
            "segment; write '/get-started/hello-world' instead") in result.stderr
    assert ("content/get-started/moved.md:7:73: error[DB407]: link '/get-started//hello-world' contains an empty "
            "segment ('//'); write '/get-started/hello-world' instead") in result.stderr
    assert "DB401" not in result.stderr


@pytest.mark.parametrize("render", ["netlify", "nginx", "json"])
@pytest.mark.parametrize("value", ["/x\n/* https://evil.example 200!", "/x\r/evil", "/x\u2028y", "/x y", "/x\ty",
                                   'x"; /evil', "evil"])
def test_host_file_renderers_refuse_what_would_break_a_rule(render, value):
    """The second wall: a value that reached a renderer without the path policy is refused
    loudly (an internal error), never written."""
    from builder.core.paths import UnsafePath
    from builder.links.outputs import render_json, render_netlify, render_nginx
    from builder.links.redirects import Redirect

    class NoSite:  # the generic rules are not under test here
        class config:
            class space:
                plans = ()
                default = type("V", (), {"plan": type("P", (), {"name": "free-pro-team"})})
        languages = ()
        versions = ()

    for hostile in (Redirect(value, "/en/a", "redirect_from"), Redirect("/en/a", value, "redirect_from")):
        with pytest.raises(UnsafePath):
            "".join({"netlify": lambda r: render_netlify(r, NoSite), "nginx": lambda r: render_nginx(r, NoSite),
                     "json": render_json}[render]([hostile]))


def test_nginx_values_cannot_name_a_variable():
    from builder.core.paths import UnsafePath
    from builder.links.outputs import render_nginx
    from builder.links.redirects import Redirect

    assert '"/en/a$b" "/en/a";' in "".join(render_nginx([Redirect("/en/a$b", "/en/a", "redirect_from")], None))
    with pytest.raises(UnsafePath):
        "".join(render_nginx([Redirect("/en/a", "/en/$host", "redirect_from")], None))


def test_redirects_json_is_what_json_dumps_makes():
    """redirects.json is written line by line: the same text as the whole map dumped at once."""
    import json

    from builder.links.outputs import host_value, in_chunks, render_json
    from builder.links.redirects import Redirect

    redirects = [Redirect("/fr/caf\u00e9", "/fr/a\u00e9", "redirect_from"), Redirect("/en/z", "/en/a", "versionless"),
                 Redirect("/en/b+c%", "/en/a", "redirect_from"), Redirect("/", "/en", "no-language")]
    whole = {host_value(r.source, "x", encode=True): host_value(r.target, "x") for r in redirects}
    expected = json.dumps(whole, indent=1, sort_keys=True, ensure_ascii=True) + "\n"
    assert b"".join(in_chunks(render_json(redirects), size=2)).decode() == expected
    assert json.loads(expected)["/fr/caf%C3%A9"] == "/fr/a\u00e9"
    assert "".join(render_json([])) == json.dumps({}, indent=1) + "\n"


def test_nginx_map_is_sorted_as_written_line_by_line():
    """nginx-redirects.conf is made as it is written (a merge of the old URLs with and without a
    trailing slash, never a list of every entry): its map is still each entry once, sorted, even
    where a character sorts before the closing quote or the slash ('!', '-', '.')."""
    from builder.links.outputs import checked_rules, render_nginx
    from builder.links.redirects import Redirect

    sources = ["/", "/en/a", "/en/a!b", "/en/a-b", "/en/a-b/c", "/en/a.b", "/en/a/b", "/en/ab", "/en/caf\u00e9", "/z"]
    redirects = [Redirect(s, f"/en/t{i}", "redirect_from") for i, s in enumerate(sorted(sources))]
    for checked in (None, checked_rules(redirects, "_redirects")):
        text = "".join(render_nginx(redirects, None, checked))
        body = text[text.index('    default "";\n') + len('    default "";\n'): text.rindex("}")].splitlines()
        keys = {s for s in sources} | {s + "/" for s in sources if s != "/"}
        assert sorted(body) == body and len(body) == len(keys) == 19
        assert {line.split('"')[1] for line in body} == keys
        assert body[1:3] == ['    "/en/a!b" "/en/t2";', '    "/en/a!b/" "/en/t2";']  # '!' sorts before '"'
        assert '    "/en/a" "/en/t1";' in body


def test_a_sitemap_over_the_protocols_limits_is_an_index_of_sitemaps(src, tmp_path, monkeypatch):
    """sitemaps.org allows 50,000 URLs and 50 MB per file (a GitHub-Docs-sized site has about
    80,000 pages; a host may allow less: Cloudflare 25 MiB): beyond, sitemap.xml is a sitemap
    index of files within the limits, with the same URLs in the same order."""
    from builder.links import outputs

    whole = tmp_path / "whole"
    assert run_cli("build", "--root", str(src), "--out", str(whole), "--no-search").status == 0
    locs = re.findall(r"<loc>([^<]*)</loc>", read(whole / "sitemap.xml"))
    assert len(locs) > 40 and not (whole / "sitemap-1.xml").exists()

    monkeypatch.setattr(outputs, "SITEMAP_URLS", 20)
    out = tmp_path / "out"
    assert run_cli("build", "--root", str(src), "--out", str(out), "--no-search").status == 0
    index = read(out / "sitemap.xml")
    parts = re.findall(r"<sitemap><loc>https://docs\.example\.com/(sitemap-\d+\.xml)</loc></sitemap>", index)
    assert index.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ')
    assert parts == [f"sitemap-{k}.xml" for k in range(1, len(locs) // 20 + 2)]
    found = []
    for name in parts:
        text = read(out / name)
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ') and text.endswith("</urlset>\n")
        assert text.count("<url>") <= 20
        found += re.findall(r"<url><loc>([^<]*)</loc>", text)
    assert found == locs
    # a rebuild keeps them (and the manifest names them); a build within the limits removes them
    assert run_cli("build", "--root", str(src), "--out", str(out), "--no-search").status == 0
    assert (out / parts[-1]).is_file() and parts[-1] in read(out / ".build/manifest.json")
    monkeypatch.setattr(outputs, "SITEMAP_URLS", 50_000)
    (src / "content" / "index.md").write_text(read(src / "content" / "index.md") + "\nMore.\n", "utf-8")
    assert run_cli("build", "--root", str(src), "--out", str(out), "--no-search").status == 0
    assert read(out / "sitemap.xml") == read(whole / "sitemap.xml") and not (out / "sitemap-1.xml").exists()


def test_a_sitemap_is_split_within_a_size_limit():
    from builder.links.outputs import write_sitemap

    class Out:
        def __init__(self, i):
            self.path, self.lang, self.page, self.version = f"en/page-{i:03d}/index.html", "en", f"p{i}", "v"

    class Writer:
        def __init__(self):
            self.files = {}

        def write(self, rel, data):
            self.files[rel] = data if isinstance(data, str) else b"".join(data).decode("utf-8")

    writer = Writer()
    files, digest = write_sitemap(None, writer, [Out(i) for i in range(100)], base_url="https://d.example",
                                  max_bytes=2_000)
    assert sorted(files) == sorted(writer.files) and len(files) > 2 and digest.endswith(f"/{len(files) - 1}")
    assert all(len(text.encode()) <= 2_000 for text in writer.files.values())
    assert sum(text.count("<url>") for text in writer.files.values()) == 100
    assert write_sitemap(None, Writer(), [Out(i) for i in range(100)], keep_if=digest, base_url="https://d.example",
                         max_bytes=2_000) == (files, digest)  # kept: the same files named
    # assemble: the sitemap a shard wrote, in place, is taken when made from the same outputs; a
    # count of files no sitemap of 100 URLs has, or another digest, is not: the sitemap is written
    again = Writer()
    assert write_sitemap(None, again, [Out(i) for i in range(100)], base_url="https://d.example", max_bytes=2_000,
                         prebuilt=(None, digest)) == (files, digest) and again.files == {}
    made, _, count = digest.partition("/")
    for value in (f"{made}/1000000", f"{made}/0", f"{'0' * len(made)}/{count}"):
        again = Writer()
        assert write_sitemap(None, again, [Out(i) for i in range(100)], base_url="https://d.example",
                             max_bytes=2_000, prebuilt=(None, value)) == (files, digest)
        assert again.files == writer.files


def test_sitemap_escapes_and_encodes(tmp_path):
    from builder.core.paths import UnsafePath
    from builder.links.outputs import write_sitemap

    class Out:
        def __init__(self, path, lang):
            self.path, self.lang, self.page, self.version = path, lang, "p", "v"

    class Writer:  # as StagingWriter: text, or the bytes of a large file in parts, as they are made
        def write(self, rel, data):
            self.text = data if isinstance(data, str) else b"".join(data).decode("utf-8")

    writer = Writer()
    write_sitemap(None, writer, [Out("en/café/index.html", "en"), Out("fr/café/index.html", "fr")],
                  base_url="https://d.example/?a=1&b='2'")
    assert "<loc>https://d.example/?a=1&amp;b=&apos;2&apos;/en/caf%C3%A9/</loc>" in writer.text
    assert 'href="https://d.example/?a=1&amp;b=&apos;2&apos;/fr/caf%C3%A9/"' in writer.text
    write_sitemap(None, writer, [Out("en/a\u0001b\n/index.html", "en")])
    assert "<loc>/en/a%01b%0A/</loc>" in writer.text and "\u0001" not in writer.text
    with pytest.raises(UnsafePath):
        write_sitemap(None, writer, [Out("en/a/index.html", "en")], base_url="https://d.example/\u0001")


def test_404_data_cannot_close_its_script(make_site):
    from builder.layout.notfound import not_found_context

    site = Site(make_site(PAGES))
    context = not_found_context(site, None, site.default_language, site.versions[0], {})
    context.update(languages=["en", "<!--", "\u2028"], latest={"a</script>": "b"},
                   default="en</script><script>alert(1)</script>")
    html = site.layout.template("404.html").render(context)
    assert html.count("</script>") == html.count("<script") and "<!--" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html


def test_percent_encoded_links_reach_pages_and_old_paths(make_site, cli):
    body = "See [a](/get-started/caf%C3%A9), [b](/na%C3%AFve) and [c](/na\u00efve).\n"
    pages = {**PAGES, "get-started/moved.md": page("Moved here", body, redirect_from="[/get-started/previous-name, /naïve]"),
             "get-started/café.md": page("Café", "Hi.\n")}
    pages["get-started/index.md"] = page("Get started", "Start.\n", children="[/hello-world, /cloud-only, /moved, /café]")
    result = cli("check", "--root", str(make_site(pages)))
    assert result.status == 0, result.stderr
