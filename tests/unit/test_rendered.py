"""builder/checks/rendered.py: the pure checks over a rendered body and its Markdown text."""

from __future__ import annotations

from builder.checks import rendered
from builder.markdown_rules.parser import render_markdown


def _check(text: str) -> list[tuple[str, int]]:
    """(code, 1-based line in `text`) of each finding."""
    return [(f.code.code, text.count("\n", 0, f.offset) + 1) for f in rendered.check(render_markdown(text).html, text)]


def test_clean_markdown_has_no_findings():
    text = ("## A\n\n**bold** and [link](/x) and `**/*.js` `{{ x }}` `<div>`.\n\n| a | b \\| c |\n|---|---|\n"
            "| 1 | 2 |\n\n### B\n\n```\n| x |\n|---|---|\n** &lt;div&gt;\n```\n")
    assert _check(text) == []


def test_each_rule_at_its_line():
    assert _check("Intro.\n\nSee [x] (/a) ](/b).\n") == [("DB720", 3)]
    assert _check("Text.\n\n~~~\ncode\n~~~\n\n| a |\n|---|---|\n") == [("DB723", 8)]
    assert _check("## A\n\n#### B\n\n## C\n\n#### D\n") == [("DB724", 3), ("DB724", 7)]
    assert _check("x\n\nhello &lt;/span&gt;\n") == [("DB722", 3)]


def test_structure_counts_headings_and_list_items_in_order():
    html = render_markdown("## A\n\n- a\n  1. x\n  2. y\n- b\n\n### B\n\n* c\n").html
    got = rendered.structure(html)
    assert got.headings == ((2, "A"), (3, "B"))
    assert got.lists == (2, 2, 1)


def test_translation_may_change_a_level_but_not_lose_a_heading_or_item():
    source = "### A\n\n- a\n- b\n\nEnd.\n"
    en = rendered.structure(render_markdown(source).html, source)
    relevelled = "## A'\n\n- a'\n- b'\n\nEnd'.\n"
    assert rendered.compare(rendered.structure(render_markdown(relevelled).html, relevelled), en, relevelled) == []
    lost = "##A'\n\n- a'\n-b'\n\nEnd'.\n"
    found = rendered.compare(rendered.structure(render_markdown(lost).html, lost), en, lost)
    assert [(f.code.code, lost.count("\n", 0, f.offset) + 1) for f in found] == [("DB725", 1), ("DB726", 4)]


def test_marker_eaten_without_trace_is_found_when_the_blocks_add_up():
    source = "## A\n\nText.\n\n## B\n\nMore.\n"
    en = rendered.structure(render_markdown(source).html, source)
    eaten = "## A'\n\nTexte.\n\nB'\n\nPlus.\n"
    found = rendered.compare(rendered.structure(render_markdown(eaten).html, eaten), en, eaten)
    assert [f.code.code for f in found] == ["DB725"]


def test_outdated_translation_is_not_a_lost_marker():
    source = "## A\n\nText.\n\n- a\n- b\n\n## New section\n\nNew text.\n\n- c\n"
    en = rendered.structure(render_markdown(source).html, source)
    older = "## A'\n\nTexte.\n\n- a'\n- b'\n"
    assert rendered.compare(rendered.structure(render_markdown(older).html, older), en, older) == []
