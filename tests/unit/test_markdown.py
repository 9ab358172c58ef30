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


# Autolinks and link labels: GitHub's results, in linear time ---------------------------------

from markdown_it import MarkdownIt  # noqa: E402
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin  # noqa: E402

from builder.markdown_rules.autolink import MAX_DOMAIN, autolink_plugin  # noqa: E402
from builder.markdown_rules.labels import use_fast_labels  # noqa: E402


@pytest.mark.parametrize("source, expected", [
    ("see www.example.com.", '<p>see <a href="http://www.example.com">www.example.com</a>.</p>'),
    ("(https://example.com/a_(b))", '<p>(<a href="https://example.com/a_(b)">https://example.com/a_(b)</a>)</p>'),
    ("https://example.com/a?x=1&amp;", '<p><a href="https://example.com/a?x=1">https://example.com/a?x=1</a>&amp;</p>'),
    ("https://example.com/a<b", '<p><a href="https://example.com/a">https://example.com/a</a>&lt;b</p>'),
    ("mail me@example.com!", '<p>mail <a href="mailto:me@example.com">me@example.com</a>!</p>'),
    ("mailto:me@example.com", '<p><a href="mailto:me@example.com">mailto:me@example.com</a></p>'),
    ("xmpp:me@example.com/home", '<p><a href="xmpp:me@example.com/home">xmpp:me@example.com/home</a></p>'),
    ("a:b http: www.a_b.c_d nohttps://x.y", "<p>a:b http: www.a_b.c_d nohttps://x.y</p>"),
    ("[www.example.com](/x)", '<p><a href="\ue0000\ue001">www.example.com</a></p>'),
])
def test_autolinks(source, expected):
    assert render_markdown(source).html.strip() == expected


def test_a_domain_longer_than_dns_allows_is_not_a_link():
    longest = "www." + "a" * (MAX_DOMAIN - 4) + ".com"
    assert "<a " in render_markdown(longest[: 4 + MAX_DOMAIN]).html
    assert "<a " not in render_markdown("www." + "a" * MAX_DOMAIN + ".com").html


AUTOLINK_ATOMS = st.sampled_from([
    "http", "https", "://", ":", "//", "www.", "w", "mailto:", "xmpp:", "@", "a", "b", "example", ".", ".com", "_",
    "-", "(", ")", "<", ">", "&amp;", "&x;", ";", " ", "\n", "[", "]", "*", "~", "?", "!", ",", "'", '"', "/", "é",
    "`", "x@y.z", "https://github.com/a_b(c)", "\\",
])


def _reference(plugin) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(plugin)


@settings(max_examples=400, deadline=None)
@given(st.lists(AUTOLINK_ATOMS, min_size=1, max_size=16))
def test_autolinks_are_those_of_the_gfm_extension(atoms):
    """The same links as mdit-py-plugins' gfm_autolink (which is quadratic on long lines)."""
    text = "".join(atoms)
    assert _reference(autolink_plugin).render(text) == _reference(gfm_autolink_plugin).render(text)


LABEL_ATOMS = st.sampled_from(["[", "]", "![", "(", ")", "a", " ", "`", "<a>", "<http://x.y>", "*", "_", "\\",
                               "\n", "[x]: /u\n", "(/u)", '"t"', "![a](b)", "[a]", "]("])


def _same_labels(text: str, nesting: int) -> None:
    plain = MarkdownIt("commonmark", {"html": True, "maxNesting": nesting})
    fast = MarkdownIt("commonmark", {"html": True, "maxNesting": nesting})
    use_fast_labels(fast)
    assert fast.render(text) == plain.render(text)


@pytest.mark.parametrize("nesting", [3, 20, 50])
@pytest.mark.parametrize("text", [
    "[a [b] c](/u)", "[[a]](/u)", "![a [b]](/i)", "[a](/u) [b]", "[`]`](/u)", "[<a>]</a>](/u)", "[a\\]](/u)",
    "[" * 21 + "foo" + "]" * 21 + "(/u)", "[" * 60 + "a](/u)", "![" * 30 + "a](/u)", "[x]: /x\n\n[a [x] b](/u) [x]",
])
def test_link_labels_are_found_as_markdown_it_finds_them(text, nesting):
    _same_labels(text, nesting)


@settings(max_examples=400, deadline=None)
@given(st.lists(LABEL_ATOMS, min_size=1, max_size=30), st.sampled_from([3, 20, 50]))
def test_link_labels_in_any_text_are_found_as_markdown_it_finds_them(atoms, nesting):
    _same_labels("".join(atoms), nesting)
