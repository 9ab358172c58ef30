"""Pages with tool and platform blocks, built end to end: the pickers each output gets (only the
variants that output has), the mini TOC, translations, and the static files the pickers need."""

from __future__ import annotations

import re

from tests.conftest import page, read

ARTICLE = page(
    "Sign in", """\
Choose how you sign in.

{% webui %}

## Sign in with a browser

1. Open the sign-in page.

{% endwebui %}

{% cli %}

## Sign in with the CLI

Run `gh auth login`.

{% endcli %}

{% ifversion ghes %}
{% desktop %}

## Sign in with Desktop

Open **Preferences**.

{% enddesktop %}
{% endif %}

{% mac %}Keychain{% endmac %}
{% linux %}libsecret{% endlinux %}

## Troubleshooting

Nothing here.
""",
    defaultTool="cli", defaultPlatform="linux", intro="'Sign in from anywhere.'")
PLAIN = page("Plain", "No variants.\n\n## Section\n")
FRENCH = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"


def build(make_site, cli, tmp_path, files=None):
    files = {"data/languages.yml": FRENCH, "translations/fr-FR/content/b.md": PLAIN, **(files or {})}
    root = make_site({"a.md": ARTICLE, "b.md": PLAIN}, files)
    out = tmp_path / "out"
    result = cli("build", "--root", str(root), "--out", str(out), "--no-search")
    assert result.status == 0, result.stderr
    return out


def pickers(html: str) -> dict[str, tuple[str, str, list[str], list[str]]]:
    """kind -> (label, default, option values, option labels) of each picker on the page."""
    found = {}
    for m in re.finditer(r'<div class="variant-picker" role="group" aria-label="([^"]*)" data-kind="(\w+)" '
                         r'data-default="(\w*)" hidden>\n(.*?)</div>', html, re.S):
        options = re.findall(r'<button type="button" data-value="(\w+)" aria-pressed="(?:true|false)">([^<]*)</button>', m[4])
        found[m[2]] = (m[1], m[3], [v for v, _ in options], [label for _, label in options])
    return found


def test_each_version_offers_only_the_variants_it_has(make_site, cli, tmp_path):
    out = build(make_site, cli, tmp_path)
    fpt = read(out / "en/a/index.html")
    ghes = read(out / "en/enterprise-server@3.10/a/index.html")
    assert pickers(fpt) == {"tool": ("Tool", "cli", ["cli", "webui"], ["GitHub CLI", "Web browser"]),
                            "platform": ("Platform", "linux", ["mac", "linux"], ["Mac", "Linux"])}
    assert pickers(ghes)["tool"] == ("Tool", "cli", ["cli", "desktop", "webui"], ["GitHub CLI", "Desktop", "Web browser"])
    # the picker comes first in the article, then the script that chooses before the text is painted
    body = fpt.split('<div class="article-body">', 1)[1]
    assert body.index('class="variant-pickers"') < body.index('<script src="/_static/pickers.js">') < body.index("Choose how")
    # every variant is in the HTML, for search, print and readers without JavaScript
    assert all(f'<div class="ghd-tool {name}">' in ghes for name in ("webui", "cli", "desktop", "mac", "linux"))
    assert "variant-picker" not in read(out / "en/b/index.html")


def test_mini_toc_marks_headings_of_a_variant(make_site, cli, tmp_path):
    out = build(make_site, cli, tmp_path)
    toc = re.search(r'<nav class="mini-toc".*?</nav>', read(out / "en/enterprise-server@3.10/a/index.html"), re.S)[0]
    assert re.findall(r'<li(?: class="([^"]*)")?><a href="#([^"]+)">', toc) == [
        ("ghd-tool webui", "sign-in-with-a-browser"), ("ghd-tool cli", "sign-in-with-the-cli"),
        ("ghd-tool desktop", "sign-in-with-desktop"), ("", "troubleshooting")]


def test_translated_page_has_translated_picker_labels(make_site, cli, tmp_path):
    translated = ARTICLE.replace("title: Sign in", "title: Connexion").replace("Choose how", "Choisissez comment")
    out = build(make_site, cli, tmp_path, {"translations/fr-FR/content/a.md": translated})
    found = pickers(read(out / "fr/a/index.html"))
    assert found["tool"] == ("Outil", "cli", ["cli", "webui"], ["GitHub CLI", "Navigateur web"])
    assert found["platform"][0] == "Plateforme"


def test_site_ui_can_rename_a_tool(make_site, cli, tmp_path):
    out = build(make_site, cli, tmp_path, {"data/ui.yml": "tool_picker:\n  names: {cli: gh}\n"})
    assert pickers(read(out / "en/a/index.html"))["tool"][3] == ["gh", "Web browser"]


def test_static_files_for_the_pickers(make_site, cli, tmp_path):
    out = build(make_site, cli, tmp_path)
    css = read(out / "_static/style.css")
    assert 'html[data-tool]:not([data-tool="webui"]) .ghd-tool.webui' in css
    assert css.index("@media screen {\nhtml[data-tool]") > 0, "variants are hidden on screen only"
    script = read(out / "_static/pickers.js")
    assert "localStorage" in script and "userAgentData" in script
