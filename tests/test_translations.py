"""Translations: mirrored tree, per-property fallback, data fallback, English heading ids, status."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import page, read

LANGS = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"


def fr_site(make_site, translated: dict[str, str], extra: dict[str, str] | None = None):
    pages = {
        "docs/index.md": page("Docs", "Category.\n", children="[/guide, /other]"),
        "docs/guide.md": page(
            "Guide", "## Getting started\n\nUse {% data variables.product.name %}.\n\n{% data reusables.steps %}\n\n"
            "## Next steps\n\nSee [AUTOTITLE](/docs/other).\n",
            intro="'The {% data variables.product.name %} guide.'",
            redirect_from="[/old-guide]",
        ),
        "docs/other.md": page("Other page", "Other body.\n"),
    }
    files = {
        "data/languages.yml": LANGS,
        "data/variables/product.yml": "name: Nimbus\ntagline: Ship faster\n",
        "data/reusables/steps.md": "English steps.\n",
        "translations/fr-FR/data/variables/product.yml": "tagline: Livrez plus vite\n",
        **{f"translations/fr-FR/content/{k}": v for k, v in translated.items()},
        **(extra or {}),
    }
    return make_site(pages, files)


GUIDE_FR = page(
    "Guide (fr)",
    "## Premiers pas\n\nUtilisez {% data variables.product.name %}.\n\n{% data reusables.steps %}\n\n"
    "## Étapes suivantes\n\nVoir [AUTOTITLE](/docs/other).\n",
    versions="{fpt: '*'}",
    intro="'Le guide de {% data variables.product.name %}.'",
)


def build(cli, root, out, *extra):
    return cli("build", "--root", str(root), "--out", str(out), "--no-search", *extra)


def test_translated_page_uses_translated_text_and_english_structure(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR, "docs/other.md": page("Autre page", "Autre corps.\n")})
    out = tmp_path / "out"
    result = build(cli, root, out)
    assert result.status == 0, result.stderr
    html = read(out / "fr/docs/guide/index.html")
    assert "<h1" in html and "Guide (fr)</h1>" in html
    assert "Le guide de Nimbus." in html
    # English versions decide: the French frontmatter says fpt only, English says every plan
    assert (out / "fr/enterprise-server@3.9/docs/guide/index.html").is_file()
    # heading ids are the English ones, so #anchors work in every language
    assert 'id="getting-started"' in html and 'id="next-steps"' in html and "Premiers pas" in html
    # links stay in French and AUTOTITLE takes the French title
    assert '<a href="/fr/docs/other">Autre page</a>' in html
    # English reusable where no translation exists
    assert "English steps." in html
    assert '<html lang="fr"' in html and 'lang="en"' not in html.split("<article", 1)[1][:40]


def test_untranslated_page_is_english_with_a_notice(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    html = read(out / "fr/docs/other/index.html")
    assert '<article class="markdown-body" lang="en">' in html
    assert "Other body." in html
    assert "not been translated yet" in html or "pas encore été traduite" in html


def test_variables_fall_back_per_key(make_site, cli, tmp_path):
    body = "{% data variables.product.tagline %} / {% data variables.product.name %}\n"
    root = fr_site(make_site, {"docs/guide.md": page("Guide", body)})
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    assert "Livrez plus vite / Nimbus" in read(out / "fr/docs/guide/index.html")


def test_translated_reusable_replaces_english_and_a_broken_one_falls_back(make_site, cli, tmp_path):
    files = {"translations/fr-FR/data/reusables/steps.md": "Étapes en français.\n"}
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR}, files)
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    assert "Étapes en français." in read(out / "fr/docs/guide/index.html")
    (root / "translations/fr-FR/data/reusables/steps.md").write_text("Cassé {% bogus %}\n", "utf-8")
    result = build(cli, root, out)
    assert result.status == 0
    assert "English steps." in read(out / "fr/docs/guide/index.html")
    assert "warning[DB502]: translated reusable falls back to English" in result.stderr


def test_broken_translated_body_falls_back_with_a_comment_and_a_warning(make_site, cli, tmp_path):
    broken = page("Guide cassé", "## Premiers pas\n\n{% ifversion fpt %}texte\n")
    root = fr_site(make_site, {"docs/guide.md": broken})
    out = tmp_path / "out"
    result = build(cli, root, out)
    assert result.status == 0, result.stderr
    html = read(out / "fr/docs/guide/index.html")
    assert ("<!-- TRANSLATION_FALLBACK prop=body type=LiquidSyntaxError "
            "file=translations/fr-FR/content/docs/guide.md line=7 col=1 "
            'msg="{% ifversion %} is never closed; expected {% endifversion %} (or {% endif %})" -->') in html
    assert "Use Nimbus." in html  # the English body
    assert "Guide cassé</h1>" in html  # the title is still French: fallback is per property
    assert "warning[DB502]: fr: body of content/docs/guide.md falls back to English: LiquidSyntaxError" in result.stderr


def test_broken_translated_title_falls_back_alone(make_site, cli, tmp_path):
    broken = page("'{% badtag %} Titre'", "## Premiers pas\n\nCorps français.\n")
    root = fr_site(make_site, {"docs/guide.md": broken})
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    html = read(out / "fr/docs/guide/index.html")
    assert '<!-- TRANSLATION_FALLBACK prop=title type=LiquidSyntaxError file=translations/fr-FR/content/docs/guide.md line=2 col=' in html
    assert "Guide</h1>" in html and "Corps français." in html


def test_unparsable_translation_frontmatter_means_english_page(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": "---\ntitle: [oops\nversions: {fpt: '*'}\n---\nx\n"})
    out = tmp_path / "out"
    result = build(cli, root, out)
    assert result.status == 0
    assert "Use Nimbus." in read(out / "fr/docs/guide/index.html")
    assert "translations/fr-FR/content/docs/guide.md:2:8: warning[DB502]: translation unusable" in result.stderr


def test_english_errors_still_fail(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    (root / "content/docs/other.md").write_text(page("Other", "{% ifversion nope %}x{% endif %}\n"), "utf-8")
    assert build(cli, root, tmp_path / "out").status == 1


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@e", "HOME": str(root), "PATH": "/usr/bin:/bin"})


def test_status_report_on_a_git_repository(make_site, cli):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    # English moves on after the translation was made
    guide = root / "content/docs/guide.md"
    guide.write_text(read(guide) + "\nA new English paragraph.\nAnd another line.\n", "utf-8")
    git(root, "commit", "-qam", "English update")
    result = cli("translations", "--root", str(root), "--format", "json")
    assert result.status == 0, result.stderr
    doc = json.loads(result.stdout)["languages"][0]
    assert doc["language"] == "fr" and doc["outdated_known"] is True
    details = {d["page"]: d for d in doc["details"]}
    assert details["content/docs/guide.md"]["state"] == "outdated"
    assert details["content/docs/guide.md"]["commits_behind"] == 1
    assert details["content/docs/guide.md"]["lines_behind"] == 3
    assert details["content/docs/other.md"]["state"] == "missing"
    assert doc["missing"] == 3  # other.md, the docs category and the home page
    text = cli("translations", "--root", str(root))
    assert "translations/fr-FR/content/docs/guide.md (1 commits, 3 lines behind; git history)" in text.stdout


def test_status_outside_git_says_unknown(make_site, cli):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    result = cli("translations", "--root", str(root))
    assert "outdated status unknown" in result.stdout


def test_status_page_is_published(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    html = read(out / "fr/translation-status/index.html")
    assert "État des traductions" in html and 'class="status-bar"' in html
    assert (out / "en/translation-status/index.html").is_file()


@pytest.mark.parametrize("code, expected", [("fr", "Français"), ("ja", "日本語"), ("en", "English")])
def test_native_language_names(code, expected):
    from builder.i18n.languages import native_name
    from builder.sources.config import Language

    assert native_name(Language(code, "x", None, 0)) == expected


def test_orphan_translation_is_a_warning(make_site, cli):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR, "docs/gone.md": page("Partie", "x\n")})
    result = cli("check", "--root", str(root))
    assert result.status == 0
    assert ("translations/fr-FR/content/docs/gone.md:1:1: warning[DB503]: translations/fr-FR/content/docs/gone.md "
            "translates content/docs/gone.md, which does not exist") in result.stderr


def test_configured_native_name_wins(make_site, cli, tmp_path):
    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    (root / "data/languages.yml").write_text(
        "en: {name: English}\nfr: {name: French, dir: translations/fr-FR, native_name: Français (France)}\n", "utf-8")
    out = tmp_path / "out"
    assert build(cli, root, out).status == 0
    assert ">Français (France)</a>" in read(out / "en/docs/guide/index.html")


def test_data_lookups_are_made_once_per_language_and_path(make_site):
    """{% data %} asks the same lookups on every page: translated values are repaired once."""
    from builder.sources.config import load_config
    from builder.sources.data import DataStore

    root = fr_site(make_site, {"docs/guide.md": GUIDE_FR})
    config = load_config(root)
    repaired = []
    store = DataStore(config, repair=lambda text, english, rel, lang: repaired.append(rel) or text)
    fr, parts = config.language("fr"), ["variables", "product", "tagline"]
    found = store.variable(fr, parts)
    assert found.value == "Livrez plus vite" and found.file == "translations/fr-FR/data/variables/product.yml"
    assert store.variable(fr, list(parts)) is found
    assert store.variable(config.default_language, parts).value == "Ship faster"
    assert repaired == ["translations/fr-FR/data/variables/product.yml"]
    probes = store.probes(fr, parts)
    assert list(probes) == ["data/variables/product.yml", "translations/fr-FR/data/variables/product.yml"]
    assert store.probes(fr, list(parts)) is probes


def test_status_asks_git_once_per_commit_and_page(tmp_path, monkeypatch):
    from builder.i18n import gitinfo

    (tmp_path / "content").mkdir()
    (tmp_path / "content/a.md").write_text("one\n", "utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "a")
    (tmp_path / "README").write_text("outside the history GitHistory reads\n", "utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "readme")
    (tmp_path / "content/a.md").write_text("two\n", "utf-8")
    git(tmp_path, "commit", "-qam", "b")
    base = gitinfo._git(tmp_path, "rev-parse", "HEAD~1").strip()
    history = gitinfo.GitHistory.load(tmp_path)
    assert base not in history.order  # so commits_since asks git
    calls = []
    real = gitinfo._git
    monkeypatch.setattr(gitinfo, "_git", lambda root, *args: calls.append(args[0]) or real(root, *args))
    for _ in range(3):  # pages sharing an ms.sourcegitcommit; languages asking about one page
        assert history.has_commit(base[:10]) == base
        assert history.commits_since("content/a.md", base) == 1
    assert calls == ["rev-parse", "rev-list"]


def test_a_body_repaired_after_its_title_was_read_is_repaired_alike(make_site):
    """A build shard reads the titles of pages its sidebars show before it builds any page; the
    translated body is then repaired when the page is built (`localize(..., body=False)`, then
    `with_body`): the same text and the same warnings, in the same order, as in one step."""
    from builder.i18n.localize import localize, with_body
    from builder.i18n.repair import repair_translation
    from builder.pipeline.site import Site

    broken = page("Guide {% data variables.product.name % }", "## Premiers pas\n\n"
                  "Utilisez {% data variables.product.name % }.\n\n{% data reusables.steps %}\n",
                  intro="'Le guide de {% data variables.product.name %}.'", unknown="oui")
    root = fr_site(make_site, {"docs/guide.md": broken})
    site = Site(root)
    fr, guide = site.language("fr"), site.tree.pages["docs/guide.md"]
    whole = localize(guide, fr, site.config, repair=repair_translation)
    head = localize(guide, fr, site.config, repair=repair_translation, body=False)
    assert head.props["body"].text.count("% }") == 1  # left as written until it is needed
    later = with_body(head, repair_translation)
    assert [d.message for d in whole.problems] == [d.message for d in later.problems]
    assert [d.location.line for d in later.problems] == [d.location.line for d in whole.problems]
    assert any("repaired Liquid" in d.message and d.location.line > 5 for d in later.problems)  # the body's
    assert {k: (v.text if v else None) for k, v in later.props.items()} == \
        {k: (v.text if v else None) for k, v in whole.props.items()}
    assert later.props["body"].text.count("% }") == 0
    # and the site hands out the repaired page once its body is asked for
    assert site.localized(fr, guide, body=False).body_problems_at is not None
    assert site.localized(fr, guide).props["body"].text == whole.props["body"].text
