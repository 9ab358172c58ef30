"""`docs-builder translations` as a translator reads it: text, JSON and GitHub annotations, with
orphans; and the published status page (labels in the page's language, title, orphans)."""

from __future__ import annotations

import json
import re

from tests.conftest import page, read
from tests.test_translations import GUIDE_FR, build, fr_site, git


def _site(make_site, **more):
    guide = GUIDE_FR.replace("Utilisez {% data variables.product.name %}", "Utilisez {% données variables.product.name %}")
    return fr_site(make_site, {"docs/guide.md": guide, "docs/gone,old.md": page("Partie", "x\n"), **more})


def test_github_format_annotates_repairs_orphans_and_missing_pages(make_site, cli):
    root = _site(make_site)
    result = cli("translations", "--root", str(root), "--format", "github")
    assert result.status == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("::") for line in lines), lines
    # the repair, at its line and column; `%` escaped in the message
    assert ("::warning file=translations/fr-FR/content/docs/guide.md,line=8,col=10,title=DB501 translation-repaired::"
            "repaired Liquid: '{%25 données variables.product.name %25}' -> '{%25 data variables.product.name %25}'") in lines
    # the orphan, with `,` escaped in the file property
    orphan = [line for line in lines if "DB503" in line]
    assert orphan and orphan[0].startswith("::warning file=translations/fr-FR/content/docs/gone%2Cold.md,line=1,col=1,")
    assert "::notice file=content/docs/other.md,line=1,col=1,title=fr translation missing::fr: not translated yet" in lines
    summary = [line for line in lines if line.startswith("::notice title=fr translation status::")]
    assert len(summary) == 1 and "%25 translated" in summary[0] and "1 orphan" in summary[0]


def test_github_format_escapes_newlines_and_colons_in_properties(make_site, cli):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    result = cli("translations", "--root", str(root), "--format", "github")
    note = [line for line in result.stdout.splitlines() if "translation status::" in line][0]
    # outside git: the note is on a second line of the same annotation
    assert "%0Anote: outdated status unknown" in note and "\n" not in note


def test_outdated_translation_in_github_format_and_on_the_status_page(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    guide = root / "content/docs/guide.md"
    guide.write_text(read(guide) + "\nA new English paragraph.\n", "utf-8")
    git(root, "commit", "-qam", "English update")
    result = cli("translations", "--root", str(root), "--format", "github")
    assert result.status == 0
    assert ("::warning file=translations/fr-FR/content/docs/guide.md,line=1,col=1,title=fr translation outdated::"
            "fr: outdated: the English page content/docs/guide.md changed 1 times (2 lines) since this translation "
            "(git history)") in result.stdout.splitlines()
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    html = read(out / "fr/translation-status/index.html")
    assert "<td>Obsolète</td><td><code>translations/fr-FR/content/docs/guide.md</code></td>" \
           "<td>1 commit anglais de retard, 2 lignes modifiées</td>" in html


def test_unknown_language_is_a_usage_error_in_every_format(make_site, cli):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    for fmt in ("text", "json", "github"):
        result = cli("translations", "--root", str(root), "--language", "de", "--format", fmt)
        assert result.status == 2, (fmt, result)
        assert "'de' is not a translation" in result.stdout + result.stderr
    gh = cli("translations", "--root", str(root), "--language", "de", "--format", "github")
    assert gh.stderr.startswith("::error title=DB") and "--language 'de' is not a translation" in gh.stderr


def test_json_lists_orphans_and_located_problems(make_site, cli):
    root = _site(make_site)
    result = cli("translations", "--root", str(root), "--format", "json")
    assert result.status == 0
    doc = json.loads(result.stdout)["languages"][0]
    assert doc["orphans"] == ["translations/fr-FR/content/docs/gone,old.md"] and doc["orphan"] == 1
    repaired = [p for p in doc["problems"] if p["code"] == "DB501"]
    assert [(p["file"], p["line"], p["col"], p["severity"]) for p in repaired] == [
        ("translations/fr-FR/content/docs/guide.md", 8, 10, "warning")]
    assert {p["code"] for p in doc["problems"]} == {"DB501", "DB503"}
    details = {d["page"]: d for d in doc["details"]}
    assert details["content/docs/guide.md"]["state"] == "broken"


def test_text_lists_orphans(make_site, cli):
    root = _site(make_site)
    out = cli("translations", "--root", str(root)).stdout
    assert "  orphan    translations/fr-FR/content/docs/gone,old.md (no English page: not built)" in out
    assert re.search(r"^  \d+ current, .*1 orphan$", out, re.M), out


def test_french_status_page_is_french_titled_like_the_site_and_lists_orphans(make_site, cli, tmp_path):
    root = _site(make_site)
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    html = read(out / "fr/translation-status/index.html")
    home_title = re.search(r"<title>(.*?)</title>", read(out / "fr/index.html")).group(1)
    assert re.search(r"<title>(.*?)</title>", html).group(1) == f"État des traductions - {home_title}"
    head = re.search(r"<thead>(.*?)</thead>", html).group(1)
    assert re.findall(r"<th scope=\"col\">([^<]*)</th>", head) == ["État", "Page", "À revoir"]
    assert "<th scope=\"col\"></th>" not in html
    assert "Réparé : <span lang=\"en\">" in html  # the build's message is English, and marked so
    assert "À jour : " in html and "Up to date" not in html and "Translated" not in html
    assert '<h2 id="orphans">Traductions sans page anglaise</h2>' in html
    assert "<li><code>translations/fr-FR/content/docs/gone,old.md</code></li>" in html
    english = read(out / "en/translation-status/index.html")
    assert '<h2 id="orphans">' not in english  # the English page lists no language's details
    assert "<th scope=\"col\">State</th>" not in english
