"""The reader's edge pages: 404 pages per language, the notice on parts that fell back to
English, the sitemap's base URL, and `serve --site` serving a built folder as a host would."""

from __future__ import annotations

import re

import pytest

from tests.conftest import page, read

LANGS = "en: {name: English}\nfr: {name: French, dir: translations/fr}\n"
PAGES = {
    "guide.md": page("Guide", "## Setup\n\nRead the setup notes.\n", intro="English intro."),
    "other.md": page("Other", "Other text.\n"),
}


def french(title: str, body: str, intro: str = "Intro française.") -> str:
    return page(title, body, intro=intro)


@pytest.fixture
def fr_site(make_site):
    return lambda files: make_site(PAGES, {"data/languages.yml": LANGS, **files})


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


# 404 pages -------------------------------------------------------------------------------


def test_404_pages_per_language_have_header_search_and_products(fr_site, cli, tmp_path):
    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "Texte.\n"),
                    "translations/fr/data/ui.yml": "errors: {page_doesnt_exist: Introuvable ici.}\n"})
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example")
    assert result.status == 0, result.stderr
    en, en_again, fr = read(out / "404.html"), read(out / "en" / "404.html"), read(out / "fr" / "404.html")
    assert en == en_again
    assert '<html lang="en"' in en and '<html lang="fr"' in fr
    assert 'data-color-mode="auto"' in fr and "theme-toggle" in fr  # dark mode honoured, toggle there
    assert 'class="site-header"' in fr and 'data-search="/_pagefind/fr/shards.json"' in fr
    assert "<title>Introuvable ici. - " in fr and ">Introuvable ici.</h1>" in fr  # the site's own string wins
    assert "This page does not exist.</h1>" in en
    assert 'href="/fr/guide">Guide FR</a>' in _main(fr) and 'href="/en/guide">Guide</a>' in _main(en)
    assert '<meta name="robots" content="noindex">' in fr and 'rel="canonical"' not in fr
    assert '"enterprise-server@latest": "enterprise-server@3.10"' in en  # the old 404's redirects kept


def test_404_pages_follow_the_language_selection(fr_site, cli, tmp_path):
    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "Texte.\n")})
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search", "--language", "fr",
               "--base-url", "https://d.example").status == 0
    assert (out / "fr" / "404.html").is_file() and (out / "404.html").is_file()
    assert "This page does not exist." in read(out / "404.html")


# Parts that fell back to English ---------------------------------------------------------


def test_body_that_fell_back_is_marked_english_with_a_notice(fr_site, cli, tmp_path):
    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "{% if %}\nTexte cassé.\n")})
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example")
    assert result.status == 0, result.stderr
    assert "body of content/guide.md falls back to English" in result.stderr
    html = read(out / "fr" / "guide" / "index.html")
    main = _main(html)
    assert '<h1 id="title" data-pagefind-meta="title">Guide FR</h1>' in main  # the title is French
    assert 'lang="en"><p>Intro' not in main and "Intro française." in main
    notice = "Cette partie n&#39;est pas encore traduite ; elle est affichée en anglais."
    assert main.index(notice) < main.index('<div class="translation-fallback" lang="en">') < main.index(
        "Read the setup notes.")
    body = main[main.index('<div class="translation-fallback" lang="en">'):]
    assert body.index("Read the setup notes.") < body.index("</div>")
    assert main.count('lang="en"') == 1  # only the English part
    assert "<article class=\"markdown-body\">" in main  # the article stays French


def test_title_and_intro_that_fell_back_are_marked_english(fr_site, cli, tmp_path):
    bad = page("'{% if %}Titre'", "Texte traduit.\n", intro="'{% data variables.nope %}'")
    root = fr_site({"translations/fr/content/guide.md": bad})
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example")
    assert result.status == 0, result.stderr
    main = _main(read(out / "fr" / "guide" / "index.html"))
    assert '<h1 id="title" lang="en" data-pagefind-meta="title">Guide</h1>' in main
    assert '<div class="translation-fallback" lang="en"><p>English intro.</p>' in main
    assert "Texte traduit." in main and main.count('lang="en"') == 2
    assert main.count("Cette partie n&#39;est pas encore traduite") == 1  # one notice, above the title


def test_untranslated_page_keeps_its_page_notice(fr_site, cli, tmp_path):
    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "Texte.\n")})
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example").status == 0
    main = _main(read(out / "fr" / "other" / "index.html"))
    assert "Cette page n&#39;a pas encore été traduite" in main and "translation-fallback" not in main
    assert re.search(r'<article class="markdown-body" lang="en">', main)


# sitemap.xml and its base URL ------------------------------------------------------------


def test_sitemap_follows_the_base_url_setting_incrementally(fr_site, tmp_path):
    from tests.test_incremental import assert_same_as_clean, build

    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "Texte.\n")})
    out = tmp_path / "out"
    doc = build(root, out)
    assert [d["code"] for d in doc["diagnostics"]] == ["DB820"] and not (out / "sitemap.xml").exists()
    (root / "data" / "site.yml").write_text("base_url: https://docs.example.com/\n", "utf-8")
    doc = build(root, out)
    assert doc["diagnostics"] == []
    sitemap = read(out / "sitemap.xml")
    assert "<loc>https://docs.example.com/fr/guide/</loc>" in sitemap and "<loc>/" not in sitemap
    assert "](https://docs.example.com/en/guide/index.md)" in read(out / "llms.txt")
    assert_same_as_clean(root, out, tmp_path)
    doc = build(root, out, "--base-url", "https://preview.example.com")  # the option wins, for this build
    assert "<loc>https://preview.example.com/en/guide/</loc>" in read(out / "sitemap.xml")
    (root / "data" / "site.yml").unlink()
    doc = build(root, out)
    assert [d["code"] for d in doc["diagnostics"]] == ["DB820"] and not (out / "sitemap.xml").exists()
    assert "](/en/guide/index.md)" in read(out / "llms.txt")
    assert_same_as_clean(root, out, tmp_path)


# serve --site: a built folder served as a host would -------------------------------------


@pytest.fixture
def served(fr_site, cli, tmp_path):
    import http.client
    import threading

    from builder.serve.static_site import make_site_server

    root = fr_site({"translations/fr/content/guide.md": french("Guide FR", "Texte.\n"),
                    "content/other.md": page("Other", "Other text.\n", redirect_from="[/old-other]")})
    out = tmp_path / "out"
    assert cli("build", "--root", str(root), "--out", str(out), "--no-search", "--base-url", "https://d.example").status == 0
    server = make_site_server(out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def get(path: str, host: str = "127.0.0.1") -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        conn.close()
        return resp.status, dict(resp.getheaders()), body

    yield get, out
    server.shutdown()
    server.server_close()


def test_serve_site_answers_like_a_static_host(served):
    get, out = served
    status, headers, body = get("/fr/guide/")
    assert status == 200 and "Guide FR</h1>" in body and headers["Content-Type"].startswith("text/html")
    assert get("/fr/guide")[2] == body
    status, _, body = get("/fr/no-such-page/")
    assert status == 404 and body == read(out / "fr" / "404.html") and "Cette page n&#39;existe pas." in body
    status, _, body = get("/no-such-page")
    assert status == 404 and body == read(out / "404.html")
    status, headers, _ = get("/en/old-other")
    assert status == 301 and headers["Location"] == "/en/other"
    status, headers, body = get("/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml") and "https://d.example/" in body


def test_serve_site_keeps_the_preview_safety(served):
    get, out = served
    assert (out / ".build" / "manifest.json").is_file()
    assert get("/.build/manifest.json")[0] == 404
    assert get("/%2e%2e/%2e%2e/etc/passwd")[0] in (403, 404)
    assert get("/../site-src/data/versions.yml")[0] in (403, 404)
    status, _, body = get("/en/", host="attacker.example")
    assert status == 421 and "localhost only" in body
    assert get("/en/", host="localhost:4000")[0] == 200


def test_serve_site_refuses_a_folder_that_is_not_a_site(cli, tmp_path):
    result = cli("serve", "--site", str(tmp_path / "nothing"))
    assert result.status == 2 and "is not a built site" in result.stderr and "docs-builder build --out" in result.stderr
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>hi</p>", "utf-8")
    result = cli("serve", "--root", str(tmp_path), "--site", "--language", "fr")
    assert result.status == 2 and "serves the built site as it is" in result.stderr


def test_serve_site_follows_only_redirects_to_its_own_paths(tmp_path):
    import json

    from builder.serve.static_site import BuiltSite

    (tmp_path / "404.html").write_text("<p>missing</p>", "utf-8")
    (tmp_path / "redirects.json").write_text(json.dumps({
        "/a": "/en/a", "/b": "//evil.example/x", "/c": "/\\evil.example", "/d": "/x\r\nSet-Cookie: s=1",
        "/e": "https://evil.example/", "/caf%C3%A9": "/en/cafe"}), "utf-8")
    site = BuiltSite(tmp_path)
    assert (site.response("/a/").status, site.response("/a/").location) == (301, "/en/a")
    assert site.response("/café").location == "/en/cafe"  # requests are matched as the host file spells them
    for path in ("/b", "/c", "/d", "/e"):
        response = site.response(path)
        assert (response.status, response.location, response.body) == (404, None, b"<p>missing</p>"), path
