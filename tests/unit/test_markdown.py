"""Markdown stage: case files, link placeholders, English heading ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.markdown_rules.links import PLACEHOLDER
from builder.markdown_rules.parser import plain_text, render_frontmatter, render_markdown
from tests.casefile import read_cases

CASES = Path(__file__).resolve().parent.parent / "cases"


@pytest.mark.parametrize("source, expected", read_cases(CASES / "markdown.md"))
def test_markdown_cases(source, expected):
    html = render_markdown(source, alert_titles={"warning": "Warning"}).html
    assert html.rstrip() == expected.rstrip()


def test_internal_links_become_placeholders_filled_per_version():
    rendered = render_markdown(
        "See [AUTOTITLE](/packages/a#frag), [b](/b?x=1), [ext](https://example.com), "
        "[img](/assets/i.png) and <a href='/raw'>raw</a>.\n"
    )
    hrefs = [(link.href, link.autotitle, link.html) for link in rendered.links]
    assert hrefs == [("/packages/a#frag", True, False), ("/b?x=1", False, False), ("/raw", False, True)]
    assert 'href="https://example.com"' in rendered.html and 'href="/assets/i.png"' in rendered.html
    assert len(PLACEHOLDER.findall(rendered.html)) == 4  # three hrefs and one title


def test_translated_headings_take_the_english_ids():
    rendered = render_markdown("## Présentation\n### Étape un\n## Autre\n", heading_ids=["overview", "step-one"])
    assert [h.id for h in rendered.headings] == ["overview", "step-one", "autre"]
    assert 'id="overview"' in rendered.html and 'href="#step-one"' in rendered.html


def test_frontmatter_text_escapes_html():
    assert plain_text("<script>alert(1)</script> **bold** `code`") == "<script>alert(1)</script> bold code"
    assert "&lt;script&gt;" in render_frontmatter("Intro <script>x</script>").html


def test_pathological_markdown_is_bounded():
    deep = render_markdown("> " * 5000 + "deep\n")
    assert deep.too_deep  # reported as a diagnostic by the page builder
    assert not render_markdown("> > > fine\n").too_deep
    stars = render_markdown("*a " * 10000 + "\n").html
    assert stars.startswith("<p>")


from hypothesis import given, settings, strategies as st  # noqa: E402

from builder.markdown_rules.chunks import render_sections  # noqa: E402

BLOCKS = st.sampled_from([
    "## Intro\n", "## Intro\n", "### Setup `code`\n", "# Title\n", "Some *text* with [a link](/docs/x).\n",
    "- item one\n- item two\n", "1. first\n\n   continued\n2. second\n", "> quote line\n> more\n",
    "> [!NOTE]\n> An alert.\n", "```yaml copy\nkey: value\n## not a heading\n```\n", "<!--\n## hidden\n-->\n",
    "<div>\n\n## inside div\n\n</div>\n", "| a | b |\n| - | - |\n| 1 | 2 |\n", "    ## indented code\n",
    "[AUTOTITLE](/docs/y#z)\n", "text right before\n## heading without blank\n", "\n", "***\n",
    "## !!!\n", "See [again](/docs/x).\n",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=14), st.lists(st.booleans(), min_size=14, max_size=14))
def test_section_rendering_equals_whole_rendering(blocks, blanks):
    text = "".join(b + ("\n" if blank else "") for b, blank in zip(blocks, blanks))
    whole = render_markdown(text)
    cache: dict = {}
    first, _ = render_sections(text, cache)
    again, rendered = render_sections(text, cache)
    for result in (first, again):
        assert result.html == whole.html
        assert [(link.href, link.line) for link in result.links] == [(link.href, link.line) for link in whole.links]
        assert result.headings == whole.headings
    assert rendered == 0  # everything, renumbered headings too, comes from the cache


def test_sections_keep_page_lines_and_ids():
    text = "intro see [x](/missing)\n\n## !!!\n\nsee [y](/missing)\n\n## ???\n\n## Again\n\n## Again\n"
    whole = render_markdown(text)
    cache: dict = {}
    for _ in range(2):
        parts, _ = render_sections(text, cache)
        assert [(link.href, link.line) for link in parts.links] == [("/missing", 0), ("/missing", 4)]
        assert [h.id for h in parts.headings] == [h.id for h in whole.headings] == ["section", "section-1", "again", "again-1"]
    assert render_sections(text, cache)[1] == 0
