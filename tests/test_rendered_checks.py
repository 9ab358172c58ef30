"""Rendered-output checks (DB720-DB726): English findings at their source line, and a French
translation that breaks falls back to the English body with a warning naming file:line."""

from __future__ import annotations

import re

import pytest

from tests.conftest import page, read

LANGS = "en: {name: English}\nfr: {name: French, dir: translations/fr-FR}\n"

EN_BODY = (
    "## Setup\n\nRead **the guide** first.\n\n"
    "- one\n- two\n- three\n\n"
    "| A | B |\n|---|---|\n| 1 | 2 |\n\n"
    "### Details\n\nSee [the other page](/docs/other).\n\n{% data reusables.note %}\n"
)
FR_OK = (
    "## Installation\n\nLisez **le guide** d'abord.\n\n"
    "- un\n- deux\n- trois\n\n"
    "| A | B |\n|---|---|\n| 1 | 2 |\n\n"
    "### Détails\n\nVoir [l'autre page](/docs/other).\n\n{% data reusables.note %}\n"
)

# Each kind of breakage: (French body, 1-based line of the body it is found at, text of the warning).
BREAKAGES = {
    "bold marker": (FR_OK.replace("**le guide**", "** le guide**"), 3, "bold marker `**` shows as text"),
    "link syntax": (FR_OK.replace("[l'autre page](/docs/other)", "[l'autre page] (/docs/other) ](/docs/other)"),
                    15, "link syntax `](/` shows as text"),
    "liquid": (FR_OK.replace("Lisez", "Lisez {% raw %}{{ product }}{% endraw %}"), 3, "Liquid output `{{` shows as text"),
    "escaped html": (FR_OK.replace("d'abord.", "d'abord &lt;div&gt;."), 3, "escaped HTML shows as text: '<div>'"),
    "separator lost a column": (FR_OK.replace("|---|---|", "|---|"), 10, "separator row has 1 cell but its header 2"),
    "row with an extra cell": (FR_OK.replace("| 1 | 2 |", "| 1 | 2 | 3 |"), 11, "this table row has 3 cells but the header has 2"),
    "heading marker lost": (FR_OK.replace("### Détails", "###Détails"), 13, "the translation has 1 heading (h2)"),
    "list marker lost": (FR_OK.replace("- deux", "-deux"), 6, "list 1 of the translation has 2 items where English has 3"),
    "heading skips a level": (FR_OK.replace("### Détails", "#### Détails"), 13, "is h4 after h2"),
}


def _site(make_site, fr_body: str, extra: dict[str, str] | None = None):
    pages = {
        "docs/index.md": page("Docs", "Category.\n", children="[/guide, /other]"),
        "docs/guide.md": page("Guide", EN_BODY),
        "docs/other.md": page("Other page", "Other body.\n"),
    }
    files = {
        "data/languages.yml": LANGS,
        "data/reusables/note.md": "A note.\n",
        "translations/fr-FR/content/docs/guide.md": page("Guide (fr)", fr_body),
        **(extra or {}),
    }
    return make_site(pages, files)


def _build(cli, root, out):
    return cli("build", "--root", str(root), "--out", str(out), "--no-search", "--version", "fpt")


def test_clean_translation_is_kept(make_site, cli, tmp_path):
    root = _site(make_site, FR_OK)
    result = _build(cli, root, tmp_path / "out")
    assert result.status == 0, result.stderr
    assert "DB72" not in result.stderr and "DB502" not in result.stderr
    assert "Lisez <strong>le guide</strong>" in read(tmp_path / "out/fr/docs/guide/index.html")


@pytest.mark.parametrize("kind", list(BREAKAGES))
def test_broken_translation_falls_back_to_english(make_site, cli, tmp_path, kind):
    body, line, message = BREAKAGES[kind]
    root = _site(make_site, body)
    result = _build(cli, root, tmp_path / "out")
    assert result.status == 0, result.stderr  # a translation never fails the build
    html = read(tmp_path / "out/fr/docs/guide/index.html")
    assert "TRANSLATION_FALLBACK prop=body type=RenderedOutputError" in html
    shown = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    assert "Read <strong>the guide</strong> first." in shown and "Lisez" not in shown
    fm_lines = page("Guide (fr)", "").count("\n")  # the body starts after the frontmatter
    where = f"translations/fr-FR/content/docs/guide.md:{fm_lines + line}:"
    warning = next(w for w in result.stderr.splitlines() if "falls back" in w)
    assert warning.startswith(where) and "warning[DB72" in warning, result.stderr
    assert "falls back to English: RenderedOutputError: " in warning and message in warning, warning
    # English is untouched
    assert "Lisez" not in read(tmp_path / "out/docs/guide/index.html")


def test_broken_translated_reusable_is_located_in_the_reusable(make_site, cli, tmp_path):
    root = _site(make_site, FR_OK, {"translations/fr-FR/data/reusables/note.md": "Une **note.\n\nFin ** ici.\n"})
    result = _build(cli, root, tmp_path / "out")
    assert result.status == 0, result.stderr
    warning = next(w for w in result.stderr.splitlines() if "falls back" in w)
    assert warning.startswith("translations/fr-FR/data/reusables/note.md:1:"), warning
    assert "warning[DB720]: fr: body of content/docs/guide.md falls back to English" in warning
    assert "A note." in read(tmp_path / "out/fr/docs/guide/index.html")


def test_same_problem_in_english_does_not_make_the_translation_fall_back(make_site, cli, tmp_path):
    pages = {"docs/index.md": page("Docs", "Category.\n", children="[/guide]"),
             "docs/guide.md": page("Guide", "## A\n\n#### B\n\nText.\n")}
    root = make_site(pages, {"data/languages.yml": LANGS,
                             "translations/fr-FR/content/docs/guide.md": page("Guide (fr)", "## A\n\n#### B\n\nTexte.\n")})
    result = _build(cli, root, tmp_path / "out")
    assert "DB502" not in result.stderr
    assert "content/docs/guide.md:7:1: warning[DB724]: heading 'B' is h4 after h2" in result.stderr
    assert "Texte." in read(tmp_path / "out/fr/docs/guide/index.html")


ENGLISH_CASES = [
    # (body, code, severity, 1-based body line, message part)
    ("Intro.\n\nSome ** bold** text.\n", "DB720", "error", 3, "bold marker `**` shows as text"),
    ("Intro.\n\nA | B\n---|---|---\n", "DB723", "error", 4, "separator row has 3 cells but its header 2"),
    ("| A | B |\n|---|---|\n| 1 |\n", "DB723", "error", 3, "this table row has 1 cell but the header has 2"),
    ("Text {% raw %}{{ x }}{% endraw %} here.\n", "DB721", "error", 1, "Liquid output `{{` shows as text"),
    ("Use &lt;span&gt; here.\n", "DB722", "warning", 1, "escaped HTML shows as text: '<span>'"),
    ("## A\n\n#### B\n", "DB724", "warning", 3, "heading 'B' is h4 after h2"),
]


@pytest.mark.parametrize("body,code,severity,line,message", ENGLISH_CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(ENGLISH_CASES)])
def test_english_findings_at_their_line(make_site, cli, tmp_path, body, code, severity, line, message):
    pages = {"docs/index.md": page("Docs", "Category.\n", children="[/guide]"), "docs/guide.md": page("Guide", body)}
    root = make_site(pages)
    result = _build(cli, root, tmp_path / "out")
    fm_lines = page("Guide", "").count("\n")
    expected = f"content/docs/guide.md:{fm_lines + line}:"
    hits = [w for w in result.stderr.splitlines() if f"{severity}[{code}]" in w]
    assert len(hits) == 1 and hits[0].startswith(expected) and message in hits[0], result.stderr
    assert result.status == (1 if severity == "error" else 0)


def test_code_is_not_checked(make_site, cli, tmp_path):
    body = "Use `**/*.js` and `{% raw %}{{ x }}{% endraw %}`.\n\n```\n| a | b |\n|---|\n**x** &lt;div&gt;\n```\n"
    pages = {"docs/index.md": page("Docs", "Category.\n", children="[/guide]"), "docs/guide.md": page("Guide", body)}
    result = _build(cli, make_site(pages), tmp_path / "out")
    assert result.status == 0 and "DB72" not in result.stderr, result.stderr


def test_hostile_bodies_are_checked_in_bounded_time():
    """Pure checks over pages made of markers stay linear and report at most MAX_PER_RULE each."""
    import time

    from builder.checks import rendered
    from builder.markdown_rules.parser import render_markdown

    texts = ["** a\n\n" * 20_000, "<h2>x\n" * 20_000, "<code>" * 20_000 + "**", "&lt;div&gt; {{ " * 20_000,
             "| a | b |\n|---|---|\n" + "| 1 |\n" * 20_000]
    for text in texts:
        html = render_markdown(text).html
        started = time.monotonic()
        found = rendered.check(html, text)
        rendered.compare(rendered.structure(html), rendered.structure(html), text)
        assert time.monotonic() - started < 3, text[:20]
        for code in {f.code for f in found}:
            assert sum(f.code == code for f in found) <= rendered.MAX_PER_RULE


def test_bundled_site_has_no_rendered_findings(cli):
    from tests.conftest import REPO

    result = cli("check", "--root", str(REPO))
    assert result.status == 0 and "[DB72" not in result.stderr, result.stderr
    assert "0 errors, 0 warnings" in result.stderr.splitlines()[-1]


def test_corpus_english_has_no_rendered_errors(cli, tmp_path):
    """The GitHub Docs slice: its English pages raise no rendered-output error (only DB724
    warnings, for pages that start at `###`)."""
    import shutil

    from tests.conftest import CORPUS, OVERLAY

    if not (CORPUS.is_dir() and OVERLAY.is_dir()):
        pytest.skip("GitHub Docs corpus not present")
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    result = cli("check", "--root", str(root))
    found = re.findall(r"^(\S+):\d+:\d+: (error|warning)\[(DB72\d)\]", result.stderr, re.M)
    assert not [f for f in found if f[1] == "error"], found
    assert {code for path, _, code in found if not path.startswith("translations/")} <= {"DB724"}, found
